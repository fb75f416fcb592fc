"""Django's Redis cache, with one Redis client per process instead of one per cache call.

Django's client builds a new ``redis.Redis`` for every call, and redis-py copies its table of
about 170 response callbacks into each: measured on the booking page (13 cache calls), that was a
quarter of the page's CPU, twice the cost of the calls themselves. A client over a connection
pool is thread-safe, and its pool reconnects after a fork, so one for reads and one for writes
are enough. (With replicas, a process keeps reading from the replica it first picked.)
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        client = self._clients.get(write)
        if client is None:
            client = self._clients[write] = super().get_client(key, write=write)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient  # Django's way to choose the client: no option for it
