"""Emptying every cache of the product between tests or measurements: the shared cache and the
process's own memos of it."""

from django.core.cache import cache

from matchmaking import selectors
from matchmaking.cache import recent


def clear_caches() -> None:
    cache.clear()
    recent.clear()
    selectors._mission_ids.clear()
    selectors._sector_names.clear()
