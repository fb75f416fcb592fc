"""A read cache for the busiest pages of a mission (booking page, directory, agenda, cockpit).

Every entry is keyed by *versions*: counters that writes bump after their commit, so that a bump
makes every former entry unreachable and nothing stale is served after a change; entries also
expire after a few minutes. Three kinds of versions, so that the busiest write (a booking) does
not expire what it does not change:

- the mission's version, bumped by ``mission_changed`` after anything that may change every page
  (sessions, decisions on firms and operators, profiles, a published schedule): every entry
  holds it;
- the mission's *activity* version, bumped by ``meetings_changed`` after a meeting, a request or
  an availability changes: held by mission-wide views of the meetings (tables taken per slot, the
  cockpit);
- one version per firm and per operator, bumped by ``meetings_changed`` for the parties of the
  change: held by what shows one party's meetings and requests (its agenda, its busy slots, its
  directory flags).

With several processes the cache must be shared (Redis, as in production): a per-process memory
cache would miss other processes' bumps. Each process also keeps copies of the entries it used
last (``recent``): their keys hold the versions, so a copy can never be stale, and a page then
costs one round trip to Redis (its versions) instead of one per entry. Keys also hold a stamp of
the release: what an entry holds follows the code and templates, so that the processes of a new
release never read the entries of the former one.
"""

import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

from core.release import stamp as release_stamp

TIMEOUT = 300
RELEASE = release_stamp(settings.BASE_DIR)

# Within one request each version is read once (a page reads it for every entry).
_versions: ContextVar[dict[str, int] | None] = ContextVar("mission_versions", default=None)


class RequestVersionsMiddleware:
    """Gives each request its own memo of versions, forgotten when it ends."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _versions.set({})
        try:
            return self.get_response(request)
        finally:
            _versions.reset(token)


def _version_key(mission_id: int, scope: str = "") -> str:
    return f"mm:version:{mission_id}{scope}"


ACTIVITY = ":activity"


def _party_scope(side: str, pk: int) -> str:
    return f":{side}:{pk}"


def versions(keys: list[str], *, create: bool = True) -> list[int | None]:
    """The current value of each version key, read in one round trip, then remembered until the
    request ends (outside a request, read every time). A missing key is created, unless
    ``create`` is false (its value is then None, and it is not remembered)."""
    memo = _versions.get()
    if memo is None:
        memo = {}
    missing = [key for key in keys if key not in memo]
    if missing:
        found = cache.get_many(missing)
        for key in missing if create else ():
            if key not in found:
                # A fresh start (or an evicted counter) must not meet entries of an older start.
                cache.add(key, time.time_ns(), None)
                found[key] = cache.get(key, 0)
        memo.update(found)
    return [memo.get(key) for key in keys]


def _bump(keys: Iterable[str]) -> None:
    keys = sorted(keys)
    memo = _versions.get()
    for key in keys if memo else ():
        memo.pop(key, None)  # this request's own write: read the new version next
    start = time.time_ns()  # a counter that is missing starts anew (see ``versions``)
    if hasattr(cache, "incr_counters"):  # Redis: all of them in one round trip
        cache.incr_counters(keys, start=start)
        return
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, start, None)


def mission_changed(*mission_ids: int) -> None:
    """Call inside the write's transaction: every entry of the missions expires when it
    commits."""
    keys = [_version_key(mission_id) for mission_id in set(mission_ids)]
    transaction.on_commit(lambda: _bump(keys))


def meetings_changed(mission_id: int, *, parties: Iterable[tuple[str, int]]) -> None:
    """Call inside the write's transaction when meetings, requests or availability of
    ``parties`` (``(side, pk)`` pairs) change: the mission-wide views of the meetings and those
    parties' own entries expire when it commits; the rest of the mission stays cached."""
    keys = {_version_key(mission_id, ACTIVITY)}
    keys.update(_version_key(mission_id, _party_scope(side, pk)) for side, pk in parties)
    transaction.on_commit(lambda: _bump(keys))


class _Recent:
    """This process's copies of recent entries, in front of the shared cache. An entry's key
    holds its versions, so a copy is never stale: a change makes a new key. Copies are kept
    pickled (the same bytes as in the shared cache), so that no caller can alter another
    request's value."""

    def __init__(self, *, max_bytes: int, timeout: float):
        self.max_bytes, self.timeout = max_bytes, timeout
        self.entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self.bytes = 0
        self.lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            if entry[0] < time.monotonic():  # as old as the shared entry's lifetime
                self._drop(key)
                return None
            self.entries.move_to_end(key)
        return entry[1]

    def put(self, key: str, data: bytes) -> None:
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


# Other memos each process keeps between requests (see ``process_memo``).
_memos: list[dict] = []


def process_memo() -> dict:
    """A dict that this process keeps between requests (its user must keep it fresh), emptied
    with everything else by ``clear_all``."""
    memo: dict = {}
    _memos.append(memo)
    return memo


def clear_all() -> None:
    """Empty the shared cache and everything this process keeps (tests, benchmarks' cold
    measurements)."""
    cache.clear()
    recent.clear()
    for memo in _memos:
        memo.clear()


def _keys(mission_id: int, *, activity: bool, parties: Iterable[tuple[str, int]]) -> list[str]:
    keys = [_version_key(mission_id)]
    if activity:
        keys.append(_version_key(mission_id, ACTIVITY))
    keys.extend(_version_key(mission_id, _party_scope(*party)) for party in parties)
    return keys


def read_versions(
    mission_id: int,
    *,
    activity: bool = False,
    parties: Iterable[tuple[str, int]] = (),
    create: bool = True,
) -> None:
    """Read these versions now, in one round trip, for a page about to read several entries
    that hold them (each entry would otherwise read the ones it lacks). ``create=False`` for
    keys made from ids not checked yet: those missing are left to the entry that needs them."""
    versions(_keys(mission_id, activity=activity, parties=parties), create=create)


def cached[T](
    mission_id: int,
    name: str,
    build: Callable[[], T],
    *,
    per_language: bool = False,
    activity: bool = False,
    party: tuple[str, int] | None = None,
) -> T:
    """The entry ``name`` of the mission, built by ``build`` when missing. It expires with the
    mission's version, and also with its activity version (``activity``) or with one party's
    version (``party``): say which its content depends on."""
    keys = _keys(mission_id, activity=activity, parties=[party] if party else [])
    stamp = ".".join(map(str, versions(keys)))
    language = get_language() if per_language else ""
    key = f"mm:{RELEASE}:{mission_id}:{stamp}:{name}:{language}"
    data = recent.get(key)
    if data is None:
        # The shared cache holds the pickled bytes too: one pickling per build, not two.
        data = cache.get(key)
        if data is None:
            data = pickle.dumps(build(), pickle.HIGHEST_PROTOCOL)
            cache.set(key, data, TIMEOUT)
        recent.put(key, data)
    return pickle.loads(data)  # noqa: S301  (bytes this project pickled)
