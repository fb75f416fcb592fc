"""Feedback on each meeting after the mission (issues 6 and 7).

Once a mission is closed, each active contact of each side of each meeting that took place gets
an e-mail asking what came of it, a reminder 7 days later if their side has not answered, and
the same questions again 3 and 6 months after the mission's last day. Each e-mail carries a
link signed for one reader, one meeting and one stage: no login is needed to answer, and the
answer of a side at a stage can be changed from the same link (one row per meeting, side and
stage, see ``MeetingFeedback``).

Writes first (links, answers, e-mails), then the reads that the staff cockpit uses.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, IntegerField, Max, Prefetch, Q, QuerySet, Sum, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.locking import lock
from matchmaking.attendance import link_reader, reader_digest, signed_link_read
from matchmaking.models import Meeting, MeetingStatus, Side
from matchmaking.services import MatchmakingError
from missions.models import Mission, MissionStatus, MissionTransition
from outbox.models import Email
from outbox.services import email_send, message_key, recipients_for_users

from .models import FeedbackOutcome, FeedbackStage, MeetingFeedback

FEEDBACK_SALT = "matchmaking.feedback"
# A link stays usable long enough to come back and change one's answer, not forever.
FEEDBACK_MAX_AGE = timedelta(days=90)
REMINDER_AFTER = timedelta(days=7)
# A message is sent only during this long after it falls due: a mission closed long before this
# feature (or before a long outage of beat) does not get every stage's e-mails at once.
SEND_WINDOW = timedelta(days=30)
# The follow-up surveys go at this hour (mission time), so many months after the last day.
SURVEY_HOUR = time(9, 0)
SURVEY_MONTHS = {FeedbackStage.MONTHS_3: 3, FeedbackStage.MONTHS_6: 6}
REQUEST, REMINDER = "request", "reminder"
TEMPLATE = "meeting_feedback"

# A meeting took place unless it was cancelled or a side did not come.
TOOK_PLACE = ~Q(status__in=[MeetingStatus.CANCELLED, MeetingStatus.NO_SHOW])


class FeedbackError(MatchmakingError):
    """An answer was refused; the message is for the reader."""


class FeedbackLinkError(FeedbackError):
    """The link cannot be used. ``status`` is the HTTP answer: 400 for a forged or damaged link,
    410 for one that is gone (expired, meeting cancelled or not held), 409 for one that comes
    too early (the mission is not closed)."""

    def __init__(self, message: str, *, status: int = 410):
        super().__init__(message)
        self.status = status


# --- Links --------------------------------------------------------------------------------------


def feedback_token(meeting: Meeting, email: str, stage: str) -> str:
    """A signed token for one reader of one meeting at one stage."""
    return signing.dumps(
        {"m": meeting.pk, "r": reader_digest(email), "s": str(stage)}, salt=FEEDBACK_SALT
    )


def feedback_url(meeting: Meeting, email: str, stage: str) -> str:
    token = feedback_token(meeting, email, stage)
    return settings.SITE_URL.rstrip("/") + reverse("feedback:feedback", args=[token])


@dataclass(frozen=True)
class FeedbackReader:
    """Who a link speaks for: the meeting, the side, the stage, the reader, and the answer of
    that side at that stage if there is one."""

    meeting: Meeting
    side: str
    stage: str
    user: User
    feedback: MeetingFeedback | None = None

    @property
    def stage_label(self) -> str:
        return FeedbackStage(self.stage).label


def feedback_check(token: str) -> FeedbackReader:
    """The meeting, side and stage a link answers for, or FeedbackLinkError with the reason."""
    data = signed_link_read(
        token, salt=FEEDBACK_SALT, max_age=FEEDBACK_MAX_AGE, error=FeedbackLinkError
    )
    if data.get("s") not in FeedbackStage.values:
        raise FeedbackLinkError(
            _("This link is not valid. Copy the whole address from the e-mail."), status=400
        )
    meeting = (
        Meeting.objects.select_related(
            "mission", "company", "operator", "delegate", "slot__session", "table"
        )
        .filter(pk=data.get("m"))
        .first()
    )
    if meeting is None:
        raise FeedbackLinkError(_("This meeting no longer exists."))
    if meeting.status == MeetingStatus.CANCELLED:
        raise FeedbackLinkError(_("This meeting has been cancelled."))
    if meeting.status == MeetingStatus.NO_SHOW:
        raise FeedbackLinkError(_("This meeting did not take place: there is nothing to rate."))
    if meeting.mission.status != MissionStatus.CLOSED:
        raise FeedbackLinkError(
            _("Feedback opens once the mission is over and closed by the agency."), status=409
        )
    user = link_reader(data, meeting)
    if user and user.company_id == meeting.company_id:
        side = Side.COMPANY
    elif user and user.operator_id == meeting.operator_id:
        side = Side.OPERATOR
    else:
        raise FeedbackLinkError(_("This link is no longer valid for your account."))
    feedback = MeetingFeedback.objects.filter(meeting=meeting, side=side, stage=data["s"]).first()
    return FeedbackReader(meeting=meeting, side=side, stage=data["s"], user=user, feedback=feedback)


# --- Answers ------------------------------------------------------------------------------------


def _clean(data: dict, stage: str) -> dict:
    """The answer's fields, checked as the database will check them, with readable refusals."""
    outcome = data.get("outcome")
    if outcome not in FeedbackOutcome.values:
        raise FeedbackError(_("Choose what came of the meeting."))
    rating = data.get("rating")
    if rating in ("", None):
        rating = None
    else:
        try:
            rating = int(rating)
        except (TypeError, ValueError) as exc:
            raise FeedbackError(_("The rating goes from 1 to 5.")) from exc
        if not 1 <= rating <= 5:
            raise FeedbackError(_("The rating goes from 1 to 5."))
    if rating is None and stage == FeedbackStage.AFTER:
        raise FeedbackError(_("Rate the meeting from 1 to 5."))
    value = data.get("estimated_value")
    if value in ("", None):
        value = None
    else:
        try:
            value = Decimal(str(value))
        except InvalidOperation as exc:
            raise FeedbackError(_("Give the estimated value as an amount in dirhams.")) from exc
        if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
            raise FeedbackError(_("Give the estimated value as an amount in dirhams."))
        value = value.quantize(Decimal("0.01"))
    comment = str(data.get("comment") or "").strip()
    if len(comment) > 2000:
        raise FeedbackError(_("The comment is too long (2,000 characters at most)."))
    return {"rating": rating, "outcome": outcome, "estimated_value": value, "comment": comment}


