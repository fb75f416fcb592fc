"""Reads of the day: the floor board of a B2B session, the suspected no-shows, a participant's
agenda of the day. Each brings its rows in a fixed number of queries, whatever their number."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from matchmaking.models import Meeting, MeetingSession, MeetingStatus, Side, Slot, Table
from missions.models import Application, Mission, OperatorRegistration

from .models import MeetingStart, Presence

# A meeting not started this long into its slot is late on the board.
LATE_AFTER = timedelta(minutes=5)


class State:
    RUNNING = "running"  # started, its slot is now
    STARTED = "started"  # started, its slot is over or to come
    EXPECTED = "expected"  # its slot is now, not started, less than LATE_AFTER in
    LATE = "late"  # its slot is now, not started, LATE_AFTER in or more
    PLANNED = "planned"  # its slot is to come
    HELD = "held"  # recorded held (by a scan or by staff)
    NO_SHOW = "no_show"  # recorded a no-show
    SUSPECT = "suspect"  # its slot is over, no scan


@dataclass
class Party:
    """One side of a meeting on the board: present at the door today or not, and how to
    reach it."""

    kind: str  # Side
    pk: int  # the delegate's id, or the operator's
    name: str
    organisation: str
    present: bool
    phone: str = ""


@dataclass
class Cell:
    table: Table
    meeting: Meeting | None = None
    state: str = ""
    firm: Party | None = None
    operator: Party | None = None
    started_at: datetime | None = None

    @property
    def parties(self) -> list[Party]:
        return [self.firm, self.operator] if self.meeting else []


@dataclass
class Row:
    slot: Slot
    cells: list[Cell]
    now: bool = False
    next: bool = False

    @property
    def free(self) -> list[Table]:
        return [c.table for c in self.cells if c.meeting is None]


@dataclass
class Board:
    mission: Mission
    session: MeetingSession
    now: datetime
    rows: list[Row]
    current: Row | None
    following: Row | None
    absent: list[Party] = field(default_factory=list)

    def _cells(self, *states) -> list[Cell]:
        return [c for r in self.rows for c in r.cells if c.state in states]

    @property
    def running(self) -> list[Cell]:
        return self._cells(State.RUNNING)

    @property
    def late(self) -> list[Cell]:
        return self._cells(State.LATE)

    @property
    def free_now(self) -> list[Table]:
        return self.current.free if self.current else []

    @property
    def free_next(self) -> list[Table]:
        return self.following.free if self.following else []

    @property
    def open_rows(self) -> list[Row]:
        """The slots a meeting can still be seated in: the current one and those to come."""
        return [r for r in self.rows if r.slot.ends_at > self.now]


def _phones(*, company_ids, operator_ids) -> tuple[dict, dict]:
    """A phone number per firm and per operator: its first active member who gave one."""
    by_company, by_operator = {}, {}
    people = (
        User.objects.filter(is_active=True)
        .filter(Q(company_id__in=company_ids) | Q(operator_id__in=operator_ids))
        .exclude(phone="")
        .order_by("pk")
        .values_list("company_id", "operator_id", "phone")
    )
    for company_id, operator_id, phone in people:
        if company_id:
            by_company.setdefault(company_id, phone)
        if operator_id:
            by_operator.setdefault(operator_id, phone)
    return by_company, by_operator


def _state(meeting: Meeting, slot: Slot, started: datetime | None, now: datetime) -> str:
    if meeting.status == MeetingStatus.NO_SHOW:
        return State.NO_SHOW
    is_now = slot.starts_at <= now < slot.ends_at
    if started:
        return State.RUNNING if is_now else State.STARTED
    if meeting.status == MeetingStatus.HELD:
        return State.HELD
    if is_now:
        return State.LATE if now - slot.starts_at >= LATE_AFTER else State.EXPECTED
    return State.PLANNED if slot.starts_at > now else State.SUSPECT


def board(*, session: MeetingSession, now: datetime | None = None) -> Board:
    """Slot by slot and table by table: what runs, what is late, who has not come, which
    tables are free now and in the next slot."""
    now = now or timezone.now()
    mission = session.mission
    slots = list(Slot.objects.filter(session=session).order_by("starts_at", "pk"))
    tables = list(Table.objects.filter(session=session).order_by("number"))
    meetings = list(
        Meeting.objects.filter(slot__session=session)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("company", "operator", "delegate")
    )
    starts = dict(
        MeetingStart.objects.filter(meeting__slot__session=session).values_list(
            "meeting_id", "scanned_at"
        )
    )
    day = session.day
    present = Presence.objects.filter(mission=mission, day=day)
    delegates_in = set(present.exclude(delegate=None).values_list("delegate_id", flat=True))
    operators_in = set(present.exclude(operator=None).values_list("operator_id", flat=True))
    company_phone, operator_phone = _phones(
        company_ids={m.company_id for m in meetings}, operator_ids={m.operator_id for m in meetings}
    )
    by_place = {(m.slot_id, m.table_id): m for m in meetings}
    current = next((s for s in slots if s.starts_at <= now < s.ends_at), None)
    following = next((s for s in slots if s.starts_at > now), None)
    rows, absent = [], {}
    for slot in slots:
        cells = []
        for table in tables:
            meeting = by_place.get((slot.pk, table.pk))
            if meeting is None:
                cells.append(Cell(table=table))
                continue
            firm = Party(
                Side.COMPANY,
                meeting.delegate_id,
                meeting.delegate.full_name,
                meeting.company.display_name,
                meeting.delegate_id in delegates_in,
                company_phone.get(meeting.company_id, ""),
            )
            operator = Party(
                Side.OPERATOR,
                meeting.operator_id,
                meeting.operator.name,
                meeting.operator.name,
                meeting.operator_id in operators_in,
                operator_phone.get(meeting.operator_id, ""),
            )
            started = starts.get(meeting.pk)
            cells.append(
                Cell(table, meeting, _state(meeting, slot, started, now), firm, operator, started)
            )
            # Who is due now or later and has not come through the door.
            if slot.ends_at > now:
                for party in (firm, operator):
                    if not party.present:
                        absent.setdefault((party.kind, party.pk), party)
        rows.append(Row(slot, cells, now=slot == current, next=slot == following))
    return Board(
        mission=mission,
        session=session,
        now=now,
        rows=rows,
        current=next((r for r in rows if r.now), None),
        following=next((r for r in rows if r.next), None),
        absent=sorted(absent.values(), key=lambda p: (p.organisation.lower(), p.name.lower())),
    )


@dataclass
class Suspect:
    meeting: Meeting
    firm_present: bool
    operator_present: bool

    @property
    def absent(self) -> bool:
        """A suspected no-show: no scan, and a side did not come through the door."""
        return not (self.firm_present and self.operator_present)


def suspects(*, mission: Mission, now: datetime | None = None) -> list[Suspect]:
    """Meetings whose slot is over with no scan and no outcome recorded: the suspected no-shows
    (a side never came) first, then those where both came but nobody scanned."""
    now = now or timezone.now()
    meetings = list(
        Meeting.objects.filter(
            mission=mission,
            status__in=(MeetingStatus.CONFIRMED, MeetingStatus.PROPOSED),
            slot__ends_at__lte=now,
            start__isnull=True,
        )
        .select_related("company", "operator", "delegate", "slot", "table")
        .order_by("slot__starts_at", "table__number")
    )
    days = {timezone.localtime(m.slot.starts_at, mission.tzinfo).date() for m in meetings}
    present = Presence.objects.filter(mission=mission, day__in=days)
    delegates_in = set(present.exclude(delegate=None).values_list("day", "delegate_id"))
    operators_in = set(present.exclude(operator=None).values_list("day", "operator_id"))
    found = []
    for m in meetings:
        day = timezone.localtime(m.slot.starts_at, mission.tzinfo).date()
        found.append(
            Suspect(m, (day, m.delegate_id) in delegates_in, (day, m.operator_id) in operators_in)
        )
    return sorted(found, key=lambda s: not s.absent)


def floor_sessions(*, mission: Mission):
    return MeetingSession.objects.filter(mission=mission).order_by("day", "start_time", "pk")


# --- A participant's agenda of the day ----------------------------------------------------------


@dataclass(frozen=True)
class Attendee:
    mission: Mission
    side: str
    company_id: int | None = None
    operator_id: int | None = None
    name: str = ""


def attendee_for(*, user, mission: Mission) -> Attendee | None:
    """The approved firm or confirmed operator ``user`` stands for in ``mission``, if any."""
    if not user.is_authenticated or user.is_staff:
        return None
    if user.company_id:
        application = (
            Application.objects.filter(
                mission=mission, company_id=user.company_id, status=Application.Status.APPROVED
            )
            .select_related("company")
            .first()
        )
        if application:
            name = application.company.display_name
            return Attendee(mission, Side.COMPANY, company_id=user.company_id, name=name)
    if user.operator_id:
        registration = (
            OperatorRegistration.objects.filter(
                mission=mission,
                operator_id=user.operator_id,
                status=OperatorRegistration.Status.CONFIRMED,
            )
            .select_related("operator")
            .first()
        )
        if registration:
            name = registration.operator.name
            return Attendee(mission, Side.OPERATOR, operator_id=user.operator_id, name=name)
    return None


def agenda_days(*, attendee: Attendee) -> list[tuple]:
    """The attendee's active meetings by local day, each with its start if it has one."""
    own = (
        {"company_id": attendee.company_id}
        if attendee.side == Side.COMPANY
        else {"operator_id": attendee.operator_id}
    )
    meetings = (
        Meeting.objects.filter(mission=attendee.mission, **own)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("company", "operator", "delegate", "slot__session", "table", "start")
        .order_by("slot__starts_at", "table__number")
    )
    days = defaultdict(list)
    for m in meetings:
        days[timezone.localtime(m.slot.starts_at, attendee.mission.tzinfo).date()].append(m)
    return sorted(days.items())
