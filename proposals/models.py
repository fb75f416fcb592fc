from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ProposalStatus(models.TextChoices):
    COMPUTING = "computing", _("Computing")
    READY = "ready", _("Ready for review")
    FAILED = "failed", _("Failed")
    PUBLISHED = "published", _("Published")
    DISCARDED = "discarded", _("Discarded")


# Seconds the optimiser may take from the dashboard: below the Celery soft time limit (5 min).
PROPOSAL_TIME_LIMIT_MAX = 240


class ScheduleProposal(models.Model):
    """One run of the schedule optimiser on a mission, which staff review, publish or discard.

    ``result`` holds the proposed schedule and its difference with the meetings of the moment
    (see ``proposals.services``); ``basis`` is the digest of what it was computed from, so
    that a proposal made stale by later changes is never published.
    """

    Status = ProposalStatus

    mission = models.ForeignKey(
        "missions.Mission", on_delete=models.CASCADE, related_name="schedule_proposals"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.COMPUTING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    time_limit = models.PositiveSmallIntegerField(
        _("time limit (seconds)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(PROPOSAL_TIME_LIMIT_MAX)],
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("computation started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("computation finished"), null=True, blank=True)
    # The optimiser's latest figures while it runs (objective, bound, seconds), when it reports.
    progress = models.JSONField(_("progress"), default=dict, blank=True)
    solver_status = models.CharField(_("optimiser status"), max_length=12, blank=True)
    objective = models.PositiveIntegerField(_("objective"), null=True, blank=True)
    bound = models.PositiveIntegerField(_("bound"), null=True, blank=True)
    breaks = models.PositiveIntegerField(_("breaks"), null=True, blank=True)
    breaks_before = models.PositiveIntegerField(_("breaks before"), null=True, blank=True)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    error = models.TextField(_("reason"), blank=True)
    basis = models.CharField(max_length=64, blank=True)
    result = models.JSONField(_("proposed schedule"), default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published or discarded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("published or discarded at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("schedule proposal")
        verbose_name_plural = _("schedule proposals")
        db_table = "matchmaking_scheduleproposal"  # moved from matchmaking, the table kept
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ProposalStatus]),
                name="proposal_status_valid",
            ),
            models.UniqueConstraint(
                fields=["mission"],
                condition=Q(status=ProposalStatus.COMPUTING),
                name="proposal_one_computing_per_mission",
            ),
            models.CheckConstraint(
                condition=Q(time_limit__gte=1, time_limit__lte=PROPOSAL_TIME_LIMIT_MAX),
                name="proposal_time_limit_range",
            ),
            models.CheckConstraint(
                condition=Q(objective__isnull=True)
                | Q(bound__isnull=True)
                | Q(objective__lte=F("bound")),
                name="proposal_objective_within_bound",
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(finished_at__gte=F("created_at")),
                name="proposal_finishes_after_request",
            ),
            # Only a computed proposal can be published.
            models.CheckConstraint(
                condition=~Q(status=ProposalStatus.PUBLISHED) | Q(finished_at__isnull=False),
                name="proposal_published_once_computed",
            ),
        ]

    def __str__(self):
        return f"{self.mission} · {self.created_at:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def gap(self) -> float | None:
        """How far the objective may be from the best possible: (bound - objective) / bound."""
        if self.objective is None or not self.bound:
            return None
        return (self.bound - self.objective) / self.bound