@transaction.atomic
def feedback_submit(*, token: str, data: dict) -> MeetingFeedback:
    """Record (or replace) the answer of the reader's side at the link's stage.

    ``data`` holds ``rating`` (1 to 5; may be empty in the follow-up surveys), ``outcome``,
    ``estimated_value`` (dirhams, may be empty) and ``comment``.
    """
    reader = feedback_check(token)
    values = _clean(data, reader.stage)
    # Two people of one side answering at once are served one after the other.
    lock(Meeting.objects.filter(pk=reader.meeting.pk)).first()
    try:
        with transaction.atomic():
            feedback, _created = MeetingFeedback.objects.update_or_create(
                meeting=reader.meeting,
                side=reader.side,
                stage=reader.stage,
                defaults={**values, "submitted_by": reader.user},
            )
    except IntegrityError as exc:
        raise FeedbackError(
            _("Your answer could not be saved. Check it and send it again.")
        ) from exc
    return feedback


# --- E-mails (Celery beat) ----------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def feedback_schedule(mission: Mission, closed_at: datetime) -> dict[str, datetime]:
    """When each stage's request falls due: at closing for the first one, 3 and 6 months after
    the last day (09:00 mission time) for the surveys, never before the closing."""
    base = mission.end_date or timezone.localtime(closed_at, mission.tzinfo).date()
    due = {FeedbackStage.AFTER.value: closed_at}
    for stage, months in SURVEY_MONTHS.items():
        at = datetime.combine(_add_months(base, months), SURVEY_HOUR, tzinfo=mission.tzinfo)
        due[stage.value] = max(at, closed_at)
    return due


def _event(meeting: Meeting, side: str, stage: str, kind: str) -> str:
    return f"meeting-feedback:{meeting.pk}:{side}:{stage}:{kind}"


def _mission_send(mission: Mission, due: list[tuple[str, str]], now: datetime) -> int:
    active = User.objects.filter(is_active=True).order_by("pk")
    meetings = list(
        Meeting.objects.filter(TOOK_PLACE, mission=mission)
        .select_related("company", "operator")
        .prefetch_related(
            Prefetch("company__members", queryset=active, to_attr="active_members"),
            Prefetch("operator__contacts", queryset=active, to_attr="active_contacts"),
        )
        .order_by("slot__starts_at", "pk")
    )
    answered = set(
        MeetingFeedback.objects.filter(meeting__mission=mission).values_list(
            "meeting_id", "side", "stage"
        )
    )
    recorded = dict(
        Email.objects.filter(mission=mission, template=TEMPLATE).values_list("key", "created_at")
    )
    sent = 0
    for stage, kind in due:
        for meeting in meetings:
            for side, people in (
                (Side.COMPANY, meeting.company.active_members),
                (Side.OPERATOR, meeting.operator.active_contacts),
            ):
                if kind == REMINDER and (meeting.pk, side, stage) in answered:
                    continue
                for user in people:
                    event = _event(meeting, side, stage, kind)
                    if message_key(event, user.email) in recorded:
                        continue  # already recorded by an earlier run: nothing to queue again
                    if kind == REMINDER:
                        # A reminder follows this reader's own request by 7 days at least.
                        request_key = message_key(_event(meeting, side, stage, REQUEST), user.email)
                        asked = recorded.get(request_key)
                        if asked is None or asked > now - REMINDER_AFTER:
                            continue
                    email_send(
                        event=event,
                        mission=mission,
                        recipients=recipients_for_users([user]),
                        template=TEMPLATE,
                        context={
                            "meeting": meeting,
                            "mission": mission,
                            "stage": stage,
                            "side": side,
                            "reminder": kind == REMINDER,
                            "feedback_url": feedback_url(meeting, user.email, stage),
                        },
                    )
                    sent += 1
    return sent


