"""The mission report for the agency's management: what the mission produced, as a page and as
an A4 PDF (``dashboard/views_report.py``).

Meetings planned, held, no-shows and cancelled, attendance confirmed by both sides, feedback
received and its outcomes at each stage (after the mission, 3 and 6 months later), deals and
their estimated value; then the same figures by sector of the Moroccan firm and by country of
the operator. Everything is counted by the database: eight queries whatever the number of
meetings or answers.

A deal is a meeting for which at least one side reported "deal signed"; it counts once, at the
largest value reported for it (as in ``matchmaking.feedback.feedback_figures``).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django_countries import countries

from companies.models import Sector
from matchmaking.models import ACTIVE, BOTH_CONFIRMED, Meeting, MeetingStatus
from missions.models import Mission

from .models import FeedbackOutcome, FeedbackStage, MeetingFeedback
from .services import FeedbackFigures, feedback_figures

STAGES = tuple(FeedbackStage.values)
# Each meeting that took place may get one answer per side and stage.
SIDES = 2


# --- Formatting (in the active language) ----------------------------------------------------


def amount(value: Decimal | int | None) -> str:
    """Dirhams without cents, grouped by thousands the way the reader's language writes them."""
    return number_format(round(value or 0), decimal_pos=0, force_grouping=True)


def percent(part: int, whole: int) -> str:
    if not whole:
        return "—"
    return _("%(percent)s%%") % {"percent": number_format(round(100 * part / whole))}


def rating(value: float | None) -> str:
    return "—" if value is None else number_format(value, decimal_pos=1)


# --- Figures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """The figures of a set of meetings: the whole mission, or one sector or country."""

    planned: int  # booked and not cancelled
    held: int
    no_show: int
    cancelled: int
    confirmed: int  # attendance confirmed by both sides (of the planned meetings)
    deals: int  # meetings with a deal signed, each once
    deal_value: Decimal
    answers: dict[str, int]  # answers received per stage, both sides

    @property
    def not_recorded(self) -> int:
        return self.planned - self.held - self.no_show

    @property
    def took_place(self) -> int:
        """Planned meetings but the no-shows (as ``matchmaking.feedback.TOOK_PLACE``)."""
        return self.planned - self.no_show

    @property
    def held_rate(self) -> str:
        return percent(self.held, self.planned)

    @property
    def no_show_rate(self) -> str:
        return percent(self.no_show, self.planned)

    @property
    def confirmed_rate(self) -> str:
        return percent(self.confirmed, self.planned)

    @property
    def value(self) -> str:
        return amount(self.deal_value)

    def answer_rate(self, stage: str) -> str:
        return percent(self.answers.get(stage, 0), SIDES * self.took_place)

    @property
    def answers_by_stage(self) -> list[tuple[int, str]]:
        """(answers, rate) at each stage, in stage order, for the tables."""
        return [(self.answers.get(s, 0), self.answer_rate(s)) for s in STAGES]


@dataclass(frozen=True)
class Group:
    """A row of the tables by sector or by country."""

    key: object
    label: str
    figures: Figures


@dataclass(frozen=True)
class StageRow:
    """A row of the table of the stages: a label, a cell per stage, then the whole."""

    label: str
    cells: list[str]
    total: str
    key: str = ""


@dataclass(frozen=True)
class Breakdown:
    """A table of the report by sector or by country, with what its rows mean."""

    key: str
    title: str
    heading: str
    note: str
    groups: list[Group]


@dataclass(frozen=True)
class MissionReport:
    mission: Mission
    generated_at: datetime
    totals: Figures
    feedback: FeedbackFigures
    stage_labels: list[str]
    stage_rows: list[StageRow]
    sectors: list[Group]
    countries: list[Group]

    @property
    def breakdowns(self) -> list[Breakdown]:
        return [
            Breakdown(
                "sectors",
                _("By sector"),
                _("Sector"),
                _(
                    "The sectors of the Moroccan firm's offer. A firm in several sectors counts "
                    "in each of them: the rows add up to more than the whole mission."
                ),
                self.sectors,
            ),
            Breakdown(
                "countries",
                _("By country"),
                _("Country"),
                _("The operator's country."),
                self.countries,
            ),
        ]


def _deal_answers(**stage) -> QuerySet[MeetingFeedback]:
    return MeetingFeedback.objects.filter(
        meeting=OuterRef("pk"), outcome=FeedbackOutcome.DEAL, **stage
    )


def _deal_value(**stage) -> Subquery:
    """The largest value reported for the outer meeting's deal (a deal told by both sides or at
    several stages is one deal)."""
    return Subquery(
        _deal_answers(**stage)
        .order_by()
        .values("meeting")
        .annotate(top=Max("estimated_value"))
        .values("top")
    )


