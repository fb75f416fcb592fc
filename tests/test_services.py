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
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from redis import Redis

from config.celery import app
from core import cache as read_cache

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


@pytest.mark.redis
@pytest.mark.django_db
def test_read_cache_on_redis_expires_with_its_versions_which_never_expire(
    django_capture_on_commit_callbacks,
):
    from django.core.cache import cache

    builds = []
    mission_id = uuid.uuid4().int % 1_000_000

    def value():
        return read_cache.cached(
            "probe", lambda: builds.append(1) or len(builds), mission_id=mission_id
        )

    assert value() == 1 and value() == 1
    with django_capture_on_commit_callbacks(execute=True):
        read_cache.expire(mission_id)
    assert value() == 2
    server = Redis.from_url(settings.REDIS_URL)
    assert server.ttl(cache.make_key(f"version:{mission_id}")) == -1  # a counter never expires
    assert settings.RELEASE in cache.make_key("probe")  # a release never reads another's


@pytest.mark.postgres
@pytest.mark.django_db
def test_suite_runs_on_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 130000
