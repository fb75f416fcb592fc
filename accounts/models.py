from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from core.languages import languages_model_fields, languages_shape_check


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        # Addresses are compared without case everywhere (login, uniqueness, invitations).
        return (email or "").strip().lower()

    def get_by_natural_key(self, email):
        return self.get(email__iexact=self.normalize_email(email))

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if extra_fields.get("is_staff") is not True:
            raise ValueError("A superuser must have is_staff=True.")
        return self._create_user(email, password, **extra_fields)


class MobileChannel(models.TextChoices):
    """How a participant wants short messages about their meetings (the outbox's channels)."""

    NONE = "", _("Neither")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")


class User(AbstractBaseUser, PermissionsMixin):
    """A person. E-mail is the login; a user is agency staff, a company member or an operator
    contact, never two of these (the database refuses it)."""

    class Role(models.TextChoices):
        STAFF = "staff", _("Agency staff")
        COMPANY = "company", _("Company member")
        OPERATOR = "operator", _("Operator contact")

    class CompanyRole(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Member")

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # Short messages (booking confirmations, reminders, changes) by WhatsApp or SMS: the mobile
    # number in E.164, the channel chosen with its consent (MobileConsent keeps each change).
    mobile = PhoneNumberField(_("mobile number"), blank=True)
    mobile_channel = models.CharField(
        _("messages on the phone"),
        max_length=10,
        choices=MobileChannel.choices,
        default=MobileChannel.NONE,
        blank=True,
    )
    mobile_sms_fallback = models.BooleanField(
        _("an SMS when WhatsApp cannot deliver"), default=False
    )
    mobile_consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    job_title = models.CharField(
        _("role"), max_length=150, blank=True, help_text=_("For example: CIO, purchasing director.")
    )
    # The languages they can hold a meeting in (core.languages), not the interface's language.
    languages, other_languages = languages_model_fields()
    language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("company"),
        # companies.services.company_delete detaches the members first (role included).
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    company_role = models.CharField(
        _("role in the company"), max_length=10, choices=CompanyRole.choices, blank=True
    )
    operator = models.ForeignKey(
        "companies.Operator",
        verbose_name=_("operator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
    )
    is_staff = models.BooleanField(
        _("agency staff"),
        default=False,
        help_text=_("Agency staff reach the staff dashboard and the admin."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=~Q(company__isnull=False, operator__isnull=False),
                name="user_not_company_and_operator",
            ),
            models.CheckConstraint(
                condition=~Q(is_staff=True, company__isnull=False)
                & ~Q(is_staff=True, operator__isnull=False),
                name="user_staff_has_no_organisation",
            ),
            models.CheckConstraint(
                condition=Q(company__isnull=True, company_role="")
                | Q(company__isnull=False, company_role__in=["owner", "member"]),
                name="user_company_role_matches_company",
            ),
            models.UniqueConstraint(
                fields=["company"],
                condition=Q(company_role="owner"),
                name="company_single_owner",
            ),
            # A channel only with a number and a recorded consent.
            models.CheckConstraint(
                condition=Q(mobile_channel="")
                | Q(
                    mobile_channel__in=["whatsapp", "sms"],
                    mobile__startswith="+",
                    mobile_consent_at__isnull=False,
                ),
                name="user_mobile_channel_has_number_and_consent",
            ),
            languages_shape_check("user_languages_are_codes"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def save(self, *args, **kwargs):
        self.email = UserManager.normalize_email(self.email)
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return (self.full_name.split() or [self.email])[0]

    @property
    def role(self) -> str:
        if self.is_staff:
            return self.Role.STAFF
        if self.operator_id:
            return self.Role.OPERATOR
        return self.Role.COMPANY

    @property
    def role_label(self) -> str:
        return self.Role(self.role).label


class MobileConsent(models.Model):
    """Each time a participant opts in to short messages or stops them: when, how, at which
    number, for which channel, and which wording they agreed to (``CONSENT_WORDINGS``)."""

    class Action(models.TextChoices):
        OPT_IN = "opt_in", _("opted in")
        STOP = "stop", _("stopped")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="mobile_consents",
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    number = models.CharField(_("mobile number"), max_length=20)
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    sms_fallback = models.BooleanField(_("SMS fallback"), default=False)
    # How: "profile" (the form), "whatsapp" or "sms" (a STOP reply), "link" (the stop link).
    source = models.CharField(_("how"), max_length=40)
    wording_version = models.CharField(_("wording version"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("mobile consent")
        verbose_name_plural = _("mobile consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["opt_in", "stop"]), name="mobileconsent_action_valid"
            ),
            models.CheckConstraint(
                condition=~Q(action="opt_in") | ~Q(wording_version=""),
                name="mobileconsent_opt_in_has_wording",
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.get_action_display()} {self.number}"
