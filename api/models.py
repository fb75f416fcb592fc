"""API tokens: what an integration (the agency's CRM, a check-in system) presents, and every use
of one.

A token is shown once, when it is made; the database keeps its SHA-256 digest and its first
characters (``prefix``), by which a request finds it before comparing digests in constant time.
The secret part has 256 random bits: an unsalted digest cannot be reversed by trying values.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    READ_MISSIONS = "missions:read", _("Read missions, programmes, participants and meetings")
    READ_CONTACTS = "contacts:read", _("Read the participants' contact data")
    READ_OUTCOMES = "outcomes:read", _("Read feedback, outcomes and the mission report")
    WRITE_ATTENDANCE = "attendance:write", _("Mark meetings held or no-show (check-in)")
    WRITE_OPERATORS = "operators:write", _("Add operators to a mission")


# The boolean field that holds each scope.
SCOPE_FIELDS = {
    Scope.READ_MISSIONS: "read_missions",
    Scope.READ_CONTACTS: "read_contacts",
    Scope.READ_OUTCOMES: "read_outcomes",
    Scope.WRITE_ATTENDANCE: "write_attendance",
    Scope.WRITE_OPERATORS: "write_operators",
}


class ApiToken(models.Model):
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    read_missions = models.BooleanField(_("read missions"), default=False)
    read_contacts = models.BooleanField(_("read contacts"), default=False)
    read_outcomes = models.BooleanField(_("read outcomes"), default=False)
    write_attendance = models.BooleanField(_("mark attendance"), default=False)
    write_operators = models.BooleanField(_("add operators"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                condition=Q(read_missions=True)
                | Q(read_outcomes=True)
                | Q(write_attendance=True)
                | Q(write_operators=True),
                name="api_token_has_a_scope",
            ),
            # Contact data is served inside the lists of participants.
            models.CheckConstraint(
                condition=Q(read_contacts=False) | Q(read_missions=True),
                name="api_token_contacts_with_missions",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("created_at")),
                name="api_token_revoked_after_creation",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def scopes(self) -> list[str]:
        return [scope.value for scope, field in SCOPE_FIELDS.items() if getattr(self, field)]

    def has_scope(self, scope: str) -> bool:
        field = SCOPE_FIELDS.get(scope)
        return bool(field and getattr(self, field))

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class ApiTokenUse(models.Model):
    """One request made with a token (refused ones included: a revoked token still tried)."""

    token = models.ForeignKey(
        ApiToken, verbose_name=_("token"), on_delete=models.CASCADE, related_name="uses"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=300)
    status = models.PositiveSmallIntegerField(_("status"))
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("API token use")
        verbose_name_plural = _("API token uses")
        indexes = [models.Index(fields=["token", "-at"], name="api_token_use_recent")]

    def __str__(self):
        return f"{self.token_id} {self.method} {self.path} {self.status}"
