"""The checks of ``/healthz``. Each is a function that returns ``(state, figures)``: the state is
"ok" or "error: <why>", the figures a dict of numbers reported beside it. ``HEALTH_CHECKS`` in
the settings names them (dotted paths, so that a check about a higher app lives with it and
this floor imports nothing above it)."""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils.module_loading import import_string

Check = Callable[[], tuple[str, dict]]


def database() -> tuple[str, dict]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok", {}


def cache_roundtrip() -> tuple[str, dict]:
    cache.set("healthz", "ok", 5)
    return ("ok" if cache.get("healthz") == "ok" else "error"), {}


def run_checks() -> tuple[bool, dict]:
    """(healthy, the answer's body): every check's state under its name, and its figures."""
    body: dict = {}
    for name, path in settings.HEALTH_CHECKS.items():
        check: Check = import_string(path)
        try:
            state, figures = check()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            state, figures = f"error: {exc.__class__.__name__}", {}
        body[name] = state
        body.update(figures)
    healthy = all(body[name] == "ok" for name in settings.HEALTH_CHECKS)
    return healthy, body
