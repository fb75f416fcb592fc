"""Exports of a mission: rows built from the database, written out as CSV or XLSX.

A builder returns an ``Export``: column headings translated in the language active when it is
called (the staff member's), and the rows as plain values. Dates and times are already in the
mission's local time and naive, since spreadsheets know no time zones: the zone is named in the
headings. Every label is translated before the first row, so a CSV that streams after the view
has returned is still written in the staff member's language. Each builder reads its rows with a
fixed number of queries, whatever the size of the mission.
"""

import csv
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from io import BytesIO

from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import capfirst, slugify
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _
from django_countries import countries
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from accounts.models import User
from companies.models import OperatorKind
from core.choices import labels
from core.languages import spoken_names
from core.translation import translated
from feedback.models import FeedbackOutcome, FeedbackStage, MeetingFeedback
from feedback.services import feedback_for_mission
from matchmaking.models import (
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Origin,
    Priority,
    RequestStatus,
    Side,
    Slot,
    Table,
)
from matchmaking.selectors import language_gaps
from missions.models import Application, Delegate, Mission, OperatorRegistration

TEXT, NUMBER, DATE, TIME, DATETIME = "text", "number", "date", "time", "datetime"

# Spreadsheet number formats: unambiguous in every locale.
XLSX_FORMATS = {DATE: "yyyy-mm-dd", TIME: "hh:mm", DATETIME: "yyyy-mm-dd hh:mm"}
CSV_FORMATS = {DATE: "%Y-%m-%d", TIME: "%H:%M", DATETIME: "%Y-%m-%d %H:%M"}


@dataclass(frozen=True)
class Column:
    heading: str
    width: int = 18
    kind: str = TEXT


@dataclass
class Export:
    """A table ready to write: ``name`` goes in the file name, ``title`` names the sheet."""

    name: str
    title: str
    columns: list[Column]
    rows: Iterable[list]


@dataclass(frozen=True)
class Kind:
    build: Callable[[Mission], Export]
    label: Callable[[], str]
    help: Callable[[], str]


def _local(moment: datetime | None, zone) -> datetime | None:
    return moment.astimezone(zone).replace(tzinfo=None) if moment else None


def _label(model, name: str) -> str:
    """A model field's name as a heading: its translation is already in the catalogue."""
    return str(capfirst(model._meta.get_field(name).verbose_name))


def _name(model) -> str:
    return str(capfirst(model._meta.verbose_name))


def _zoned(heading: str, zone: str) -> str:
    return f"{heading} ({zone})"


def _yes_no() -> tuple[str, str]:
    return _("Yes"), _("No")


# Participants ------------------------------------------------------------------------------


def _speaks(person) -> str:
    """The languages a delegate or a user can hold a meeting in, named."""
    return spoken_names(person.languages, person.other_languages)


def participants_export(mission: Mission) -> Export:
    """Approved firms with their delegates and members, confirmed operators with their contacts:
    one row per person (an organisation without anybody still has its row)."""
    columns = [
        Column(_("Side"), 16),
        Column(_("Organisation"), 30),
        Column(_("Kind"), 24),
        Column(_("City"), 16),
        Column(_("Country"), 16),
        Column(_("Sectors"), 36),
        Column(_("Listed as"), 14),
        Column(_label(User, "full_name"), 26),
        Column(_label(Delegate, "role"), 22),
        Column(_("Languages spoken"), 24),
        Column(_("E-mail"), 30),
        Column(_("Phone"), 18),
    ]
    sides = labels(Side)
    kinds = labels(OperatorKind)
    company_roles = labels(User.CompanyRole)
    delegate, member, contact = _name(Delegate), _("Member"), _("Contact")
    morocco = str(countries.name("MA"))
    people = User.objects.filter(is_active=True).order_by("full_name", "email")
    applications = list(
        Application.objects.filter(mission=mission, status=Application.Status.APPROVED)
        .select_related("company")
        .prefetch_related(
            "delegates", "company__sectors", Prefetch("company__members", queryset=people)
        )
        .order_by(Lower("company__legal_name"))
    )
    registrations = list(
        OperatorRegistration.objects.filter(
            mission=mission, status=OperatorRegistration.Status.CONFIRMED
        )
        .select_related("operator")
        .prefetch_related("operator__sectors", Prefetch("operator__contacts", queryset=people))
        .order_by(Lower("operator__name"))
    )

    def rows():
        for application in applications:
            company = application.company
            head = [
                sides[Side.COMPANY],
                company.display_name,
                "",
                company.city,
                morocco,
                ", ".join(s.name for s in company.sectors.all()),
            ]
            persons = [
                [delegate, d.full_name, d.role, _speaks(d), "", ""]
                for d in application.delegates.all()
            ]
            persons += [
                [
                    member,
                    u.full_name,
                    company_roles.get(u.company_role, ""),
                    _speaks(u),
                    u.email,
                    u.phone,
                ]
                for u in company.members.all()
            ]
            for person in persons or [[""] * 6]:
                yield head + person
        for registration in registrations:
            operator = registration.operator
            head = [
                sides[Side.OPERATOR],
                operator.name,
                kinds.get(operator.kind, operator.kind),
                operator.city,
                str(operator.country.name),
                ", ".join(s.name for s in operator.sectors.all()),
            ]
            persons = [
                [contact, u.full_name, u.job_title, _speaks(u), u.email, u.phone]
                for u in operator.contacts.all()
            ]
            for person in persons or [[""] * 6]:
                yield head + person

    return Export(_("participants"), _("Participants"), columns, rows())


