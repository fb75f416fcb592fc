"""Celery tasks of the schedule proposals."""

from celery import shared_task

from .services import proposal_compute


@shared_task(name="proposals.compute", ignore_result=True)
def proposal_compute_task(*, proposal_id: int) -> str:
    """Compute a schedule proposal (queued after ``proposal_start`` commits)."""
    proposal = proposal_compute(proposal_id=proposal_id)
    return proposal.status if proposal else "gone"
