"""Reads of the outbox for staff."""

from django.db.models import Case, Count, Min, Q, QuerySet, Value, When

from .models import Channel, Email, EmailStatus


def delivery_counts(*, mission) -> dict[str, int]:
    """How many messages of the mission are in each state (every state present, 0 if none)."""
    counts = dict.fromkeys(EmailStatus.values, 0)
    rows = Email.objects.filter(mission=mission).values("status").annotate(n=Count("pk"))
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def mission_emails(
    *, mission, status: str = "", search: str = "", channel: str = ""
) -> QuerySet[Email]:
    """The mission's messages of every channel (e-mail, WhatsApp, SMS)."""
    emails = Email.objects.filter(mission=mission).only(
        "pk", "key", "channel", "to_email", "to_phone", "to_name", "language", "template",
        "subject", "status", "attempts", "next_attempt_at", "last_error", "created_at",
        "sent_at", "mission_id", "provider", "receipt", "fallback_of_id",
    )  # fmt: skip
    if status in EmailStatus.values:
        emails = emails.filter(status=status)
    if channel in Channel.values:
        emails = emails.filter(channel=channel)
    if search:
        search = search.strip()
        emails = emails.filter(Q(to_email__icontains=search) | Q(to_phone__contains=search))
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
