"""The outbox: every e-mail is first a row, written in the transaction of the change that causes
it, then delivered by a Celery worker (see ``delivery.py``)."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    RETRYING = "retrying", _("retrying")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    OBSOLETE = "obsolete", _("obsolete")  # overtaken by a newer message before it left


class Email(models.Model):
    """One message to one recipient.

    ``key`` names the event and the recipient (``meeting-booked:12:0:ana@example.org``) and the
    database keeps it unique: the same event recorded twice (a double click, a retried request)
    yields one message. Messages of the product are rendered at delivery from ``template`` and
    ``context`` (references to rows and plain values), in ``language``; allauth's messages arrive
    rendered and are kept in ``subject``/``text``/``html``.
    """

    Status = EmailStatus

    key = models.CharField(_("key"), max_length=300, unique=True)
    mission = models.ForeignKey(
        "missions.Mission",
        verbose_name=_("mission"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emails",
    )
    to_email = models.EmailField(_("recipient"), max_length=254)
    to_name = models.CharField(_("recipient's name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    template = models.CharField(_("template"), max_length=100, blank=True)
    context = models.JSONField(_("context"), default=dict, blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)
    html = models.TextField(_("HTML"), blank=True)
    # Messages carrying a secret (login code, password-reset link) lose their body once sent.
    sensitive = models.BooleanField(_("sensitive"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    enqueued_at = models.DateTimeField(_("queued"), default=timezone.now)
    claimed_at = models.DateTimeField(_("taken by a worker"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in EmailStatus]), name="email_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=EmailStatus.SENT, sent_at__isnull=False)
                | (~Q(status=EmailStatus.SENT) & Q(sent_at__isnull=True)),
                name="email_sent_at_iff_sent",
            ),
            models.CheckConstraint(
                condition=~Q(template="") | ~Q(subject=""),
                name="email_has_template_or_content",
            ),
        ]
        indexes = [
            # The sweep reads only the messages still to send.
            models.Index(
                fields=["enqueued_at"],
                condition=Q(status__in=[EmailStatus.PENDING, EmailStatus.RETRYING]),
                name="email_unsent",
            ),
            models.Index(fields=["mission", "status"], name="email_mission_status"),
        ]

    def __str__(self):
        return f"{self.key} ({self.get_status_display()})"

    @property
    def message_id(self) -> str:
        """The same Message-ID for every attempt, so that a receiving server or client can
        recognise a duplicate."""
        digest = hashlib.sha256(self.key.encode()).hexdigest()[:32]
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"
        return f"<{digest}@{domain}>"
