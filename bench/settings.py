"""Settings for the benchmarks: production settings served over plain HTTP on loopback, plus a
minimal "hello" view as the ceiling of the machine."""

import os

# Production settings: the checkout's .env turns DEBUG on, which records every query.
os.environ["DEBUG"] = "False"
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
os.environ.setdefault("SECURE_COOKIES", "False")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
