from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class MeetingSession(models.Model):
    """A block of one-to-one meetings on one day of a mission: it has its slots and tables."""

    mission = models.ForeignKey(
        "missions.Mission",
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="meeting_sessions",
    )
    day = models.DateField(_("day"))
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))
    slot_minutes = models.PositiveSmallIntegerField(
        _("meeting length (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    break_minutes = models.PositiveSmallIntegerField(
        _("break between meetings (minutes)"), default=5, validators=[MaxValueValidator(120)]
    )
    tables = models.PositiveSmallIntegerField(
        _("number of tables"), default=10, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    place = models.CharField(_("place"), max_length=200, blank=True)

    class Meta:
        ordering = ["day", "start_time", "pk"]
        verbose_name = _("B2B session")
        verbose_name_plural = _("B2B sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="session_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(slot_minutes__gte=5), name="session_slot_length"),
            models.CheckConstraint(condition=Q(tables__gte=1), name="session_has_tables"),
        ]

    def __str__(self):
        return f"{self.mission} · {self.day:%Y-%m-%d} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class Slot(models.Model):
    """One meeting time of a session, stored in UTC."""

    session = models.ForeignKey(
        MeetingSession,
        verbose_name=_("B2B session"),
        on_delete=models.CASCADE,
        related_name="slots",
    )
    mission = models.ForeignKey(
        "missions.Mission",
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="slots",
    )
    index = models.PositiveSmallIntegerField(_("position in the session"))
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        constraints = [
            models.UniqueConstraint(fields=["session", "index"], name="slot_index_unique"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.starts_at:%Y-%m-%d %H:%M} UTC"


class Table(models.Model):
    session = models.ForeignKey(
        MeetingSession,
        verbose_name=_("B2B session"),
        on_delete=models.CASCADE,
        related_name="table_set",
    )
    number = models.PositiveSmallIntegerField(_("number"))

    class Meta:
        ordering = ["session", "number"]
        verbose_name = _("table")
        verbose_name_plural = _("tables")
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="table_number_unique"),
        ]

    def __str__(self):
        return str(_("Table %(number)s") % {"number": self.number})


