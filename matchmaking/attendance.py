"""Writes of attendance: the private calendar feed, the confirm-attendance link of the
confirmation e-mail, and the reminders of the day before."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from core.locking import retried
from core.templatetags.mission_time import tz_label
from missions.models import (
    MATCHMAKING_VISIBLE_STATUSES,
    Mission,
)
from outbox.services import email_send, phone_send, recipients_for_users

from .models import (
    CalendarFeed,
    Meeting,
    MeetingStatus,
    Side,
)
from .services import MEETING_CHANGED, MatchmakingError, _people, lock_meeting

# --- Calendar feed ----------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_renew(*, user: User) -> CalendarFeed:
    """Give the user a new private feed URL; the former one stops working at once."""
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token": secrets.token_urlsafe(32)}
    )
    return feed


# --- Attendance confirmation (the link of the confirmation e-mail) ------------------------------

ATTENDANCE_SALT = "matchmaking.attendance"
ATTENDANCE_MAX_AGE = timedelta(days=60)


class AttendanceLinkError(MatchmakingError):
    """The link cannot be used; ``status`` is the HTTP answer: 400 for a forged or damaged
    link, 410 for one that is gone (used, outdated, expired)."""

    def __init__(self, message: str, *, status: int = 410):
        super().__init__(message)
        self.status = status


def signed_link_read(token: str, *, salt: str, max_age: timedelta, error: type) -> dict:
    """The data of a link sent by e-mail, or ``error`` (a link error class with a ``status``)
    saying it expired (410) or is forged or damaged (400)."""
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise error(_("This link has expired.")) from exc
    except signing.BadSignature as exc:
        raise error(
            _("This link is not valid. Copy the whole address from the e-mail."), status=400
        ) from exc
    if not isinstance(data, dict):
        raise error(
            _("This link is not valid. Copy the whole address from the e-mail."), status=400
        )
    return data


READER_SALT = "matchmaking.link-reader"


def reader_digest(email: str) -> str:
    """Names the reader in a link without showing their address (links end up in logs): an
    HMAC keyed by the project's secret, so that an address cannot be guessed from it."""
    address = email.strip().lower()
    return salted_hmac(READER_SALT, address, algorithm="sha256").hexdigest()[:20]