# Schedule ----------------------------------------------------------------------------------

SCHEDULE_FIELDS = (
    "pk", "slot__starts_at", "slot__ends_at", "table__number",
    "company__legal_name", "company__trade_name", "delegate__full_name", "delegate__role",
    "operator__name", "operator__kind", "operator__country", "status", "origin", "locked",
    "company_confirmed_at", "operator_confirmed_at", "cancel_reason",
)  # fmt: skip


def _meetings(mission: Mission):
    return (
        Meeting.objects.filter(mission=mission)
        .order_by("slot__starts_at", "table__number", "pk")
        .values(*SCHEDULE_FIELDS, place=translated("slot__session__place"))
    )


def schedule_export(mission: Mission) -> Export:
    """Every active meeting, in the mission's local time, with each side's attendance."""
    zone, name = mission.tzinfo, mission.timezone
    columns = [
        Column(_("Day"), 12, DATE),
        Column(_zoned(_label(Slot, "starts_at"), name), 12, TIME),
        Column(_zoned(_label(Slot, "ends_at"), name), 12, TIME),
        Column(_("Place"), 18),
        Column(_name(Table), 8, NUMBER),
        Column(_("Moroccan firm"), 28),
        Column(_name(Delegate), 24),
        Column(_("Operator"), 28),
        Column(_("Operator kind"), 22),
        Column(_("Status"), 12),
        Column(_label(Meeting, "origin"), 22),
        Column(_("Locked"), 8),
        Column(_zoned(_label(Meeting, "company_confirmed_at"), name), 20, DATETIME),
        Column(_zoned(_label(Meeting, "operator_confirmed_at"), name), 20, DATETIME),
        Column(_("Interpreter needed"), 10),
    ]
    statuses = labels(MeetingStatus)
    no_language = {gap.meeting_id for gap in language_gaps(missions=[mission.pk])}
    origins = labels(Origin)
    kinds = labels(OperatorKind)
    yes, no = _yes_no()
    meetings = _meetings(mission).exclude(status=MeetingStatus.CANCELLED)

    def rows():
        for m in meetings.iterator(chunk_size=2000):
            start, end = _local(m["slot__starts_at"], zone), _local(m["slot__ends_at"], zone)
            yield [
                start.date(),
                start.time(),
                end.time(),
                m["place"],
                m["table__number"],
                m["company__trade_name"] or m["company__legal_name"],
                m["delegate__full_name"],
                m["operator__name"],
                kinds.get(m["operator__kind"], ""),
                statuses[m["status"]],
                origins.get(m["origin"], m["origin"]),
                yes if m["locked"] else no,
                _local(m["company_confirmed_at"], zone),
                _local(m["operator_confirmed_at"], zone),
                yes if m["pk"] in no_language else no,
            ]

    return Export(_("schedule"), _("Schedule"), columns, rows())


# Requests ----------------------------------------------------------------------------------


REQUEST_FIELDS = (
    "company_id", "operator_id", "company__legal_name", "company__trade_name", "operator__name",
    "side", "priority", "status", "message", "created_at", "responded_at",
)  # fmt: skip


