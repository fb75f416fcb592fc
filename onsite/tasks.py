"""Celery tasks of the day."""

from celery import shared_task

from .services import starts_settle


@shared_task(name="onsite.starts_settle", ignore_result=True)
def starts_settle_task() -> int:
    """Meetings scanned just before their slot become held once it begins (beat, every
    minute; idempotent)."""
    return starts_settle()