def feedback_requests_send(*, now: datetime | None = None) -> int:
    """Ask for feedback on the meetings of closed missions: each stage's request when it falls
    due, its reminder 7 days later to the readers whose side has not answered. Run every hour by
    Celery beat; the outbox's keys (one per meeting, side, stage, kind and reader) make a second
    run send nothing. Returns the number of messages recorded."""
    now = now or timezone.now()
    longest = max(SURVEY_MONTHS.values()) * timedelta(days=31) + REMINDER_AFTER + SEND_WINDOW
    missions = list(
        Mission.objects.filter(status=MissionStatus.CLOSED).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=(now - longest).date())
        )
    )
    closed = dict(
        MissionTransition.objects.filter(mission__in=missions, to_status=MissionStatus.CLOSED)
        .values("mission")
        .annotate(at=Max("at"))
        .values_list("mission", "at")
    )
    sent = 0
    for mission in missions:
        # A mission closed by a raw edit has no recorded transition: its last change stands in.
        closed_at = closed.get(mission.pk) or mission.updated_at
        due = [
            (stage, kind)
            for stage, at in feedback_schedule(mission, closed_at).items()
            for kind, start in ((REQUEST, at), (REMINDER, at + REMINDER_AFTER))
            if start <= now < start + SEND_WINDOW
        ]
        if due:
            with transaction.atomic():
                sent += _mission_send(mission, due, now)
    return sent


# --- Reads (the staff cockpit) ------------------------------------------------------------------

_STAGE_ORDER = Case(
    *(When(stage=stage, then=Value(i)) for i, stage in enumerate(FeedbackStage.values)),
    output_field=IntegerField(),
)


@dataclass(frozen=True)
class StageFigures:
    answers: int
    outcomes: dict[str, int]  # every outcome, zero included
    average_rating: float | None
    deal_value: Decimal  # estimated values of the "deal signed" answers of this stage


@dataclass(frozen=True)
class FeedbackFigures:
    """One mission's feedback. ``deals`` and ``deal_value`` count each meeting once: when both
    sides, or several stages, report a deal signed, its value is the largest one reported (the
    same deal told twice is not two deals)."""

    meetings: int  # meetings that took place
    answers: int
    stages: dict[str, StageFigures]
    average_rating: float | None
    deals: int
    deal_value: Decimal


def feedback_figures(*, mission: Mission) -> FeedbackFigures:
    """Counts by stage and outcome, average ratings and deals of a mission, in three queries."""
    rows = (
        MeetingFeedback.objects.filter(meeting__mission=mission)
        .values("stage", "outcome")
        .annotate(
            n=Count("pk"),
            rated=Count("rating"),
            rating_sum=Sum("rating"),
            value=Sum("estimated_value"),
        )
        .order_by()
    )
    per_stage = {
        s: {"outcomes": dict.fromkeys(FeedbackOutcome.values, 0), "rated": 0, "sum": 0, "value": 0}
        for s in FeedbackStage.values
    }
    for row in rows:
        figures = per_stage[row["stage"]]
        figures["outcomes"][row["outcome"]] += row["n"]
        figures["rated"] += row["rated"]
        figures["sum"] += row["rating_sum"] or 0
        if row["outcome"] == FeedbackOutcome.DEAL:
            figures["value"] += row["value"] or 0
    stages = {
        stage: StageFigures(
            answers=sum(f["outcomes"].values()),
            outcomes=f["outcomes"],
            average_rating=f["sum"] / f["rated"] if f["rated"] else None,
            deal_value=Decimal(f["value"]),
        )
        for stage, f in per_stage.items()
    }
    rated = sum(f["rated"] for f in per_stage.values())
    per_meeting = (
        MeetingFeedback.objects.filter(meeting__mission=mission, outcome=FeedbackOutcome.DEAL)
        .values("meeting")
        .annotate(value=Max("estimated_value"))
        .order_by()
        .values_list("value", flat=True)
    )
    deal_values = list(per_meeting)
    return FeedbackFigures(
        meetings=Meeting.objects.filter(TOOK_PLACE, mission=mission).count(),
        answers=sum(s.answers for s in stages.values()),
        stages=stages,
        average_rating=(sum(f["sum"] for f in per_stage.values()) / rated if rated else None),
        deals=len(deal_values),
        deal_value=sum((v or Decimal(0) for v in deal_values), Decimal(0)),
    )


def feedback_for_mission(*, mission: Mission) -> QuerySet[MeetingFeedback]:
    """Every answer of a mission, in meeting order, then stage (after, 3, 6 months), then side."""
    return (
        MeetingFeedback.objects.filter(meeting__mission=mission)
        .select_related("meeting__company", "meeting__operator", "meeting__slot", "submitted_by")
        .annotate(stage_order=_STAGE_ORDER)
        .order_by("meeting__slot__starts_at", "meeting_id", "stage_order", "side")
    )
