"""Celery tasks of matchmaking."""

from celery import shared_task

from .feedback import feedback_requests_send
from .proposals import proposal_compute
from .services import reminders_send


@shared_task(name="matchmaking.reminders", ignore_result=True)
def meeting_reminders() -> int:
    """The day-before reminders (Celery beat, every quarter of an hour; idempotent)."""
    return reminders_send()


@shared_task(name="matchmaking.feedback_requests", ignore_result=True)
def feedback_requests_task() -> int:
    """Feedback requests, reminders and follow-up surveys (Celery beat, hourly; idempotent)."""
    return feedback_requests_send()


@shared_task(name="matchmaking.schedule", ignore_result=True)
def schedule_compute_task(proposal_id: int) -> str:
    """Compute a schedule proposal (queued by ``proposals.proposal_start`` after its commit)."""
    proposal = proposal_compute(proposal_id=proposal_id)
    return proposal.status if proposal else "gone"
