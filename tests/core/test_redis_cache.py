"""The Redis cache backend (core/redis_cache.py): one Redis client per process, values intact."""

import os
import threading

import pytest
import redis
from django.core.cache import caches

from core.redis_cache import RedisCache

pytestmark = pytest.mark.redis


@pytest.fixture
def backend():
    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "test-backend"})
    yield cache
    cache.delete_many(["a", "b", "n"])


def test_the_site_uses_it():
    assert isinstance(caches["default"], RedisCache)


def test_calls_share_one_client_and_keep_their_values(backend, monkeypatch):
    built = []
    init = redis.Redis.__init__

    def counted(self, *args, **kwargs):
        built.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counted)
    backend.set("a", {"x": [1, 2]})
    backend.set_many({"b": "é"})
    backend.add("n", 1)
    backend.incr("n")
    assert backend.get("a") == {"x": [1, 2]}
    assert backend.get_many(["a", "b", "missing"]) == {"a": {"x": [1, 2]}, "b": "é"}
    assert backend.get("n") == 2
    assert len(built) <= 2  # one for writes, one for reads (Django's own: one per call)


def test_threads_share_it_safely(backend):
    errors = []

    def work(n):
        try:
            for i in range(50):
                backend.set(f"a{n}", i)
                assert backend.get(f"a{n}") == i
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
        finally:
            backend.delete(f"a{n}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
