"""A read cache for the busiest pages of a mission (booking page, directory, agenda).

Every entry is keyed by the mission's *version*, a counter that every write touching the
mission's matchmaking bumps after its commit (bookings, requests, availability, sessions,
decisions on firms and operators, profile changes). A bump makes every former entry unreachable,
so nothing stale is served after a change; entries also expire after a few minutes. With several
processes the cache must be shared (Redis, as in production): a per-process memory cache would
miss other processes' bumps. Each process also keeps copies of the entries it used last
(``recent``): their keys hold the version, so a copy can never be stale, and a page then costs
one round trip to Redis (the version) instead of one per entry.
"""

import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from contextvars import ContextVar

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

TIMEOUT = 300

# Within one request each mission's version is read once (a page reads it for every entry).
_versions: ContextVar[dict[int, int] | None] = ContextVar("mission_versions", default=None)


class RequestVersionsMiddleware:
    """Gives each request its own memo of mission versions, forgotten when it ends."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _versions.set({})
        try:
            return self.get_response(request)
        finally:
            _versions.reset(token)


def _version_key(mission_id: int) -> str:
    return f"mm:version:{mission_id}"


def mission_version(mission_id: int) -> int:
    memo = _versions.get()
    if memo is not None and mission_id in memo:
        return memo[mission_id]
    version = cache.get(_version_key(mission_id))
    if version is None:
        # A fresh start (or an evicted counter) must not meet entries of an older start.
        cache.add(_version_key(mission_id), time.time_ns(), None)
        version = cache.get(_version_key(mission_id), 0)
    if memo is not None:
        memo[mission_id] = version
    return version


def _bump(mission_id: int) -> None:
    memo = _versions.get()
    if memo:
        memo.pop(mission_id, None)  # this request's own write: read the new version next
    try:
        cache.incr(_version_key(mission_id))
    except ValueError:
        cache.set(_version_key(mission_id), time.time_ns(), None)


def mission_changed(*mission_ids: int) -> None:
    """Call inside the write's transaction: the missions' entries expire when it commits."""
    for mission_id in set(mission_ids):
        transaction.on_commit(lambda m=mission_id: _bump(m))


class _Recent:
    """This process's copies of recent entries, in front of the shared cache. An entry's key
    holds its mission's version, so a copy is never stale: a change makes a new key. Copies are
    kept pickled, so that no caller can alter another request's value."""

    def __init__(self, *, max_bytes: int, timeout: float):
        self.max_bytes, self.timeout = max_bytes, timeout
        self.entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self.bytes = 0
        self.lock = threading.Lock()

    def get(self, key: str):
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            if entry[0] < time.monotonic():  # as old as the shared entry's lifetime
                self._drop(key)
                return None
            self.entries.move_to_end(key)
        return pickle.loads(entry[1])  # noqa: S301  (bytes this process pickled itself)

    def put(self, key: str, value) -> None:
        data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        with self.lock:
            if key in self.entries:
                self._drop(key)
            self.entries[key] = (time.monotonic() + self.timeout, data)
            self.bytes += len(data)
            while self.bytes > self.max_bytes and self.entries:
                self._drop(next(iter(self.entries)))

    def _drop(self, key: str) -> None:
        self.bytes -= len(self.entries.pop(key)[1])

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.bytes = 0


# Copies live as long as the shared entries (a change the services do not see, such as an edit
# in the admin, shows within TIMEOUT), in at most 32 MB per process.
recent = _Recent(max_bytes=32 * 1024 * 1024, timeout=TIMEOUT)


def cached[T](
    mission_id: int, name: str, build: Callable[[], T], *, per_language: bool = False
) -> T:
    language = get_language() if per_language else ""
    key = f"mm:{mission_id}:{mission_version(mission_id)}:{name}:{language}"
    value = recent.get(key)
    if value is not None:
        return value
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    recent.put(key, value)
    return value
