"""Checks of ``/healthz/ready`` about the apps (core/health.py runs them; the settings name
them)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from config.celery import app
from outbox.selectors import oldest_unsent_created_at


def broker() -> tuple[str, dict]:
    """The Celery broker takes a connection (without Redis: the in-memory broker, always up)."""
    with app.connection_for_write(connect_timeout=settings.HEALTHZ_TIMEOUT) as connection:
        connection.ensure_connection(max_retries=0)
    return "ok", {}


def outbox() -> tuple[str, dict]:
    """The age in seconds of the oldest e-mail not sent yet (queued or waiting for a retry);
    over ``HEALTHZ_OUTBOX_MAX_AGE`` the workers are down, stuck or cannot reach the mail server,
    and someone must look."""
    oldest = oldest_unsent_created_at()
    age = max((timezone.now() - oldest) // timedelta(seconds=1), 0) if oldest else None
    limit = settings.HEALTHZ_OUTBOX_MAX_AGE
    state = "ok" if age is None or age <= limit else f"error: an e-mail unsent for {age} s"
    return state, {"oldest_unsent_email_age": age}