def requests_export(mission: Mission) -> Export:
    """Every meeting request, with whether the other side asked too (a mutual wish)."""
    zone, name = mission.tzinfo, mission.timezone
    columns = [
        Column(_("Moroccan firm"), 28),
        Column(_("Operator"), 28),
        Column(_label(MeetingRequest, "side"), 20),
        Column(_("Priority"), 14),
        Column(_("Status"), 12),
        Column(_("Mutual wish"), 10),
        Column(_("Message"), 60),
        Column(_zoned(_label(MeetingRequest, "created_at"), name), 18, DATETIME),
        Column(_zoned(_label(MeetingRequest, "responded_at"), name), 18, DATETIME),
    ]
    sides = labels(Side)
    priorities = labels(Priority)
    statuses = labels(RequestStatus)
    yes, no = _yes_no()
    requests = list(
        MeetingRequest.objects.filter(mission=mission)
        .order_by(Lower("company__legal_name"), Lower("operator__name"), "side")
        .values(*REQUEST_FIELDS)
    )
    # A wish is mutual when both sides asked for the pair and neither withdrew.
    asked = {side: set() for side in Side.values}
    for r in requests:
        if r["status"] != RequestStatus.WITHDRAWN:
            asked[r["side"]].add((r["company_id"], r["operator_id"]))
    mutual = asked[Side.COMPANY] & asked[Side.OPERATOR]

    def rows():
        for r in requests:
            yield [
                r["company__trade_name"] or r["company__legal_name"],
                r["operator__name"],
                sides[r["side"]],
                priorities.get(r["priority"], r["priority"]),
                statuses[r["status"]],
                yes if (r["company_id"], r["operator_id"]) in mutual else no,
                r["message"],
                _local(r["created_at"], zone),
                _local(r["responded_at"], zone),
            ]

    return Export(_("requests"), _("Requests"), columns, rows())


# Outcomes ----------------------------------------------------------------------------------


def _latest_feedback(mission: Mission) -> dict[tuple[int, str], dict]:
    """Per meeting and side: the rating given right after the mission, and the outcome and value
    of the latest stage answered (6 months, else 3 months, else right after)."""
    order = {stage: i for i, stage in enumerate(FeedbackStage.values)}
    latest: dict[tuple[int, str], dict] = {}
    answers = MeetingFeedback.objects.filter(meeting__mission=mission).values(
        "meeting_id", "side", "stage", "rating", "outcome", "estimated_value"
    )
    for f in sorted(answers, key=lambda f: order[f["stage"]]):
        entry = latest.setdefault((f["meeting_id"], f["side"]), {"rating": None})
        if f["stage"] == FeedbackStage.AFTER:
            entry["rating"] = f["rating"]
        entry.update(outcome=f["outcome"], value=f["estimated_value"])
    return latest


def outcomes_export(mission: Mission) -> Export:
    """Every meeting, cancelled ones included, with what became of it: held, no-show, cancelled
    (with the reason), or still to come; and each side's feedback (the rating after the mission,
    the outcome and value of its latest answer). Every answer is in the feedback export."""
    zone, name = mission.tzinfo, mission.timezone
    columns = [
        Column(_("Day"), 12, DATE),
        Column(_zoned(_label(Slot, "starts_at"), name), 12, TIME),
        Column(_name(Table), 8, NUMBER),
        Column(_("Moroccan firm"), 28),
        Column(_name(Delegate), 24),
        Column(_("Operator"), 28),
        Column(_("Operator country"), 16),
        Column(_("Outcome"), 14),
        Column(_label(Meeting, "cancel_reason"), 40),
        Column(_label(Meeting, "company_confirmed_at"), 14),
        Column(_label(Meeting, "operator_confirmed_at"), 14),
        Column(_("Rating by the firm (1 to 5)"), 12, NUMBER),
        Column(_("Latest outcome reported by the firm"), 20),
        Column(_("Value estimated by the firm (MAD)"), 16, NUMBER),
        Column(_("Rating by the operator (1 to 5)"), 12, NUMBER),
        Column(_("Latest outcome reported by the operator"), 20),
        Column(_("Value estimated by the operator (MAD)"), 16, NUMBER),
    ]
    statuses = labels(MeetingStatus)
    outcomes = labels(FeedbackOutcome)
    country_names = dict(countries)
    yes, no = _yes_no()
    latest = _latest_feedback(mission)
    nothing = {"rating": None, "outcome": None, "value": None}

    def rows():
        for m in _meetings(mission).iterator(chunk_size=2000):
            start = _local(m["slot__starts_at"], zone)
            row = [
                start.date(),
                start.time(),
                m["table__number"],
                m["company__trade_name"] or m["company__legal_name"],
                m["delegate__full_name"],
                m["operator__name"],
                str(country_names.get(m["operator__country"], m["operator__country"])),
                statuses[m["status"]],
                m["cancel_reason"],
                yes if m["company_confirmed_at"] else no,
                yes if m["operator_confirmed_at"] else no,
            ]
            for side in (Side.COMPANY, Side.OPERATOR):
                feedback = latest.get((m["pk"], side), nothing)
                row += [
                    feedback["rating"],
                    outcomes.get(feedback["outcome"], ""),
                    feedback["value"],
                ]
            yield row

    return Export(_("outcomes"), _("Outcomes"), columns, rows())


