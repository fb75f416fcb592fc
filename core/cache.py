"""The read cache: entries keyed by version counters that every change bumps after its commit,
as pretix's ``NamespacedCache`` does: older entries become unreachable and expire unread.

A ``stamp`` joins, in one round trip, the versions of the site (sector names), of a mission,
and of its scopes that change more often: its ``ACTIVITY`` (meetings, requests, availability)
and one per firm or operator (``party``). ``matchmaking/freshness.py`` bumps them from model
signals. Templates cache what is the same for every reader with ``{% cache TIMEOUT name stamp
... %}``; ``cached`` keeps computed values. The release is in every key (``KEY_PREFIX``).

A request reads each version once, like a snapshot, but sees its own bumps (a booking, then its
page). Outside requests (tasks, commands, shells) nothing is kept.
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


def stamp(mission_id: int | None = None, *scopes: str) -> str:
    """The versions of the site, the mission and its ``scopes``, as one string for keys. A missing
    counter starts at the clock: a fresh start never meets entries made before it."""
    keys = [_key()] if mission_id is None else [_key(), _key(mission_id)]
    keys += [_key(mission_id, scope) for scope in scopes]
    known = getattr(_request, "versions", None)
    found = {key: known[key] for key in keys if key in known} if known is not None else {}
    if missing := [key for key in keys if key not in found]:
        found.update(cache.get_many(missing))
    for key in set(missing) - found.keys():
        cache.add(key, time.time_ns(), None)
        found[key] = cache.get(key)
    if known is not None:
        known.update(found)
    return ",".join(f"{key}={found[key]}" for key in keys)


def expire(mission_id: int | None = None, *scopes: str) -> None:
    """On commit, expire the mission's ``scopes`` (all of it without; the site without mission)."""
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
    """The value ``name``, built by ``build`` if missing, until the mission or ``scopes`` change."""
    language = get_language() if per_language else ""
    key = f"entry:{name}:{language}:{stamp(mission_id, *scopes)}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value
