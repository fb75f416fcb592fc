"""Reads of the API: what each list serves, with its own prefetching, and cursor pagination.

Every list is ordered by the moment its rows last changed (``changed``), then by id, and a page
ends with a cursor naming its last row: the next page starts after it, so rows that change
while a client pages through are neither skipped nor served twice on the same pass (a row that
changes moves to the end, where the client meets it again, newer). ``changed`` is the latest
``updated_at`` of the row and of what it shows from other rows (the firm of an application); the
receivers of ``api.receivers`` make every save move ``updated_at``, including the saves that
name their fields and the changes of rows without a timestamp (programme items, delegates,
contacts), which move their parent's.
"""

import base64
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils.dateparse import parse_datetime

from accounts.models import User
from feedback.models import MeetingFeedback
from matchmaking.models import Meeting, MeetingRequest
from missions.models import (
    Application,
    ApplicationStatus,
    Mission,
    OperatorRegistration,
    RegistrationStatus,
)

MAX_LIMIT = 200


class CursorError(ValueError):
    pass


@dataclass(frozen=True)
class Page:
    items: list
    next_cursor: str | None


def cursor_encode(changed: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{changed.isoformat()}|{pk}".encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> tuple[datetime, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        changed, pk = text.split("|")
        when = parse_datetime(changed)
        if when is None or when.tzinfo is None:
            raise ValueError(changed)
        return when, int(pk)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CursorError(cursor) from exc


def paginate(rows: QuerySet, *, cursor: str | None, limit: int) -> Page:
    """One page of ``rows`` (annotated with ``changed``), after ``cursor``."""
    rows = rows.order_by("changed", "pk")
    if cursor:
        changed, pk = cursor_decode(cursor)
        rows = rows.filter(Q(changed__gt=changed) | Q(changed=changed, pk__gt=pk))
    items = list(rows[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    last = items[-1] if more else None
    return Page(items=items, next_cursor=cursor_encode(last.changed, last.pk) if last else None)


def _since(rows: QuerySet, since: datetime | None) -> QuerySet:
    return rows.filter(changed__gte=since) if since else rows


def missions(*, since: datetime | None = None) -> QuerySet[Mission]:
    rows = Mission.objects.annotate(changed=F("updated_at")).prefetch_related("programme")
    return _since(rows, since)


def mission_by_slug(slug: str) -> Mission | None:
    return Mission.objects.prefetch_related("programme").filter(slug=slug).first()


CONTACT_FIELDS = (
    "pk", "email", "full_name", "phone", "language", "job_title", "languages", "other_languages",
    "company_id", "operator_id",
)  # fmt: skip


def _contacts(prefix: str) -> Prefetch:
    return Prefetch(
        prefix,
        queryset=User.objects.filter(is_active=True).order_by("pk").only(*CONTACT_FIELDS),
        to_attr="contact_list",
    )


def firms(
    *, mission: Mission | None, since: datetime | None, contacts: bool
) -> QuerySet[Application]:
    """The approved firms of a mission (one row per application). With ``since``, also the
    applications that stopped being approved since then, so that a client learns a firm left."""
    rows = Application.objects.select_related("mission", "company").prefetch_related(
        "company__sectors"
    )
    if contacts:
        rows = rows.prefetch_related("delegates", _contacts("company__members"))
    if mission is not None:
        rows = rows.filter(mission=mission)
    rows = rows.annotate(changed=Greatest("updated_at", "company__updated_at"))
    if since:
        return rows.filter(changed__gte=since)
    return rows.filter(status=ApplicationStatus.APPROVED)


def operators(
    *, mission: Mission | None, since: datetime | None, contacts: bool
) -> QuerySet[OperatorRegistration]:
    """The confirmed operators of a mission; with ``since``, also those no longer confirmed."""
    rows = OperatorRegistration.objects.select_related("mission", "operator").prefetch_related(
        "operator__sectors"
    )
    if contacts:
        rows = rows.prefetch_related(_contacts("operator__contacts"))
    if mission is not None:
        rows = rows.filter(mission=mission)
    # A registration changes only when it is decided (decided_at moves).
    rows = rows.annotate(
        changed=Greatest(Coalesce("decided_at", "created_at"), "created_at", "operator__updated_at")
    )
    if since:
        return rows.filter(changed__gte=since)
    return rows.filter(status=RegistrationStatus.CONFIRMED)


def meetings(*, mission: Mission | None, since: datetime | None) -> QuerySet[Meeting]:
    rows = Meeting.objects.select_related("mission", "slot__session", "table").annotate(
        changed=F("updated_at")
    )
    if mission is not None:
        rows = rows.filter(mission=mission)
    return _since(rows, since)


def requests(*, mission: Mission | None, since: datetime | None) -> QuerySet[MeetingRequest]:
    rows = MeetingRequest.objects.select_related("mission").annotate(changed=F("updated_at"))
    if mission is not None:
        rows = rows.filter(mission=mission)
    return _since(rows, since)


def feedback(*, mission: Mission | None, since: datetime | None) -> QuerySet[MeetingFeedback]:
    rows = MeetingFeedback.objects.select_related("meeting__mission").annotate(
        changed=F("updated_at")
    )
    if mission is not None:
        rows = rows.filter(meeting__mission=mission)
    return _since(rows, since)