FEEDBACK_FIELDS = (
    "meeting__slot__starts_at", "meeting__company__legal_name", "meeting__company__trade_name",
    "meeting__operator__name", "meeting__status", "side", "stage", "rating", "outcome",
    "estimated_value", "comment", "submitted_by__full_name", "updated_at",
)  # fmt: skip


def feedback_export(mission: Mission) -> Export:
    """Every feedback answer: per meeting, side and stage (after the mission, 3 and 6 months
    later), the rating, the outcome, the estimated value and the comment."""
    zone, name = mission.tzinfo, mission.timezone
    columns = [
        Column(_("Day"), 12, DATE),
        Column(_zoned(_label(Slot, "starts_at"), name), 12, TIME),
        Column(_("Moroccan firm"), 28),
        Column(_("Operator"), 28),
        Column(_("Meeting status"), 14),
        Column(_label(MeetingFeedback, "side"), 20),
        Column(_label(MeetingFeedback, "stage"), 18),
        Column(_("Rating (1 to 5)"), 10, NUMBER),
        Column(_label(MeetingFeedback, "outcome"), 20),
        Column(_label(MeetingFeedback, "estimated_value"), 16, NUMBER),
        Column(_label(MeetingFeedback, "comment"), 60),
        Column(_label(MeetingFeedback, "submitted_by"), 22),
        Column(_zoned(_label(MeetingFeedback, "updated_at"), name), 18, DATETIME),
    ]
    statuses = labels(MeetingStatus)
    sides = labels(Side)
    stages = labels(FeedbackStage)
    outcomes = labels(FeedbackOutcome)
    answers = feedback_for_mission(mission=mission).values(*FEEDBACK_FIELDS)

    def rows():
        for f in answers.iterator(chunk_size=2000):
            start = _local(f["meeting__slot__starts_at"], zone)
            yield [
                start.date(),
                start.time(),
                f["meeting__company__trade_name"] or f["meeting__company__legal_name"],
                f["meeting__operator__name"],
                statuses[f["meeting__status"]],
                sides[f["side"]],
                stages[f["stage"]],
                f["rating"],
                outcomes.get(f["outcome"], f["outcome"]),
                f["estimated_value"],
                f["comment"],
                f["submitted_by__full_name"] or "",
                _local(f["updated_at"], zone),
            ]

    return Export(_("feedback"), _("Feedback"), columns, rows())


KINDS: dict[str, Kind] = {
    "participants": Kind(
        participants_export,
        lambda: _("Participants"),
        lambda: _(
            "Approved firms with their delegates and portal accounts, confirmed operators with "
            "their contacts: one row per person."
        ),
    ),
    "schedule": Kind(
        schedule_export,
        lambda: _("Schedule"),
        lambda: _(
            "Every meeting still planned: day, times, place and table, both sides, status, "
            "origin, and when each side confirmed its attendance."
        ),
    ),
    "requests": Kind(
        requests_export,
        lambda: _("Requests"),
        lambda: _(
            "Every meeting request: who asked, the priority, the status, whether the wish is "
            "mutual, and the message."
        ),
    ),
    "outcomes": Kind(
        outcomes_export,
        lambda: _("Outcomes"),
        lambda: _(
            "Every meeting, cancelled ones included: held, no-show, cancelled with its reason, "
            "or still to come; with each side's rating, latest outcome and estimated value."
        ),
    ),
    "feedback": Kind(
        feedback_export,
        lambda: _("Feedback"),
        lambda: _(
            "Every feedback answer, after the mission and 3 and 6 months later: side, rating, "
            "outcome, estimated value and comment."
        ),
    ),
}


def export_filename(mission: Mission, name: str, extension: str) -> str:
    """``<mission slug>-<export>-<date of the day in the mission's zone>.<extension>``."""
    today = timezone.now().astimezone(mission.tzinfo).date()
    return f"{mission.slug}-{slugify(name)}-{today:%Y-%m-%d}.{extension}"


# Writers -----------------------------------------------------------------------------------

