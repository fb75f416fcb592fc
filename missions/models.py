import zoneinfo

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

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
