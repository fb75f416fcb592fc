"""Celery tasks of matchmaking."""

from celery import shared_task

from .attendance import reminders_send, summaries_send


@shared_task(name="matchmaking.reminders", ignore_result=True)
def meeting_reminders() -> int:
    """The day-before reminders and the morning's summaries (Celery beat, every quarter of an
    hour; idempotent)."""
    return reminders_send() + summaries_send()
