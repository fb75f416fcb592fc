"""Reads of the staff overview and of a mission's cockpit.

Each read takes a fixed number of queries whatever the number of missions, firms, operators or
meetings: figures are counted by the database (subqueries and aggregates), lists are fetched
once with what they show and arranged in Python.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

from companies.models import OperatorKind, Sector
from core.languages import languages_text
from matchmaking.models import (
    ACTIVE,
    BOTH_CONFIRMED,
    STANDING_REQUESTS,
    Meeting,
    MeetingRequest,
    MeetingSession,
    MeetingStatus,
    RequestStatus,
    Side,
    Slot,
    Table,
    Unavailability,
)
from matchmaking.selectors import language_gaps
from missions.models import Application, Mission, OperatorRegistration
from missions.selectors import count_per_mission, mission_history, missions_overview
from outbox.models import Email, EmailStatus
from outbox.selectors import delivery_counts
from proposals.models import ProposalStatus, ScheduleProposal

from .charts import Bar, bar_chart, funnel, grouped_bars

# Missions where nothing is left to decide about applications, operators or the schedule.
OVER = (Mission.Status.CLOSED, Mission.Status.CANCELLED)


def missions_figures() -> QuerySet[Mission]:
    """Every mission with the figures of ``missions_overview`` and those of its meetings,
    requests, e-mails and schedule proposals, in one query."""
    meetings = Meeting.objects.filter(ACTIVE)
    return missions_overview().annotate(
        operators_total=count_per_mission(OperatorRegistration.objects.all()),
        requests_total=count_per_mission(
            MeetingRequest.objects.exclude(status=RequestStatus.WITHDRAWN)
        ),
        requests_met=count_per_mission(MeetingRequest.objects.filter(status=RequestStatus.MET)),
        meetings_booked=count_per_mission(meetings),
        meetings_confirmed=count_per_mission(meetings.filter(BOTH_CONFIRMED)),
        meetings_held=count_per_mission(Meeting.objects.filter(status=MeetingStatus.HELD)),
        emails_failed=count_per_mission(Email.objects.filter(status=EmailStatus.FAILED)),
        proposal_ready=Subquery(
            ScheduleProposal.objects.filter(mission=OuterRef("pk"), status=ProposalStatus.READY)
            .order_by("-created_at", "-pk")
            .values("pk")[:1]
        ),
    )


@dataclass(frozen=True)
class Decision:
    """Something that waits for staff, with the page where it is decided."""

    mission: Mission
    icon: str
    text: str
    url: str


def interpreter_counts(missions) -> Counter:
    """Per mission not over, its coming meetings that need an interpreter (two queries)."""
    going = [m.pk for m in missions if m.status not in OVER]
    return Counter(gap.mission_id for gap in language_gaps(missions=going))


def decisions_now(missions, interpreters: Counter | None = None) -> list[Decision]:
    """What needs a decision now, from the figures of ``missions_figures`` and the counts of
    ``interpreter_counts`` (no query)."""
    decisions = []
    interpreters = interpreters or Counter()
    for m in missions:
        if m.status not in OVER:
            if m.applications_pending:
                decisions.append(
                    Decision(
                        m,
                        "person-check",
                        ngettext(
                            "%(count)s application to decide",
                            "%(count)s applications to decide",
                            m.applications_pending,
                        )
                        % {"count": m.applications_pending},
                        reverse("dashboard:applications", args=[m.slug]) + "?status=submitted",
                    )
                )
            if m.operators_pending:
                decisions.append(
                    Decision(
                        m,
                        "building-check",
                        ngettext(
                            "%(count)s operator to vet",
                            "%(count)s operators to vet",
                            m.operators_pending,
                        )
                        % {"count": m.operators_pending},
                        reverse("dashboard:registrations", args=[m.slug]) + "?status=pending",
                    )
                )
            if m.proposal_ready:
                decisions.append(
                    Decision(
                        m,
                        "calendar-check",
                        _("A computed schedule waits to be published or discarded"),
                        reverse("dashboard:schedule_proposal", args=[m.slug, m.proposal_ready]),
                    )
                )
            if interpreters[m.pk]:
                decisions.append(
                    Decision(
                        m,
                        "translate",
                        ngettext(
                            "%(count)s meeting needs an interpreter: no shared language",
                            "%(count)s meetings need an interpreter: no shared language",
                            interpreters[m.pk],
                        )
                        % {"count": interpreters[m.pk]},
                        reverse("dashboard:cockpit", args=[m.slug]) + "#interpreters",
                    )
                )
        if m.emails_failed:
            decisions.append(
                Decision(
                    m,
                    "envelope-exclamation",
                    ngettext("%(count)s e-mail failed", "%(count)s e-mails failed", m.emails_failed)
                    % {"count": m.emails_failed},
                    reverse("dashboard:mission_emails", args=[m.slug]) + "?status=failed",
                )
            )
    return decisions


# --- The cockpit of one mission ---------------------------------------------------------------


@dataclass
class Chart:
    """A chart and the table of its numbers (the same rows) for screen readers."""

    key: str
    title: str
    caption: str
    headers: list[str]
    rows: list[tuple]
    svg: str


@dataclass
class Cell:
    table: Table
    meeting: Meeting | None = None
    interpreter: bool = False  # the two sides share no language


@dataclass(frozen=True)
class InterpreterNeed:
    """A coming meeting whose two sides share no language, with what each speaks."""

    meeting: Meeting
    firm_languages: str
    operator_languages: str


@dataclass
class GridRow:
    slot: Slot
    label: str
    cells: list[Cell]


@dataclass
class SessionGrid:
    session: MeetingSession
    tables: list[Table]
    rows: list[GridRow]
    zone: str
    meetings: int = 0


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    text: str
    by: str = ""
    note: str = ""
    meeting: Meeting | None = None


@dataclass
class Cockpit:
    """The cockpit's data; the charts and the grids, the heavy parts, are read when asked for
    (the view serves them from the mission's read cache, rendered)."""

    mission: Mission
    figures: Mission
    funnel: Chart
    delivery: dict[str, int]
    history: list[HistoryEntry] = field(default_factory=list)
    interpreters: list[InterpreterNeed] = field(default_factory=list)

    @cached_property
    def charts(self) -> list[Chart]:
        return _charts(self.mission)

    @cached_property
    def grids(self) -> list[SessionGrid]:
        return _grids(self.mission)


def _sector_name(row) -> str:
    if row["company__sectors__pk"] is None:
        return _("No sector given")
    return Sector.label(row, prefix="company__sectors__")


def _charts(mission: Mission) -> list[Chart]:
    meetings = Meeting.objects.filter(ACTIVE, mission=mission).order_by()
    by_sector = sorted(
        (
            (_sector_name(row), row["n"])
            for row in meetings.values(
                "company__sectors__pk", *(f"company__sectors__{f}" for f in Sector.NAME_FIELDS)
            ).annotate(n=Count("pk"))
        ),
        key=lambda r: (-r[1], r[0]),
    )
    by_kind = sorted(
        (
            (str(OperatorKind(row["operator__kind"]).label), row["n"])
            for row in meetings.values("operator__kind").annotate(n=Count("pk"))
        ),
        key=lambda r: (-r[1], r[0]),
    )
    by_country = sorted(
        (
            (str(countries.name(row["operator__country"])) or row["operator__country"], row["n"])
            for row in meetings.values("operator__country").annotate(n=Count("pk"))
        ),
        key=lambda r: (-r[1], r[0]),
    )
    meeting_label = _("Meetings")
    charts = [
        Chart(
            "sector",
            _("Meetings per sector"),
            _("Sectors of the Moroccan firm's offer; a firm in several sectors counts in each."),
            [_("Sector"), meeting_label],
            by_sector,
            bar_chart([Bar(*row) for row in by_sector]),
        ),
        Chart(
            "kind",
            _("Meetings per kind of operator"),
            "",
            [_("Kind of operator"), meeting_label],
            by_kind,
            bar_chart([Bar(*row) for row in by_kind]),
        ),
        Chart(
            "country",
            _("Meetings per country"),
            _("The operator's country."),
            [_("Country"), meeting_label],
            by_country,
            bar_chart([Bar(*row) for row in by_country]),
        ),
    ]
    firms = _firms_against_wishes(mission)
    charts.append(
        Chart(
            "wishes",
            _("Each firm's meetings against its wishes"),
            _(
                "Thick bar: meetings booked; thin bar: meetings the firm asked for (requests "
                "pending, accepted or met); wishes met: requested meetings that are booked."
            ),
            [_("Firm"), meeting_label, _("Wishes"), _("Wishes met")],
            firms,
            grouped_bars([Bar(name, n, wishes) for name, n, wishes, _met in firms]),
        )
    )
    return charts


def _firms_against_wishes(mission: Mission) -> list[tuple[str, int, int, int]]:
    """Per approved firm: (name, meetings booked, wishes, wishes met), in three queries."""
    firms = (
        Application.objects.filter(mission=mission, status=Application.Status.APPROVED)
        .select_related("company")
        .only("company__legal_name", "company__trade_name")
    )
    meetings = dict(
        Meeting.objects.filter(ACTIVE, mission=mission)
        .order_by()
        .values("company_id")
        .annotate(n=Count("pk"))
        .values_list("company_id", "n")
    )
    pairs = set(
        Meeting.objects.filter(ACTIVE, mission=mission).values_list("company_id", "operator_id")
    )
    wishes: dict[int, list[int]] = {}
    for company_id, operator_id in MeetingRequest.objects.filter(
        mission=mission,
        side=Side.COMPANY,
        status__in=STANDING_REQUESTS,
    ).values_list("company_id", "operator_id"):
        wishes.setdefault(company_id, []).append(operator_id)
    rows = []
    for app in firms:
        asked = wishes.get(app.company_id, [])
        met = sum((app.company_id, operator) in pairs for operator in asked)
        rows.append((app.company.display_name, meetings.get(app.company_id, 0), len(asked), met))
    return sorted(rows, key=lambda r: (-r[1], r[0].lower()))


def _funnel(figures: Mission) -> Chart:
    stages = [
        [
            Bar(_("Applications"), figures.applications_total),
            Bar(_("Firms approved"), figures.firms_approved),
        ],
        [
            Bar(_("Operators registered"), figures.operators_total),
            Bar(_("Operators confirmed"), figures.operators_confirmed),
        ],
        [
            Bar(_("Meeting requests"), figures.requests_total),
            Bar(_("Requests met by a meeting"), figures.requests_met),
        ],
        [
            Bar(_("Meetings booked"), figures.meetings_booked),
            Bar(_("Confirmed by both sides"), figures.meetings_confirmed),
            Bar(_("Meetings held"), figures.meetings_held),
        ],
    ]
    return Chart(
        "funnel",
        _("From applications to meetings held"),
        _("Each stage's share is of the first figure of its group."),
        [_("Stage"), _("Number")],
        [(bar.label, bar.value) for stage in stages for bar in stage],
        funnel(stages),
    )


def _grids(mission: Mission) -> list[SessionGrid]:
    """Each B2B session as rows of slots (local time) by columns of tables, in four queries."""
    zone = mission.tzinfo
    grids = {
        s.pk: SessionGrid(session=s, tables=[], rows=[], zone=mission.timezone)
        for s in MeetingSession.objects.filter(mission=mission)
    }
    for table in Table.objects.filter(session__mission=mission).order_by("session", "number"):
        grids[table.session_id].tables.append(table)
    placed = {
        (m.slot_id, m.table_id): m
        for m in Meeting.objects.filter(ACTIVE, mission=mission).select_related(
            "company", "operator", "delegate"
        )
    }
    no_language = {gap.meeting_id for gap in language_gaps(missions=[mission.pk])}
    for slot in Slot.objects.filter(mission=mission).order_by("starts_at", "pk"):
        grid = grids[slot.session_id]
        start, end = slot.starts_at.astimezone(zone), slot.ends_at.astimezone(zone)
        cells = []
        for table in grid.tables:
            meeting = placed.get((slot.pk, table.pk))
            cells.append(Cell(table, meeting, meeting is not None and meeting.pk in no_language))
        grid.meetings += sum(c.meeting is not None for c in cells)
        grid.rows.append(GridRow(slot, f"{start:%H:%M}–{end:%H:%M}", cells))
    return list(grids.values())


def _history(mission: Mission, limit: int = 30) -> list[HistoryEntry]:
    """The life cycle and the meetings moved or cancelled, newest first."""
    entries = [
        HistoryEntry(
            at=t.at,
            text=_("Status: %(from)s → %(to)s")
            % {"from": t.get_from_status_display(), "to": t.get_to_status_display()},
            by=str(t.by or ""),
            note=t.note,
        )
        for t in mission_history(mission=mission).order_by("-at")[:limit]
    ]
    zone = mission.tzinfo
    changed = (
        Meeting.objects.filter(mission=mission, sequence__gt=0)
        .select_related("company", "operator", "slot", "table")
        .order_by("-updated_at")[:limit]
    )
    for m in changed:
        when = date_format(m.slot.starts_at.astimezone(zone), "SHORT_DATETIME_FORMAT")
        if m.status == MeetingStatus.CANCELLED:
            text = _("Meeting cancelled: %(firm)s – %(operator)s") % {
                "firm": m.company.display_name,
                "operator": m.operator.name,
            }
        else:
            text = _("Meeting moved: %(firm)s – %(operator)s, now %(when)s, table %(table)s") % {
                "firm": m.company.display_name,
                "operator": m.operator.name,
                "when": when,
                "table": m.table.number,
            }
        entries.append(HistoryEntry(at=m.updated_at, text=text, note=m.cancel_reason, meeting=m))
    return sorted(entries, key=lambda e: e.at, reverse=True)[:limit]


def interpreter_needs(*, mission: Mission) -> list[InterpreterNeed]:
    """The mission's coming meetings whose sides share no language, in time order (three
    queries)."""
    gaps = language_gaps(missions=[mission.pk])
    meetings = Meeting.objects.select_related(
        "company", "operator", "delegate", "slot", "table"
    ).in_bulk([gap.meeting_id for gap in gaps])
    return [
        InterpreterNeed(
            meetings[gap.meeting_id],
            languages_text(gap.firm_languages),
            languages_text(gap.operator_languages),
        )
        for gap in gaps
    ]


def cockpit(*, mission: Mission) -> Cockpit:
    """Everything the cockpit page shows, in a fixed number of queries."""
    figures = missions_figures().get(pk=mission.pk)
    return Cockpit(
        mission=mission,
        figures=figures,
        funnel=_funnel(figures),
        delivery=delivery_counts(mission=mission),
        history=_history(mission),
        interpreters=interpreter_needs(mission=mission),
    )


# --- One meeting, for a change on the grid ----------------------------------------------------


def meeting_for_staff(*, mission: Mission, pk: int) -> Meeting:
    """A meeting of the mission with what its page shows (DoesNotExist otherwise: a 404)."""
    return Meeting.objects.select_related(
        "mission", "company", "operator", "delegate", "slot__session", "table"
    ).get(mission=mission, pk=pk)


@dataclass(frozen=True)
class SlotChoice:
    pk: int
    label: str
    free: bool


def move_choices(*, meeting: Meeting) -> list[tuple[str, list[SlotChoice]]]:
    """The mission's coming slots by local day, each saying whether the meeting fits there and,
    if not, why (the service checks again when staff choose). Four queries."""
    mission = meeting.mission
    zone = mission.tzinfo
    now = timezone.now()
    others = list(
        Meeting.objects.filter(ACTIVE, mission=mission)
        .exclude(pk=meeting.pk)
        .values_list("slot_id", "operator_id", "company_id")
    )
    tables_used: dict[int, int] = {}
    operator_busy, firm_busy = set(), {}
    for slot_id, operator_id, company_id in others:
        tables_used[slot_id] = tables_used.get(slot_id, 0) + 1
        if operator_id == meeting.operator_id:
            operator_busy.add(slot_id)
        if company_id == meeting.company_id:
            firm_busy[slot_id] = firm_busy.get(slot_id, 0) + 1
    blocked = set(
        Unavailability.objects.filter(slot__mission=mission)
        .filter(Q(company=meeting.company_id) | Q(operator=meeting.operator_id))
        .values_list("slot_id", flat=True)
    )
    delegates = (
        Application.objects.filter(
            mission=mission, company=meeting.company_id, status=Application.Status.APPROVED
        )
        .annotate(n=Count("delegates"))
        .values_list("n", flat=True)
        .first()
        or 0
    )
    days: dict = {}
    slots = Slot.objects.filter(mission=mission, starts_at__gt=now).select_related("session")
    for slot in slots.order_by("starts_at", "pk"):
        start, end = slot.starts_at.astimezone(zone), slot.ends_at.astimezone(zone)
        left = slot.session.tables - tables_used.get(slot.pk, 0)
        if slot.pk == meeting.slot_id:
            why = _("its present time")
        elif slot.pk in blocked:
            why = _("a side is unavailable")
        elif slot.pk in operator_busy:
            why = _("the operator is busy")
        elif firm_busy.get(slot.pk, 0) >= delegates:
            why = _("the firm's delegates are busy")
        elif left <= 0:
            why = _("every table is taken")
        else:
            why = ""
        label = f"{start:%H:%M}–{end:%H:%M} · " + (
            why or ngettext("%(count)s table free", "%(count)s tables free", left) % {"count": left}
        )
        day = date_format(start, "DATE_FORMAT")
        days.setdefault(day, []).append(SlotChoice(slot.pk, label, not why))
    return list(days.items())


def swap_choices(*, meeting: Meeting) -> list[tuple[int, str]]:
    """The other coming active meetings of the mission, labelled by local time and table."""
    zone = meeting.mission.tzinfo
    others = (
        Meeting.objects.filter(
            ACTIVE, mission=meeting.mission_id, slot__starts_at__gt=timezone.now()
        )
        .exclude(pk=meeting.pk)
        .exclude(status__in=[MeetingStatus.HELD, MeetingStatus.NO_SHOW])
        .select_related("company", "operator", "slot", "table")
        .order_by("slot__starts_at", "table__number")
    )
    return [
        (
            m.pk,
            _("%(when)s · table %(table)s · %(firm)s – %(operator)s")
            % {
                "when": date_format(m.slot.starts_at.astimezone(zone), "SHORT_DATETIME_FORMAT"),
                "table": m.table.number,
                "firm": m.company.display_name,
                "operator": m.operator.name,
            },
        )
        for m in others
    ]
