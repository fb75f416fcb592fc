"""Checks of ``/healthz`` about the apps (core/health.py runs them; the settings name them)."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from outbox.models import Email, EmailStatus


def outbox() -> tuple[str, dict]:
    """The age in seconds of the oldest e-mail not sent yet (queued or waiting for a retry);
    over ``HEALTHZ_OUTBOX_MAX_AGE`` the workers are down, stuck or cannot reach the mail server,
    and someone must look."""
    oldest = Email.objects.filter(status__in=[EmailStatus.PENDING, EmailStatus.RETRYING]).aggregate(
        oldest=Min("created_at")
    )["oldest"]
    age = max((timezone.now() - oldest) // timedelta(seconds=1), 0) if oldest else None
    limit = settings.HEALTHZ_OUTBOX_MAX_AGE
    state = "ok" if age is None or age <= limit else f"error: an e-mail unsent for {age} s"
    return state, {"oldest_unsent_email_age": age}
