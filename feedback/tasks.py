"""Celery tasks of feedback."""

from celery import shared_task

from .services import feedback_requests_send


@shared_task(name="feedback.requests", ignore_result=True)
def feedback_requests_task() -> int:
    """Feedback requests, reminders and follow-up surveys (Celery beat, hourly; idempotent)."""
    return feedback_requests_send()