def _meeting_aggregates() -> dict:
    return {
        "planned": Count("pk", filter=ACTIVE),
        "held": Count("pk", filter=Q(status=MeetingStatus.HELD)),
        "no_show": Count("pk", filter=Q(status=MeetingStatus.NO_SHOW)),
        "cancelled": Count("pk", filter=Q(status=MeetingStatus.CANCELLED)),
        "confirmed": Count("pk", filter=ACTIVE & BOTH_CONFIRMED),
        "deals": Count("pk", filter=Exists(_deal_answers())),
        "deal_value": Sum(_deal_value()),
    }


def _figures(row: dict, answers: dict[str, int]) -> Figures:
    return Figures(
        planned=row["planned"],
        held=row["held"],
        no_show=row["no_show"],
        cancelled=row["cancelled"],
        confirmed=row["confirmed"],
        deals=row["deals"],
        deal_value=Decimal(row["deal_value"] or 0),
        answers=answers,
    )


def _answers_by(mission: Mission, field: str) -> dict:
    """Answers per group (``field`` of the meeting) and stage, in one query."""
    found: dict = {}
    rows = (
        MeetingFeedback.objects.filter(meeting__mission=mission)
        .values(f"meeting__{field}", "stage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        found.setdefault(row[f"meeting__{field}"], {})[row["stage"]] = row["n"]
    return found


def _groups(mission: Mission, fields: tuple[str, ...], label) -> list[Group]:
    """The figures per value of ``fields[0]`` (the other fields name it), in two queries."""
    key = fields[0]
    answers = _answers_by(mission, key)
    rows = (
        Meeting.objects.filter(mission=mission)
        .values(*fields)
        .annotate(**_meeting_aggregates())
        .order_by()
    )
    groups = [Group(row[key], label(row), _figures(row, answers.get(row[key], {}))) for row in rows]
    # The largest first; what is not given at the end.
    return sorted(groups, key=lambda g: (g.key in (None, ""), -g.figures.planned, g.label.lower()))


def _sector_label(row: dict) -> str:
    if row["company__sectors__pk"] is None:
        return _("No sector given")
    return Sector.label(row, prefix="company__sectors__")


def _country_label(row: dict) -> str:
    code = row["operator__country"]
    if not code:
        return _("No country given")
    return str(countries.name(code)) or code


def _stage_rows(totals: Figures, feedback: FeedbackFigures, stage_deals: dict) -> list[StageRow]:
    stages = [feedback.stages[s] for s in STAGES]
    rows = [
        StageRow(
            _("Answers received"),
            [str(s.answers) for s in stages],
            str(feedback.answers),
            "answers",
        ),
        StageRow(
            _("Answer rate"),
            [totals.answer_rate(s) for s in STAGES],
            "—",
            "rate",
        ),
    ]
    for outcome in FeedbackOutcome:
        rows.append(
            StageRow(
                str(outcome.label),
                [str(s.outcomes[outcome.value]) for s in stages],
                str(sum(s.outcomes[outcome.value] for s in stages)),
                f"outcome-{outcome.value}",
            )
        )
    rows += [
        StageRow(
            _("Average rating (1 to 5)"),
            [rating(s.average_rating) for s in stages],
            rating(feedback.average_rating),
            "rating",
        ),
        StageRow(
            _("Deals signed (meetings)"),
            [str(stage_deals[f"deals_{s}"]) for s in STAGES],
            str(feedback.deals),
            "deals",
        ),
        StageRow(
            _("Estimated value of the deals (MAD)"),
            [amount(stage_deals[f"value_{s}"]) for s in STAGES],
            amount(feedback.deal_value),
            "value",
        ),
    ]
    return rows


def mission_report(*, mission: Mission) -> MissionReport:
    """Everything the report shows, in eight queries whatever the size of the mission."""
    feedback = feedback_figures(mission=mission)  # three queries
    per_stage = {}
    for stage in STAGES:
        per_stage[f"deals_{stage}"] = Count("pk", filter=Exists(_deal_answers(stage=stage)))
        per_stage[f"value_{stage}"] = Sum(_deal_value(stage=stage))
    row = Meeting.objects.filter(mission=mission).aggregate(**_meeting_aggregates(), **per_stage)
    answers = {s: feedback.stages[s].answers for s in STAGES}
    totals = _figures(row, answers)
    return MissionReport(
        mission=mission,
        generated_at=timezone.now(),
        totals=totals,
        feedback=feedback,
        stage_labels=[str(label) for label in FeedbackStage.labels],
        stage_rows=_stage_rows(totals, feedback, row),
        sectors=_groups(
            mission,
            ("company__sectors__pk", *(f"company__sectors__{f}" for f in Sector.NAME_FIELDS)),
            _sector_label,
        ),
        countries=_groups(mission, ("operator__country",), _country_label),
    )
