from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from matchmaking.models import Side


class FeedbackStage(models.TextChoices):
    AFTER = "after", _("After the mission")
    MONTHS_3 = "3_months", _("3 months later")
    MONTHS_6 = "6_months", _("6 months later")


class FeedbackOutcome(models.TextChoices):
    NO_INTEREST = "no_interest", _("No interest")
    FOLLOW_UP = "follow_up", _("Follow-up planned")
    PROPOSAL = "proposal", _("Proposal sent")
    DEAL = "deal", _("Deal signed")


class MeetingFeedback(models.Model):
    """One side's answer about one meeting, at one stage: right after the mission, then the
    follow-up surveys 3 and 6 months later. A later answer of the same side and stage replaces
    the former one (see ``feedback.services``)."""

    Stage = FeedbackStage
    Outcome = FeedbackOutcome

    meeting = models.ForeignKey(
        "matchmaking.Meeting",
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="feedback",
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    stage = models.CharField(_("stage"), max_length=10, choices=FeedbackStage.choices)
    # Asked right after the mission; optional in the follow-up surveys.
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=FeedbackOutcome.choices)
    estimated_value = models.DecimalField(
        _("estimated value (MAD)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["meeting", "stage", "side"]
        verbose_name = _("meeting feedback")
        verbose_name_plural = _("meeting feedback")
        db_table = "matchmaking_meetingfeedback"  # moved from matchmaking, the table kept
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "side", "stage"], name="feedback_once_per_side_and_stage"
            ),
            models.CheckConstraint(
                condition=Q(side__in=[s.value for s in Side]), name="feedback_side_valid"
            ),
            models.CheckConstraint(
                condition=Q(stage__in=[s.value for s in FeedbackStage]),
                name="feedback_stage_valid",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=[o.value for o in FeedbackOutcome]),
                name="feedback_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="feedback_rating_range",
            ),
            models.CheckConstraint(
                condition=~Q(stage=FeedbackStage.AFTER) | Q(rating__isnull=False),
                name="feedback_rated_after_mission",
            ),
            models.CheckConstraint(
                condition=Q(estimated_value__isnull=True) | Q(estimated_value__gte=0),
                name="feedback_value_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.meeting} · {self.side} · {self.stage}"
