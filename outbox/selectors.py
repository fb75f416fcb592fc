"""Reads of the outbox for staff."""

from django.db.models import Case, Count, Min, QuerySet, Value, When

from .models import Email, EmailStatus


def delivery_counts(*, mission) -> dict[str, int]:
    """How many messages of the mission are in each state (every state present, 0 if none)."""
    counts = dict.fromkeys(EmailStatus.values, 0)
    rows = Email.objects.filter(mission=mission).values("status").annotate(n=Count("pk"))
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def mission_emails(*, mission, status: str = "", search: str = "") -> QuerySet[Email]:
    emails = Email.objects.filter(mission=mission).only(
        "pk", "key", "to_email", "to_name", "language", "template", "subject", "status",
        "attempts", "next_attempt_at", "last_error", "created_at", "sent_at", "mission_id",
    )  # fmt: skip
    if status in EmailStatus.values:
        emails = emails.filter(status=status)
    if search:
        emails = emails.filter(to_email__icontains=search.strip())
    if status:
        return emails.order_by("-created_at", "-pk")
    # Failed messages first (they need staff), then those still on their way, then the rest.
    attention = Case(
        When(status=EmailStatus.FAILED, then=Value(0)),
        When(status__in=[EmailStatus.RETRYING, EmailStatus.PENDING], then=Value(1)),
        default=Value(2),
    )
    return emails.order_by(attention, "-created_at", "-pk")


def oldest_unsent_created_at():
    """When the oldest message still waiting to leave (queued or retrying) was written; None if
    every message has left or given up. Read by the readiness check (``/healthz/ready``)."""
    return Email.objects.filter(status__in=[EmailStatus.PENDING, EmailStatus.RETRYING]).aggregate(
        oldest=Min("created_at")
    )["oldest"]