# A spreadsheet reads a cell that begins with one of these as a formula (CWE-1236, OWASP's
# "CSV injection"): '=', '+', '-' and '@' as typed, tab and carriage return because some
# spreadsheets skip them first; and their full-width and small forms, which some spreadsheets
# fold into the plain ones.
FORMULA_TRIGGERS = (
    "=", "+", "-", "@", "\t", "\r",
    "\uff1d", "\uff0b", "\uff0d", "\uff20",  # full width: ＝ ＋ － ＠
    "\ufe66", "\ufe62", "\ufe63", "\ufe6b",  # small: ﹦ ﹢ ﹣ ﹫
)  # fmt: skip


def _first_visible(value: str) -> str:
    """The first character a reader sees: spreadsheets and forms keep, and some spreadsheets
    skip, leading white space, format characters (a byte order mark, a zero-width space) and
    control characters, so a value may hide a formula behind them."""
    for char in value:
        if not char.isspace() and unicodedata.category(char) not in ("Cf", "Cc"):
            return char
    return ""


def safe_text(value: str) -> str:
    """Text that a spreadsheet shows as typed and never runs: a leading ``'`` before a value
    whose first visible character (or whose very first) would begin a formula. Every text
    cell of every export goes through here; numbers, dates and times are left as they are."""
    if value.startswith(FORMULA_TRIGGERS) or _first_visible(value).startswith(FORMULA_TRIGGERS):
        return f"'{value}"
    return value


def csv_delimiter() -> str:
    """Excel reads a CSV with the list separator of its locale: ';' in French and in Arabic
    (Morocco's Excel writes decimals with a comma in both), ',' in English."""
    return ";" if (get_language() or "fr")[:2] in ("fr", "ar") else ","


def _csv_value(value, kind: str, decimal_comma: bool = False):
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, date | time):
        return value.strftime(CSV_FORMATS[kind])
    if isinstance(value, Decimal) and decimal_comma:
        return str(value).replace(".", ",")
    return value


class _Echo:
    """A file-like object whose ``write`` hands the line back, for a streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(
    export: Export, *, delimiter: str = ",", rows_per_chunk: int = 500
) -> Iterator[bytes]:
    """The CSV in UTF-8, byte order mark first (so that Excel reads it as UTF-8), in chunks."""
    writer = csv.writer(_Echo(), delimiter=delimiter)
    kinds = [c.kind for c in export.columns]
    # Where ';' separates the columns, ',' separates the decimals (French Excel).
    comma = delimiter == ";"
    chunk = ["\ufeff", writer.writerow([safe_text(c.heading) for c in export.columns])]
    for row in export.rows:
        chunk.append(
            writer.writerow([_csv_value(v, k, comma) for v, k in zip(row, kinds, strict=True)])
        )
        if len(chunk) >= rows_per_chunk:
            yield "".join(chunk).encode()
            chunk = []
    if chunk:
        yield "".join(chunk).encode()


def _sheet_title(title: str) -> str:
    # Excel refuses these characters in a sheet name, and names longer than 31 characters.
    return "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Sheet"


def _xlsx_text(sheet, value: str) -> WriteOnlyCell:
    """A cell typed as a string: openpyxl would write a value that begins with '=' as a
    formula. Control characters that XML cannot hold (openpyxl refuses them) are dropped."""
    cell = WriteOnlyCell(sheet, value=safe_text(ILLEGAL_CHARACTERS_RE.sub("", value)))
    cell.data_type = "s"
    return cell


def xlsx_bytes(exports: list[Export]) -> bytes:
    """One sheet per export: a bold, frozen, filterable header row, set column widths, and
    dates and times as real spreadsheet dates and times; right to left in Arabic. Every text
    is a string cell, never a formula (see ``safe_text``)."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    for export in exports:
        sheet = workbook.create_sheet(title=_sheet_title(export.title))
        sheet.freeze_panes = "A2"
        # An Arabic export reads from right to left: column A on the right, as Excel shows a
        # sheet made in Arabic.
        sheet.sheet_view.rightToLeft = bool(get_language_bidi())
        for number, column in enumerate(export.columns, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = column.width
        header = []
        for column in export.columns:
            cell = _xlsx_text(sheet, column.heading)
            cell.font, cell.alignment = bold, wrap
            header.append(cell)
        sheet.append(header)
        formats = [XLSX_FORMATS.get(c.kind) for c in export.columns]
        count = 0
        for row in export.rows:
            cells = []
            for value, number_format in zip(row, formats, strict=True):
                if isinstance(value, str):
                    cells.append(_xlsx_text(sheet, value))
                elif number_format and value is not None:
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = number_format
                    cells.append(cell)
                else:
                    cells.append(value)
            sheet.append(cells)
            count += 1
        last = get_column_letter(len(export.columns))
        sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
