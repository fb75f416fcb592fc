"""Writes of the day: a badge or a meeting's code scanned, a person checked in at the door, a
meeting seated on the spot or moved from the floor board, a suspected no-show settled.

**Scans change state on GET.** A phone's camera app opens the code's URL, and nothing more:
the scan is the tap (Swapcard's one-tap attendance). That is safe because the signed value is
the proof (no cookie is needed, so there is nothing to forge across sites), the change is a
fact recorded once (the database refuses a second start of a meeting and a second check-in of a
person on a day), and it works only in the meeting's slot, widened by the margin staff set.

**A scan queued offline** (``static/onsite/sw.js``) is sent later with the time it was made.
That time is believed within bounds: not in the future, and at most ``OFFLINE_GRACE`` old when it
arrives; its window is then checked as for a scan made online.

Meetings change only through ``matchmaking.services``: a start marks the meeting held with
``meeting_outcome_set`` (so the report counts it with no typing), a seat on the spot is a
``meeting_book`` with ``on_the_spot=True``, a move ``meeting_staff_move``.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from accounts.models import User
from companies.models import Company, Operator
from matchmaking import services as mm
from matchmaking.models import Meeting, MeetingStatus, Origin, Slot, Table
from missions.models import Delegate, Mission, MissionStatus

from .codes import CodeError, badge_read, meeting_read
from .models import Floor, MeetingStart, Presence, Via

OFFLINE_GRACE = timedelta(hours=6)
CLOCK_SKEW = timedelta(minutes=2)
DEFAULT_MARGIN = 10
# A mission whose day may be under way: scans, check-ins and seats work only then.
ON_THE_DAY = (MissionStatus.PUBLISHED, MissionStatus.RUNNING)
NOT_YET_TAKEN_PLACE = (MeetingStatus.CONFIRMED, MeetingStatus.PROPOSED)


class ScanRefused(Exception):
    """The scan changes nothing; ``message`` says why, ``status`` is the HTTP answer: 400 for a
    code that is not ours or not of this mission, 409 for one that is early or names nobody
    due now, 410 for one that is too late or outdated."""

    def __init__(self, message: str, *, status: int = 409, meeting: Meeting | None = None):
        super().__init__(message)
        self.message, self.status, self.meeting = message, status, meeting


FORGED = 400
EARLY = 409
GONE = 410


@dataclass(frozen=True)
class Scan:
    meeting: Meeting
    start: MeetingStart
    created: bool  # False: the meeting had already started (a replay, or the other side)


@dataclass(frozen=True)
class CheckIn:
    presence: Presence
    created: bool
    name: str
    organisation: str


# --- Settings -----------------------------------------------------------------------------------


def floor_margin(mission: Mission) -> timedelta:
    floor = Floor.objects.filter(mission=mission).first()
    return timedelta(minutes=floor.scan_margin_minutes if floor else DEFAULT_MARGIN)


def floor_set(*, mission: Mission, margin_minutes: int) -> Floor:
    floor, _created = Floor.objects.update_or_create(
        mission=mission, defaults={"scan_margin_minutes": margin_minutes}
    )
    return floor


# --- Scans --------------------------------------------------------------------------------------


def _local(moment: datetime, mission: Mission) -> str:
    return time_format(timezone.localtime(moment, mission.tzinfo), "H:i")


def _scan_time(at: datetime | None, now: datetime) -> datetime:
    """When the scan was made: now, or the time a queued scan says, within bounds."""
    if at is None:
        return now
    if at > now + CLOCK_SKEW:
        raise ScanRefused(
            _("This scan is dated in the future. Check the phone's clock."), status=FORGED
        )
    if at < now - OFFLINE_GRACE:
        raise ScanRefused(
            _("This scan was made too long ago to be recorded. Ask the staff."), status=GONE
        )
    return at


def _check_mission(mission: Mission, code_mission_id: int) -> None:
    if code_mission_id != mission.pk:
        raise ScanRefused(_("This code belongs to another mission."), status=FORGED)
    if mission.status not in ON_THE_DAY:
        raise ScanRefused(_("This mission is not under way: codes do not work now."), status=GONE)


def _check_window(meeting: Meeting, at: datetime, margin: timedelta) -> None:
    slot, mission = meeting.slot, meeting.mission
    if at < slot.starts_at - margin:
        raise ScanRefused(
            _("This code is for the meeting at %(time)s: it works from %(from)s.")
            % {
                "time": _local(slot.starts_at, mission),
                "from": _local(slot.starts_at - margin, mission),
            },
            status=EARLY,
            meeting=meeting,
        )
    if at > slot.ends_at + margin:
        raise ScanRefused(
            _("This code was for the meeting at %(time)s, which is over.")
            % {"time": _local(slot.starts_at, mission)},
            status=GONE,
            meeting=meeting,
        )


def _meetings():
    return Meeting.objects.select_related(
        "mission", "company", "operator", "delegate", "slot__session", "table"
    )


@transaction.atomic
def meeting_start(*, meeting: Meeting, at: datetime, via: str, by: User | None = None) -> Scan:
    """Record that ``meeting`` started (once: a second scan returns the first start), and mark
    it held once its slot has begun. The caller checked the time window."""
    meeting = mm.lock_meeting(meeting)
    if not meeting.is_active:
        raise ScanRefused(_("This meeting has been cancelled."), status=GONE, meeting=meeting)
    if existing := MeetingStart.objects.filter(meeting=meeting).first():
        return Scan(meeting=meeting, start=existing, created=False)
    try:
        with transaction.atomic():
            start = MeetingStart.objects.create(meeting=meeting, scanned_at=at, via=via, by=by)
    except IntegrityError:  # another scan of this meeting committed first
        return Scan(meeting=meeting, start=MeetingStart.objects.get(meeting=meeting), created=False)
    if meeting.status in NOT_YET_TAKEN_PLACE and meeting.slot.starts_at <= timezone.now():
        meeting = mm.meeting_outcome_set(meeting=meeting, status=MeetingStatus.HELD, by=by)
    return Scan(meeting=meeting, start=start, created=True)


def meeting_code_scan(
    *, mission: Mission, token: str, at: datetime | None = None, by: User | None = None
) -> Scan:
    """A participant scanned a meeting's code (printed agenda, or shown on the other side's
    phone): the meeting starts, for both sides."""
    now = timezone.now()
    try:
        code = meeting_read(token)
    except CodeError:
        raise ScanRefused(_("This code is not one of ours."), status=FORGED) from None
    _check_mission(mission, code.mission_id)
    at = _scan_time(at, now)
    meeting = _meetings().filter(pk=code.meeting_id, mission=mission).first()
    if meeting is None or not meeting.is_active:
        raise ScanRefused(_("This meeting has been cancelled."), status=GONE, meeting=meeting)
    if meeting.sequence != code.sequence:
        raise ScanRefused(
            _(
                "This meeting has moved since this agenda was printed: it is now at %(time)s, "
                "table %(table)s."
            )
            % {"time": _local(meeting.slot.starts_at, mission), "table": meeting.table.number},
            status=GONE,
            meeting=meeting,
        )
    _check_window(meeting, at, floor_margin(mission))
    return meeting_start(meeting=meeting, at=at, via=Via.AGENDA, by=by)


@dataclass(frozen=True)
class Person:
    name: str
    organisation: str
    delegate: Delegate | None = None
    contact: User | None = None

    @property
    def operator_id(self):
        return self.contact.operator_id if self.contact else None


def _person(mission: Mission, token: str) -> Person:
    try:
        code = badge_read(token)
    except CodeError:
        raise ScanRefused(_("This code is not one of ours."), status=FORGED) from None
    _check_mission(mission, code.mission_id)
    if code.delegate_id:
        delegate = (
            Delegate.objects.select_related("application__company")
            .filter(
                pk=code.delegate_id,
                application__mission=mission,
                application__status="approved",
            )
            .first()
        )
        if delegate:
            company = delegate.application.company
            return Person(delegate.full_name, company.display_name, delegate=delegate)
    else:
        contact = (
            User.objects.select_related("operator")
            .filter(
                pk=code.contact_id,
                is_active=True,
                operator__registrations__mission=mission,
                operator__registrations__status="confirmed",
            )
            .first()
        )
        if contact:
            name = contact.full_name or contact.email
            return Person(name, contact.operator.name, contact=contact)
    raise ScanRefused(_("This badge's holder no longer takes part in the mission."), status=GONE)


def badge_scan(
    *, mission: Mission, token: str, at: datetime | None = None, by: User | None = None
) -> Scan:
    """A participant scanned the other side's badge at the table: the badge holder's meeting of
    the moment starts (a delegate or an operator is in one meeting per slot at most)."""
    now = timezone.now()
    person = _person(mission, token)
    at = _scan_time(at, now)
    margin = floor_margin(mission)
    mine = _meetings().filter(mission=mission).exclude(status=MeetingStatus.CANCELLED)
    if person.delegate:
        mine = mine.filter(delegate=person.delegate)
    else:
        mine = mine.filter(operator_id=person.operator_id)
    near = mine.filter(slot__starts_at__lte=at + margin, slot__ends_at__gte=at - margin)
    # Of two meetings within the margins (the one ending, the next one), the one whose slot
    # holds the moment of the scan, else the next one.
    meeting = min(
        near,
        key=lambda m: (not (m.slot.starts_at <= at < m.slot.ends_at), m.slot.starts_at),
        default=None,
    )
    if meeting is None:
        upcoming = mine.filter(slot__starts_at__gt=at).order_by("slot__starts_at").first()
        if upcoming:
            raise ScanRefused(
                _("%(name)s has no meeting now; the next one is at %(time)s.")
                % {"name": person.name, "time": _local(upcoming.slot.starts_at, mission)},
                status=EARLY,
            )
        raise ScanRefused(_("%(name)s has no meeting now.") % {"name": person.name}, status=GONE)
    return meeting_start(meeting=meeting, at=at, via=Via.BADGE, by=by)


@transaction.atomic
def presence_record(
    *, mission: Mission, token: str, by: User, at: datetime | None = None
) -> CheckIn:
    """Staff at the door scanned a badge: its holder is present for the day (once a day)."""
    now = timezone.now()
    person = _person(mission, token)
    at = _scan_time(at, now)
    day = timezone.localtime(at, mission.tzinfo).date()
    who = (
        {"delegate": person.delegate}
        if person.delegate
        else {"contact": person.contact, "operator_id": person.operator_id}
    )
    key = {"day": day, **({"contact": person.contact} if person.contact else who)}
    if existing := Presence.objects.filter(**key).first():
        return CheckIn(existing, False, person.name, person.organisation)
    try:
        with transaction.atomic():
            presence = Presence.objects.create(
                mission=mission, day=day, checked_in_at=at, by=by, **who
            )
    except IntegrityError:  # the same badge at two doors at once
        return CheckIn(Presence.objects.get(**key), False, person.name, person.organisation)
    return CheckIn(presence, True, person.name, person.organisation)


def starts_settle(*, now: datetime | None = None) -> int:
    """Meetings scanned in the margin before their slot are marked held once it has begun
    (Celery beat, every minute)."""
    now = now or timezone.now()
    pending = Meeting.objects.filter(
        start__isnull=False, status__in=NOT_YET_TAKEN_PLACE, slot__starts_at__lte=now
    ).select_related("start")
    count = 0
    for meeting in pending:
        mm.meeting_outcome_set(meeting=meeting, status=MeetingStatus.HELD, by=meeting.start.by)
        count += 1
    return count


# --- Staff on the floor ---------------------------------------------------------------------


def meeting_seat(
    *, mission: Mission, company: Company, operator: Operator, slot: Slot, table: Table, by: User
) -> Meeting:
    """Seat a meeting arranged on the spot at a free table, now or later in the day: a booking
    under every rule of a booking (the first of two staff to commit wins the table), announced
    to both sides like one."""
    if mission.status not in ON_THE_DAY:
        raise mm.MatchmakingError(_("Meetings are seated on the spot only on the mission's days."))
    return mm.meeting_book(
        mission=mission,
        company=company,
        operator=operator,
        slot=slot,
        by=by,
        origin=Origin.MANUAL,
        table=table,
        on_the_spot=True,
    )


def meeting_late_move(*, meeting: Meeting, slot: Slot, table: Table, by: User) -> Meeting:
    """A participant is late: the meeting moves to a free table of a later slot."""
    if MeetingStart.objects.filter(meeting=meeting).exists():
        raise mm.MatchmakingError(_("This meeting has started: it stays where it is."))
    return mm.meeting_staff_move(meeting=meeting, slot=slot, table=table, by=by)


SUSPECT_ANSWERS = (MeetingStatus.NO_SHOW, MeetingStatus.HELD)


def suspect_settle(*, meeting: Meeting, status: str, by: User) -> Meeting:
    """Staff confirm a suspected no-show, or correct it: the meeting was held."""
    if status not in SUSPECT_ANSWERS:
        raise mm.MatchmakingError(_("Choose no-show or held."))
    return mm.meeting_outcome_set(meeting=meeting, status=status, by=by)