def _plain_digest(email: str) -> str:
    """The unkeyed digest of the links mailed before the HMAC, accepted until they expire."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:20]


def link_reader(data: dict, meeting: Meeting) -> User | None:
    """The active member of either side of ``meeting`` whom a link's data names: by the digest
    of their address (``r``: the HMAC, or the plain SHA-256 of the links sent before it), or,
    in the feedback links sent before the digest, by the address itself (``e``); the older
    links keep working until they expire."""
    digest = data.get("r")
    if digest is None and isinstance(data.get("e"), str):
        digest = reader_digest(data["e"])
    if not isinstance(digest, str):
        return None
    readers = list(
        User.objects.filter(is_active=True).filter(
            Q(company_id=meeting.company_id) | Q(operator_id=meeting.operator_id)
        )
    )
    for named in (reader_digest, _plain_digest):
        reader = next((u for u in readers if constant_time_compare(named(u.email), digest)), None)
        if reader:
            return reader
    return None


def attendance_token(meeting: Meeting, email: str) -> str:
    """A signed token for one reader of one version of a meeting (its SEQUENCE)."""
    return signing.dumps(
        {"m": meeting.pk, "q": meeting.sequence, "r": reader_digest(email)}, salt=ATTENDANCE_SALT
    )


@dataclass(frozen=True)
class Attendance:
    meeting: Meeting
    side: str
    user: User

    @property
    def confirmed_at(self) -> datetime | None:
        """When this side confirmed (the link then shows that, not its button again)."""
        if self.side == Side.COMPANY:
            return self.meeting.company_confirmed_at
        return self.meeting.operator_confirmed_at


def _attendance_refusal(meeting: Meeting | None, sequence) -> str | None:
    if meeting is None:
        return _("This meeting no longer exists.")
    if meeting.status == MeetingStatus.CANCELLED:
        return _("This meeting has been cancelled.")
    if meeting.sequence != sequence:
        return _("This meeting has changed since this e-mail. Use the link of the latest one.")
    if meeting.slot.ends_at <= timezone.now():
        return _("This meeting is over.")
    return None


def attendance_check(token: str) -> Attendance:
    """The meeting and side a link confirms, or AttendanceLinkError with the reason."""
    data = signed_link_read(
        token, salt=ATTENDANCE_SALT, max_age=ATTENDANCE_MAX_AGE, error=AttendanceLinkError
    )
    meeting = (
        Meeting.objects.select_related("mission", "company", "operator", "slot", "table")
        .filter(pk=data.get("m"))
        .first()
    )
    if refusal := _attendance_refusal(meeting, data.get("q")):
        raise AttendanceLinkError(refusal)
    user = link_reader(data, meeting)
    if user is None:
        raise AttendanceLinkError(_("This link is no longer valid for your account."))
    side = Side.COMPANY if user.company_id == meeting.company_id else Side.OPERATOR
    return Attendance(meeting=meeting, side=side, user=user)


@retried(lambda: AttendanceLinkError(str(MEETING_CHANGED), status=409))
def attendance_confirm(token: str) -> Attendance:
    """Record that one side will come. A link works once."""
    attendance = attendance_check(token)
    meeting = lock_meeting(attendance.meeting)
    # Checked again on the locked row: a cancellation or a move may have just committed.
    if refusal := _attendance_refusal(meeting, attendance.meeting.sequence):
        raise AttendanceLinkError(refusal)
    field = "company_confirmed_at" if attendance.side == Side.COMPANY else "operator_confirmed_at"
    if confirmed := getattr(meeting, field):
        zone = meeting.mission.tzinfo
        when = date_format(timezone.localtime(confirmed, zone), "DATETIME_FORMAT")
        raise AttendanceLinkError(
            _("This link has already been used: attendance was confirmed on %(when)s.")
            % {"when": f"{when}, {tz_label(meeting.mission.timezone, confirmed)}"}
        )
    setattr(meeting, field, timezone.now())
    meeting.save(update_fields=[field, "updated_at"])
    return Attendance(meeting=meeting, side=attendance.side, user=attendance.user)


# --- Reminders (Celery beat) ------------------------------------------------------------------

REMINDER_HOUR = 17  # local time of the mission, the day before
SUMMARY_HOUR = 7  # local time of the mission, the morning of the day


def _parties(mission: Mission, day) -> dict[tuple[str, int], list[Meeting]]:
    """Each firm's and each operator's meetings of ``day`` (mission time), in order."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=mission.tzinfo)
    meetings = (
        Meeting.objects.filter(
            mission=mission,
            slot__starts_at__gte=start,
            slot__starts_at__lt=start + timedelta(days=1),
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("company", "operator", "slot", "table")
        .order_by("slot__starts_at")
    )
    by_party: dict[tuple[str, int], list[Meeting]] = {}
    for meeting in meetings:
        by_party.setdefault((Side.COMPANY, meeting.company_id), []).append(meeting)
        by_party.setdefault((Side.OPERATOR, meeting.operator_id), []).append(meeting)
    return by_party


def reminders_send(*, now: datetime | None = None) -> int:
    """Remind each participant, from 17:00 (mission time) the day before each B2B day, of that
    day's meetings, by e-mail and on the phone of those who asked. Run often by Celery beat: the
    outbox's keys make a second run send nothing."""
    now = now or timezone.now()
    sent = 0
    missions = Mission.objects.filter(status__in=MATCHMAKING_VISIBLE_STATUSES)
    for mission in missions:
        local_now = timezone.localtime(now, mission.tzinfo)
        if local_now.hour < REMINDER_HOUR:
            continue
        day = local_now.date() + timedelta(days=1)
        for (side, party_id), party_meetings in _parties(mission, day).items():
            first = party_meetings[0]
            recipients = recipients_for_users(_people(side, first.company, first.operator))
            event = f"meeting-reminder:{mission.pk}:{day.isoformat()}:{side}:{party_id}"
            context = {"mission": mission, "day": day, "meetings": party_meetings}
            email_send(
                event=event,
                mission=mission,
                recipients=recipients,
                template="meeting_reminder",
                context=context,
            )
            phone_send(
                event=event,
                mission=mission,
                recipients=recipients,
                template="meeting_reminder",
                context=context,
            )
            sent += len(recipients)
    return sent


def summaries_send(*, now: datetime | None = None) -> int:
    """The morning of each B2B day, from 07:00 (mission time) until a participant's first
    meeting starts: "3 meetings today, first at 09:30, table 4", on the phone of those who
    asked, once per participant and day (the outbox's keys). A message that cannot reach the
    phone is e-mailed instead."""
    now = now or timezone.now()
    sent = 0
    for mission in Mission.objects.filter(status__in=MATCHMAKING_VISIBLE_STATUSES):
        local_now = timezone.localtime(now, mission.tzinfo)
        if local_now.hour < SUMMARY_HOUR:
            continue
        day = local_now.date()
        for (side, party_id), party_meetings in _parties(mission, day).items():
            first = party_meetings[0]
            if first.slot.starts_at <= now:
                continue
            recipients = recipients_for_users(_people(side, first.company, first.operator))
            phone_send(
                event=f"day-summary:{mission.pk}:{day.isoformat()}:{side}:{party_id}",
                mission=mission,
                recipients=recipients,
                template="meeting_reminder",
                context={"mission": mission, "day": day, "meetings": party_meetings, "today": True},
                email_template="meeting_reminder",
            )
            sent += sum(1 for r in recipients if r.channel)
    return sent
