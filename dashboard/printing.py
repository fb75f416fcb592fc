"""PDF documents of a mission for the printer on site: agendas, table plans and name badges.

WeasyPrint renders them from the templates in ``templates/dashboard/print/``. Nothing is fetched,
since the network on site may be poor: the styles are in the page, the logo is inline SVG, the
URL fetcher accepts ``data:`` URIs only and the fonts come from the system (DejaVu). Times are in
the mission's local time, with the zone named on every page. Each reader gathers its rows with a
fixed number of queries, whatever the number of meetings.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _
from django_countries import countries

from accounts.models import User
from companies.models import OperatorKind
from core.choices import labels
from core.translation import translated
from matchmaking.models import Meeting, MeetingSession, MeetingStatus, Side, Slot, Table
from missions.models import Application, Mission, OperatorRegistration
from onsite.codes import badge_qr, meeting_qr

# Tables per page width in a landscape table plan; a larger session continues on the next page.
TABLES_PER_PAGE = 6
BADGES_PER_SHEET = 8


def zone_label(mission: Mission, moment: datetime | None = None) -> str:
    """``Africa/Abidjan (UTC+00:00)``: the zone's name and its offset on the mission's days."""
    moment = moment or timezone.now()
    offset = moment.astimezone(mission.tzinfo).strftime("%z")
    return f"{mission.timezone} (UTC{offset[:3]}:{offset[3:]})"


def _first_moment(mission: Mission) -> datetime | None:
    if mission.start_date:
        return datetime.combine(mission.start_date, datetime.min.time(), tzinfo=mission.tzinfo)
    return None


def _hours(start: datetime, end: datetime, zone) -> str:
    return f"{start.astimezone(zone):%H:%M}–{end.astimezone(zone):%H:%M}"


def _people() -> Prefetch:
    return User.objects.filter(is_active=True).order_by("full_name", "email")


MEETING_FIELDS = (
    "company_id", "operator_id", "slot_id", "table_id", "status", "slot__starts_at",
    "slot__ends_at", "table__number", "company__legal_name",
    "company__trade_name", "delegate__full_name", "delegate__role", "operator__name",
    "operator__kind", "operator__country", "pk", "sequence",
)  # fmt: skip


def _active_meetings(mission: Mission, **filters):
    return (
        Meeting.objects.filter(mission=mission, **filters)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("slot__starts_at", "table__number")
        .values(*MEETING_FIELDS, place=translated("slot__session__place"))
    )


def _firm_name(m: dict) -> str:
    return m["company__trade_name"] or m["company__legal_name"]


# Agendas -----------------------------------------------------------------------------------


@dataclass
class AgendaLine:
    time: str
    counterpart: str
    detail: str
    table: str
    place: str
    person: str
    status: str
    qr: str = ""  # the meeting's code: scanned at the table, it marks the meeting started


@dataclass
class Agenda:
    organisation: str
    detail: str
    people: list[str]
    days: list[tuple[date, list[AgendaLine]]] = field(default_factory=list)
    count: int = 0


def agendas(*, mission: Mission, side: str, pk: int | None = None) -> list[Agenda]:
    """The agenda of each approved firm or confirmed operator of the mission (or of one), with
    its active meetings by local day; a participant without meetings still has its page."""
    zone = mission.tzinfo
    kinds = labels(OperatorKind)
    statuses = labels(MeetingStatus)
    country_names = dict(countries)
    table_label = _("Table %(number)s")
    with_label = _("%(name)s (%(role)s)")
    only = {} if pk is None else ({f"{side}_id": pk})
    owners: list[tuple[int, Agenda]] = []
    if side == Side.COMPANY:
        applications = (
            Application.objects.filter(mission=mission, status=Application.Status.APPROVED, **only)
            .select_related("company")
            .prefetch_related("delegates")
            .order_by(Lower("company__legal_name"))
        )
        for a in applications:
            people = [with_label % {"name": d.full_name, "role": d.role} for d in a.delegates.all()]
            owners.append((a.company_id, Agenda(a.company.display_name, a.company.city, people)))
    else:
        registrations = (
            OperatorRegistration.objects.filter(
                mission=mission, status=OperatorRegistration.Status.CONFIRMED, **only
            )
            .select_related("operator")
            .prefetch_related(Prefetch("operator__contacts", queryset=_people()))
            .order_by(Lower("operator__name"))
        )
        for r in registrations:
            o = r.operator
            detail = f"{kinds.get(o.kind, o.kind)} · {o.city}, {o.country.name}"
            people = [u.full_name or u.email for u in o.contacts.all()]
            owners.append((r.operator_id, Agenda(o.name, detail, people)))
    by_owner: dict[int, dict[date, list[AgendaLine]]] = defaultdict(lambda: defaultdict(list))
    for m in _active_meetings(mission, **only):
        start = m["slot__starts_at"].astimezone(zone)
        if side == Side.COMPANY:
            owner = m["company_id"]
            counterpart = m["operator__name"]
            country = country_names.get(m["operator__country"], m["operator__country"])
            detail = f"{kinds.get(m['operator__kind'], '')} · {country}"
        else:
            owner = m["operator_id"]
            counterpart, detail = _firm_name(m), ""
        by_owner[owner][start.date()].append(
            AgendaLine(
                time=_hours(m["slot__starts_at"], m["slot__ends_at"], zone),
                counterpart=counterpart,
                detail=detail,
                table=table_label % {"number": m["table__number"]},
                place=m["place"],
                person=with_label % {"name": m["delegate__full_name"], "role": m["delegate__role"]},
                status=statuses[m["status"]],
                qr=meeting_qr(mission=mission, meeting_id=m["pk"], sequence=m["sequence"]),
            )
        )
    result = []
    for owner, agenda in owners:
        days = by_owner.get(owner, {})
        agenda.days = sorted(days.items())
        agenda.count = sum(len(lines) for lines in days.values())
        result.append(agenda)
    return result


# Table plans -------------------------------------------------------------------------------


@dataclass
class PlanCell:
    firm: str
    delegate: str
    operator: str


@dataclass
class PlanPage:
    tables: list[int]
    rows: list[tuple[str, list[PlanCell | None]]]


@dataclass
class Plan:
    day: date
    hours: str
    place: str
    pages: list[PlanPage]
    count: int


def table_plans(*, mission: Mission, session_pk: int | None = None) -> list[Plan]:
    """Who sits where, slot by slot: per session, a grid of its slots (rows) by its tables
    (columns), cut into pages of ``TABLES_PER_PAGE`` tables."""
    zone = mission.tzinfo
    sessions = MeetingSession.objects.filter(mission=mission)
    if session_pk is not None:
        sessions = sessions.filter(pk=session_pk)
    sessions = list(sessions.order_by("day", "start_time", "pk"))
    ids = [s.pk for s in sessions]
    slots, tables = defaultdict(list), defaultdict(list)
    for slot in Slot.objects.filter(session_id__in=ids).order_by("starts_at", "pk"):
        slots[slot.session_id].append(slot)
    for table in Table.objects.filter(session_id__in=ids).order_by("number"):
        tables[table.session_id].append(table)
    cells = {}
    for m in _active_meetings(mission, slot__session_id__in=ids):
        cells[m["slot_id"], m["table_id"]] = PlanCell(
            _firm_name(m), m["delegate__full_name"], m["operator__name"]
        )
    plans = []
    for session in sessions:
        session_tables = tables[session.pk]
        pages = []
        for first in range(0, max(len(session_tables), 1), TABLES_PER_PAGE):
            group = session_tables[first : first + TABLES_PER_PAGE]
            rows = [
                (
                    _hours(slot.starts_at, slot.ends_at, zone),
                    [cells.get((slot.pk, table.pk)) for table in group],
                )
                for slot in slots[session.pk]
            ]
            pages.append(PlanPage([t.number for t in group], rows))
        own = {slot.pk for slot in slots[session.pk]}
        count = sum(1 for slot_id, _table in cells if slot_id in own)
        plans.append(
            Plan(
                day=session.day,
                hours=f"{session.start_time:%H:%M}–{session.end_time:%H:%M}",
                place=session.place,
                pages=pages,
                count=count,
            )
        )
    return plans


# Badges ------------------------------------------------------------------------------------


@dataclass
class Badge:
    name: str
    organisation: str
    role: str
    side: str
    side_label: str
    qr: str = ""  # the holder's code: staff check them in at the door, the other side starts
    # the meeting at the table


def badges(*, mission: Mission, side: str | None = None) -> list[list[Badge]]:
    """A badge per delegate of each approved firm and per contact of each confirmed operator,
    in sheets of ``BADGES_PER_SHEET``."""
    kinds = labels(OperatorKind)
    found = []
    if side in (None, Side.COMPANY):
        label = _("Moroccan delegation")
        applications = (
            Application.objects.filter(mission=mission, status=Application.Status.APPROVED)
            .select_related("company")
            .prefetch_related("delegates")
            .order_by(Lower("company__legal_name"))
        )
        found += [
            Badge(
                d.full_name,
                a.company.display_name,
                d.role,
                Side.COMPANY,
                label,
                badge_qr(mission, delegate_id=d.pk),
            )
            for a in applications
            for d in a.delegates.all()
        ]
    if side in (None, Side.OPERATOR):
        label = _("Operator")
        registrations = (
            OperatorRegistration.objects.filter(
                mission=mission, status=OperatorRegistration.Status.CONFIRMED
            )
            .select_related("operator")
            .prefetch_related(Prefetch("operator__contacts", queryset=_people()))
            .order_by(Lower("operator__name"))
        )
        found += [
            Badge(
                u.full_name or u.email,
                r.operator.name,
                kinds.get(r.operator.kind, ""),
                Side.OPERATOR,
                label,
                badge_qr(mission, contact_id=u.pk),
            )
            for r in registrations
            for u in r.operator.contacts.all()
        ]
    return [found[i : i + BADGES_PER_SHEET] for i in range(0, len(found), BADGES_PER_SHEET)]


# Rendering ---------------------------------------------------------------------------------


def render_pdf(template_name: str, context: dict) -> bytes:
    """The template rendered to PDF, without fetching anything but ``data:`` URIs."""
    # Imported here: a machine without Pango still serves every other page.
    from weasyprint import HTML, URLFetcher

    mission = context["mission"]
    html = render_to_string(
        template_name,
        {
            "language": get_language() or "fr",
            "direction": "rtl" if get_language_bidi() else "ltr",
            "zone": zone_label(mission, _first_moment(mission)),
            "printed_at": timezone.now().astimezone(mission.tzinfo),
            **context,
        },
    )
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf()
