"""The real services of the full stack: a Celery worker on the Redis broker, the Redis cache,
PostgreSQL. Skipped (with the reason printed) where the service is not configured."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app
from core.cache import RedisCache

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.redis
def test_celery_worker_starts_on_redis_with_the_project_configuration():
    name = f"test-{uuid.uuid4().hex[:8]}@localhost"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-n",
            name,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        replies = []
        deadline = time.monotonic() + 60
        while not replies and time.monotonic() < deadline and worker.poll() is None:
            replies = app.control.ping(destination=[name], timeout=1.0)
        assert replies == [{name: {"ok": "pong"}}], (
            worker.stdout.read() if worker.poll() is not None else ""
        )
        conf = app.control.inspect([name], timeout=5.0).conf(with_defaults=True)[name]
        assert conf["task_acks_late"] is True
        assert conf["task_reject_on_worker_lost"] is True
        assert conf["worker_prefetch_multiplier"] == 1
        assert conf["task_serializer"] == "json"
        assert conf["task_always_eager"] is False
    finally:
        worker.terminate()
        worker.wait(timeout=30)


@pytest.mark.redis
def test_redis_cache_round_trip():
    cache = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    cache.set("greeting", {"fr": "bonjour"}, 10)
    assert cache.get("greeting") == {"fr": "bonjour"}
    cache.delete("greeting")
    assert cache.get("greeting") is None
    # One Redis client per pool, not one per call (Django's own backend builds one each time).
    assert cache._cache.get_client() is cache._cache.get_client(write=True)


@pytest.mark.redis
def test_redis_counters_bumped_in_one_round_trip():
    cache = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    cache.set("kept", 41, None)
    client = cache._cache.get_client(write=True)
    sent = []
    original = client.connection_pool.get_connection
    client.connection_pool.get_connection = lambda *a, **k: sent.append(1) or original(*a, **k)
    try:
        cache.incr_counters(["kept", "new"], start=1_000)
    finally:
        client.connection_pool.get_connection = original
    assert len(sent) == 1  # one connection used once: a pipeline
    assert cache.get("kept") == 42 and cache.get("new") == 1_001
    assert client.ttl(cache.make_and_validate_key("new")) == -1  # never expires
    cache.delete_many(["kept", "new"])


@pytest.mark.postgres
@pytest.mark.django_db
def test_suite_runs_on_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 130000
