"""The read cache: entries keyed by version counters that every change bumps after its commit, as
pretix's ``NamespacedCache`` does. A bump makes every older entry unreachable (it expires
unread), so nothing stale is served and nothing needs to be deleted.

The versions of a page, read in one round trip and joined into its ``stamp``:

- the site's, for what every mission shows (the sectors' names);
- the mission's, for everything about it (its sessions, firms and operators, their profiles);
- scopes of the mission, for what changes more often: its ``ACTIVITY`` (any meeting, request or
  availability of it: tables taken, the cockpit) and one per firm or operator (``party``: that
  party's own meetings, requests and availability), so that a booking does not expire the rest.

Who bumps: ``matchmaking/freshness.py``, from model signals. Templates cache what is the same
for every reader with ``{% cache TIMEOUT name stamp ... %}``; ``cached`` keeps computed values.
Entries also expire after ``TIMEOUT``. The release is part of every key (``KEY_PREFIX``), so a
new release never reads what another release cached.

Within one request each version is read once (the page's many entries and fragments would
otherwise read them again each time, a Redis round trip each): the request sees the versions of
its start, like a snapshot, and a bump made by the request itself (a booking, then its page)
replaces the bumped versions at once, so the request never serves what it has just changed.
Outside requests (tasks, commands, shells) nothing is remembered.
"""

import time
from collections.abc import Callable, Iterable
from contextlib import suppress

from asgiref.local import Local
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.dispatch import receiver
from django.utils.translation import get_language

TIMEOUT = 300
ACTIVITY = "activity"
_MISSING = object()
_request = Local()  # .versions: the versions read in the current request (None outside one)


@receiver(request_started)
def _remember_versions(**kwargs) -> None:
    _request.versions = {}


@receiver(request_finished)
def _forget_versions(**kwargs) -> None:
    _request.versions = None


def party(side: str, pk: int) -> str:
    """The scope of one firm (``side`` "company") or operator of a mission."""
    return f"{side}:{pk}"


def _key(mission_id: int | None = None, scope: str = "") -> str:
    if mission_id is None:
        return "version:site"
    return f"version:{mission_id}:{scope}" if scope else f"version:{mission_id}"


def _keys(mission_id: int | None, scopes: Iterable[str]) -> list[str]:
    if mission_id is None:
        return [_key()]
    return [_key(), _key(mission_id), *(_key(mission_id, scope) for scope in scopes)]


def stamp(mission_id: int | None = None, *scopes: str) -> str:
    """The current versions of the site, the mission and its ``scopes``, as one string for
    keys. A counter that is missing starts at the clock, so that a fresh start (or an
    evicted counter) never meets entries made before it."""
    keys = _keys(mission_id, scopes)
    known = getattr(_request, "versions", None)
    found = {key: known[key] for key in keys if key in known} if known is not None else {}
    if missing := [key for key in keys if key not in found]:
        found.update(cache.get_many(missing))
    for key in missing:
        if key not in found:
            cache.add(key, time.time_ns(), None)
            found[key] = cache.get(key)
    if known is not None:
        known.update(found)
    # Which counters too: two counters (of two missions, or two parties) may hold one value.
    return ",".join(f"{key}={found[key]}" for key in keys)


def expire(mission_id: int | None = None, *scopes: str) -> None:
    """Expire, when the current transaction commits, what holds the mission's ``scopes`` (or
    the whole mission without scopes; the whole site without a mission)."""
    keys = [_key(mission_id, scope) for scope in scopes] or [_key(mission_id)]

    def bump() -> None:
        known = getattr(_request, "versions", None)
        for key in keys:
            with suppress(ValueError):  # missing: ``stamp`` starts it again
                cache.incr(key)
            if known is not None:
                known.pop(key, None)  # this request reads its own change

    transaction.on_commit(bump)


def cached[T](
    name: str,
    build: Callable[[], T],
    *,
    mission_id: int | None = None,
    scopes: Iterable[str] = (),
    per_language: bool = False,
) -> T:
    """The value ``name``, built by ``build`` when missing; it expires with the versions of
    the mission and ``scopes`` it depends on."""
    language = get_language() if per_language else ""
    key = f"entry:{name}:{language}:{stamp(mission_id, *scopes)}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value
