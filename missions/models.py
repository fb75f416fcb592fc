import zoneinfo

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.languages import languages_model_fields, languages_shape_check

from .validators import validate_timezone


class MissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for applications")
    SELECTION = "selection", _("Selection")
    SCHEDULING = "scheduling", _("Scheduling")
    PUBLISHED = "published", _("Agenda published")
    RUNNING = "running", _("Running")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Mission(models.Model):
    """A trade mission: a delegation of Moroccan firms in a foreign city for a few days."""

    Status = MissionStatus

    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    city = models.CharField(_("city"), max_length=100)
    country = CountryField(_("country"))
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        validators=[validate_timezone],
        help_text=_("IANA name, for example Africa/Abidjan or America/Los_Angeles."),
    )
    start_date = models.DateField(_("first day"), null=True, blank=True)
    end_date = models.DateField(_("last day"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    partners = models.TextField(
        _("partner organisations"), blank=True, help_text=_("One organisation per line.")
    )
    sectors = models.ManyToManyField(
        "companies.Sector", verbose_name=_("sector focus"), related_name="missions", blank=True
    )
    capacity = models.PositiveSmallIntegerField(
        _("firm capacity"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    application_deadline = models.DateTimeField(_("application deadline"), null=True, blank=True)
    cover = models.ImageField(_("cover image"), upload_to="missions/covers/", blank=True)
    auto_confirm_operators = models.BooleanField(
        _("confirm operators automatically"), default=False
    )
    keep_apart_without_shared_language = models.BooleanField(
        _("schedule only pairs who share a language"),
        default=False,
        help_text=_(
            "The optimiser leaves out a requested meeting whose two sides have said which "
            "languages they speak and share none (no interpreter is planned). Meetings already "
            "booked stay."
        ),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = [F("start_date").asc(nulls_last=True), "title"]
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="mission_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="mission_capacity_positive",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in MissionStatus]),
                name="mission_status_valid",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("missions:detail", kwargs={"slug": self.slug})

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


# Operators can sign up for a mission from its opening until its agenda is published.
REGISTRATION_OPEN_STATUSES = (
    MissionStatus.OPEN,
    MissionStatus.SELECTION,
    MissionStatus.SCHEDULING,
    MissionStatus.PUBLISHED,
)


# Participants find each other, book and follow their agenda from scheduling on.
MATCHMAKING_VISIBLE_STATUSES = (
    MissionStatus.SCHEDULING,
    MissionStatus.PUBLISHED,
    MissionStatus.RUNNING,
    MissionStatus.CLOSED,
)


class ProgrammeKind(models.TextChoices):
    SEMINAR = "seminar", _("Seminar")
    WORKSHOP = "workshop", _("Market workshop")
    SITE_VISIT = "site_visit", _("Site visit")
    NETWORKING = "networking", _("Networking")
    B2B = "b2b", _("B2B meetings")


class ProgrammeItem(models.Model):
    """One entry of a mission's programme (seminar, site visit, B2B session...)."""

    Kind = ProgrammeKind

    mission = models.ForeignKey(
        Mission, verbose_name=_("mission"), on_delete=models.CASCADE, related_name="programme"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("programme item")
        verbose_name_plural = _("programme items")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="programme_item_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in ProgrammeKind]),
                name="programme_item_kind_valid",
            ),
        ]

    def __str__(self):
        return self.title


class MissionTransition(models.Model):
    """One change of a mission's status: who, when, from, to."""

    mission = models.ForeignKey(
        Mission, verbose_name=_("mission"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(_("from"), max_length=12, choices=MissionStatus.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=MissionStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self):
        return f"{self.mission_id}: {self.from_status} → {self.to_status}"


class Objective(models.TextChoices):
    CLIENTS = "clients", _("Clients")
    DISTRIBUTORS = "distributors", _("Distributors")
    PARTNERS = "partners", _("Partners")
    INVESTORS = "investors", _("Investors")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    WAITLISTED = "waitlisted", _("Waitlisted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Decided(models.Model):
    """Staff's decision on a request to take part: who decided, when, and the note to the party."""

    decision_note = models.TextField(_("decision note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        abstract = True


class Application(Decided):
    """A Moroccan firm's application to take part in a mission."""

    Status = ApplicationStatus

    mission = models.ForeignKey(
        Mission, verbose_name=_("mission"), on_delete=models.CASCADE, related_name="applications"
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="applications",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ApplicationStatus.choices, default="submitted"
    )
    objectives = models.JSONField(_("objectives"), default=list)
    motivation = models.TextField(_("motivation"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta(Decided.Meta):
        ordering = ["submitted_at", "pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "company"], name="application_one_per_company_and_mission"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ApplicationStatus]),
                name="application_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.company} → {self.mission}"

    @property
    def delegate_count(self) -> int:
        return len(self.delegates.all())

    def get_objectives_display(self) -> list[str]:
        labels = dict(Objective.choices)
        return [str(labels[o]) for o in self.objectives if o in labels]


class Delegate(models.Model):
    """A person of the firm who travels; a firm holds as many meetings at once as delegates."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="delegates",
    )
    full_name = models.CharField(_("full name"), max_length=150)
    role = models.CharField(_("role"), max_length=150)
    languages, other_languages = languages_model_fields()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("delegate")
        verbose_name_plural = _("delegates")
        constraints = [languages_shape_check("delegate_languages_are_codes")]

    def __str__(self):
        return self.full_name


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class OperatorRegistration(Decided):
    """A foreign operator's registration to meet the delegation of one mission."""

    Status = RegistrationStatus

    mission = models.ForeignKey(
        Mission,
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="operator_registrations",
    )
    operator = models.ForeignKey(
        "companies.Operator",
        verbose_name=_("operator"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RegistrationStatus.choices, default="pending"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta(Decided.Meta):
        ordering = ["created_at", "pk"]
        verbose_name = _("operator registration")
        verbose_name_plural = _("operator registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "operator"], name="registration_one_per_operator_and_mission"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in RegistrationStatus]),
                name="registration_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.operator} → {self.mission}"
