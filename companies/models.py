from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .validators import validate_ice


class Sector(models.Model):
    """One shared taxonomy for what firms offer and what operators look for."""

    slug = models.SlugField(_("code"), max_length=50, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ar = models.CharField(_("name (Arabic)"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    # The name columns, for reads through ``values()`` (``label``): one per interface language.
    NAME_FIELDS = ("name_fr", "name_en", "name_ar")

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """The name in the reader's language; French when it has none in that language."""
        return self.label({field: getattr(self, field) for field in self.NAME_FIELDS})

    @classmethod
    def label(cls, names: dict, prefix: str = "") -> str:
        """The name in the reader's language from a ``values()`` row holding the
        ``prefix + NAME_FIELDS`` columns; French when it has none in that language."""
        language = (get_language() or "fr")[:2]
        return names.get(f"{prefix}name_{language}") or names[f"{prefix}name_fr"]


class SizeBand(models.TextChoices):
    MICRO = "micro", _("1-9 employees")
    SMALL = "small", _("10-49 employees")
    MEDIUM = "medium", _("50-249 employees")
    LARGE = "large", _("250 employees or more")


class Company(models.Model):
    """A Moroccan ICT firm; its members are users whose ``company`` points here."""

    SizeBand = SizeBand

    legal_name = models.CharField(_("legal name"), max_length=200)
    trade_name = models.CharField(_("trade name"), max_length=200, blank=True)
    ice = models.CharField(
        _("ICE"),
        max_length=15,
        unique=True,
        validators=[validate_ice],
        help_text=_("Identifiant Commun de l'Entreprise: 15 digits."),
    )
    city = models.CharField(_("city"), max_length=100)
    website = models.URLField(_("website"), blank=True)
    size_band = models.CharField(_("size"), max_length=10, choices=SizeBand.choices)
    founded = models.PositiveSmallIntegerField(
        _("year founded"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    sectors = models.ManyToManyField(Sector, verbose_name=_("sectors"), related_name="companies")
    offer = models.TextField(_("offer"), blank=True, help_text=_("What the firm sells."))
    references = models.TextField(_("references"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="companies/logos/", blank=True)
    brochure = models.FileField(_("brochure (PDF)"), upload_to="companies/brochures/", blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = [Lower("legal_name")]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ice__regex=r"^[0-9]{15}$"), name="company_ice_15_digits"
            ),
            models.CheckConstraint(
                condition=models.Q(size_band__in=[c.value for c in SizeBand]),
                name="company_size_band_valid",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.trade_name or self.legal_name


class OperatorKind(models.TextChoices):
    BUYER = "buyer", _("Buyer / purchasing department")
    CIO = "cio", _("CIO / IT department")
    IT_SERVICES = "it_services", _("IT services firm")
    DISTRIBUTOR = "distributor", _("Distributor / importer")
    TELECOM = "telecom", _("Telecom operator")
    BANK = "bank", _("Bank / e-payment")
    INVESTOR = "investor", _("Investor")
    PUBLIC = "public", _("Public body")
    OTHER = "other", _("Other")


class Operator(models.Model):
    """A foreign organisation that meets the delegation; its contacts are users."""

    Kind = OperatorKind

    name = models.CharField(_("organisation"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=100)
    website = models.URLField(_("website"), blank=True)
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("sectors of interest"), related_name="operators", blank=True
    )
    needs = models.TextField(_("needs"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = [Lower("name")]
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[c.value for c in OperatorKind]),
                name="operator_kind_valid",
            ),
        ]

    def __str__(self):
        return self.name


class CompanyInvitation(models.Model):
    """An owner's invitation to a colleague: the link in the e-mail makes them a member."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                "company",
                Lower("email"),
                condition=Q(accepted_at__isnull=True),
                name="invitation_one_open_per_company_and_email",
            ),
        ]

    def __str__(self):
        return self.email