class Unavailability(models.Model):
    """A slot where a firm or an operator cannot meet anyone."""

    slot = models.ForeignKey(
        Slot, verbose_name=_("slot"), on_delete=models.CASCADE, related_name="unavailabilities"
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("Moroccan firm"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    operator = models.ForeignKey(
        "companies.Operator",
        verbose_name=_("operator"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("unavailability")
        verbose_name_plural = _("unavailabilities")
        constraints = [
            models.CheckConstraint(
                condition=Q(company__isnull=True, operator__isnull=False)
                | Q(company__isnull=False, operator__isnull=True),
                name="unavailability_one_party",
            ),
            models.UniqueConstraint(
                fields=["slot", "company"],
                condition=Q(company__isnull=False),
                name="unavailable_company_once",
            ),
            models.UniqueConstraint(
                fields=["slot", "operator"],
                condition=Q(operator__isnull=False),
                name="unavailable_operator_once",
            ),
        ]

    def __str__(self):
        return f"{self.company or self.operator} @ {self.slot}"


class Side(models.TextChoices):
    COMPANY = "company", _("Moroccan firm")
    OPERATOR = "operator", _("Operator")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # An active meeting holds the pair (booked, scheduled or placed by staff). Cancelling it
    # reopens the request: accepted if it had been answered (``responded_at``), else pending.
    MET = "met", _("Meeting arranged")


# Requests still waiting for a meeting; with ``MET``, every wish that stands.
OPEN_REQUESTS = (RequestStatus.PENDING, RequestStatus.ACCEPTED)
STANDING_REQUESTS = (*OPEN_REQUESTS, RequestStatus.MET)


class Priority(models.IntegerChoices):
    LOW = 1, _("Nice to have")
    NORMAL = 2, _("Important")
    HIGH = 3, _("Essential")


class MeetingRequest(models.Model):
    """One side's wish to meet the other; both sides asking is a mutual wish."""

    Status = RequestStatus

    mission = models.ForeignKey(
        "missions.Mission",
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="meeting_requests",
    )
    company = models.ForeignKey(
        "companies.Company", verbose_name=_("Moroccan firm"), on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    operator = models.ForeignKey(
        "companies.Operator", verbose_name=_("operator"), on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    side = models.CharField(_("asked by"), max_length=10, choices=Side.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.SET_NULL,
        null=True, related_name="+",
    )  # fmt: skip
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    message = models.TextField(_("message"), blank=True, max_length=1000)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    created_at = models.DateTimeField(_("asked on"), auto_now_add=True)
    responded_at = models.DateTimeField(_("answered on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "company", "operator", "side"], name="request_once_per_side"
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=1, priority__lte=3), name="request_priority_range"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in RequestStatus]),
                name="request_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.company} ↔ {self.operator} ({self.side})"


class MeetingStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")
    HELD = "held", _("Held")
    NO_SHOW = "no_show", _("No-show")


class Origin(models.TextChoices):
    BOOKED = "booked", _("Booked by a participant")
    SCHEDULED = "scheduled", _("Scheduled by the optimiser")
    MANUAL = "manual", _("Placed by staff")


# Every status but "cancelled" holds its slot, its table and its participants.
ACTIVE = ~Q(status=MeetingStatus.CANCELLED)
# Both sides said they will attend.
BOTH_CONFIRMED = Q(company_confirmed_at__isnull=False, operator_confirmed_at__isnull=False)


class Meeting(models.Model):
    """A one-to-one meeting between a firm (through one of its delegates) and an operator.

    The database itself refuses a double booking: per slot, one active meeting per operator, per
    delegate (so a firm holds as many parallel meetings as it has delegates) and per table; and
    one active meeting per firm and operator in a mission.
    """

    Status = MeetingStatus
    # What every e-mail about a meeting reads (see outbox.serialization).
    OUTBOX_RELATED = ("mission", "company", "operator", "delegate", "slot__session", "table")

    mission = models.ForeignKey(
        "missions.Mission", verbose_name=_("mission"), on_delete=models.CASCADE,
        related_name="meetings",
    )  # fmt: skip
    company = models.ForeignKey(
        "companies.Company", verbose_name=_("Moroccan firm"), on_delete=models.CASCADE,
        related_name="meetings",
    )  # fmt: skip
    operator = models.ForeignKey(
        "companies.Operator", verbose_name=_("operator"), on_delete=models.CASCADE,
        related_name="meetings",
    )  # fmt: skip
    delegate = models.ForeignKey(
        "missions.Delegate", verbose_name=_("delegate"), on_delete=models.PROTECT,
        related_name="meetings",
    )  # fmt: skip
    slot = models.ForeignKey(
        Slot, verbose_name=_("slot"), on_delete=models.PROTECT, related_name="meetings"
    )
    table = models.ForeignKey(
        Table, verbose_name=_("table"), on_delete=models.PROTECT, related_name="meetings"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.CONFIRMED
    )
    origin = models.CharField(
        _("origin"), max_length=10, choices=Origin.choices, default=Origin.BOOKED
    )
    locked = models.BooleanField(_("locked"), default=False)
    sequence = models.PositiveIntegerField(_("revision"), default=0)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("booked by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    # Each side confirms it will come, from the link of its confirmation e-mail.
    company_confirmed_at = models.DateTimeField(
        _("firm confirmed attendance"), null=True, blank=True
    )
    operator_confirmed_at = models.DateTimeField(
        _("operator confirmed attendance"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["slot__starts_at", "table__number"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "operator"], condition=ACTIVE, name="meeting_operator_once_per_slot"
            ),
            models.UniqueConstraint(
                fields=["slot", "delegate"], condition=ACTIVE, name="meeting_delegate_once_per_slot"
            ),
            models.UniqueConstraint(
                fields=["slot", "table"], condition=ACTIVE, name="meeting_table_once_per_slot"
            ),
            models.UniqueConstraint(
                fields=["mission", "company", "operator"],
                condition=ACTIVE,
                name="meeting_pair_once_per_mission",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in MeetingStatus]),
                name="meeting_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.company} ↔ {self.operator} @ {self.slot}"

    @property
    def uid(self) -> str:
        """The calendar UID: stable for the life of the meeting, whatever changes."""
        return f"meeting-{self.pk}@marocexport-b2b"

    @property
    def is_active(self) -> bool:
        return self.status != MeetingStatus.CANCELLED

    # What relocate() changes: save with update_fields=[*RELOCATED, ...].
    RELOCATED = ("slot", "table", "delegate", "sequence", "company_confirmed_at",
                 "operator_confirmed_at", "updated_at")  # fmt: skip

    def relocate(self, *, slot, table, delegate) -> None:
        """Put the meeting at a new time or table: a new revision (calendars update the event),
        whose attendance both sides confirm again."""
        self.slot, self.table, self.delegate = slot, table, delegate
        self.sequence += 1
        self.company_confirmed_at = self.operator_confirmed_at = None


class CalendarFeed(models.Model):
    """A private calendar subscription URL for a user; revoking it gives a new token."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="calendar_feed",
    )  # fmt: skip
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return f"{self.user}"
