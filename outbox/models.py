"""The outbox: every message (an e-mail, a WhatsApp message or an SMS) is first a row, written in
the transaction of the change that causes it, then delivered by a Celery worker (see
``delivery.py``; the phone channels' providers are in ``phones.py``)."""

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


def message_key(event: str, email: str) -> str:
    return f"{event}:{email.strip().lower()}"[:300]


def phone_key(event: str, channel: str, number: str) -> str:
    return f"{event}:{channel}:{number}"[:300]


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")


PHONE_CHANNELS = (Channel.WHATSAPP, Channel.SMS)


class Receipt(models.TextChoices):
    """What the provider's delivery receipt last said of a message it accepted."""

    DELIVERED = "delivered", _("delivered")
    READ = "read", _("read")
    UNDELIVERED = "undelivered", _("undelivered")


class Email(models.Model):
    """One message to one recipient.

    ``key`` names the event and the recipient (``meeting-booked:12:0:ana@example.org``) and the
    database keeps it unique: the same event recorded twice (a double click, a retried request)
    yields one message. Messages of the product are rendered at delivery from ``template`` and
    ``context`` (references to rows and plain values), in ``language``; allauth's messages arrive
    rendered and are kept in ``subject``/``text``/``html``.
    """

    Status = EmailStatus
    Channel = Channel

    key = models.CharField(_("key"), max_length=300, unique=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    mission = models.ForeignKey(
        "missions.Mission",
        verbose_name=_("mission"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emails",
    )
    to_email = models.EmailField(_("recipient"), max_length=254, blank=True)
    # WhatsApp and SMS: the number in E.164 (+22670123456), the address kept for a fallback.
    to_phone = models.CharField(_("mobile number"), max_length=20, blank=True)
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
    # WhatsApp and SMS: the provider that accepted the message, its id there (delivery receipts
    # name it), and what the last receipt said.
    provider = models.CharField(_("provider"), max_length=20, blank=True)
    provider_id = models.CharField(_("provider's message id"), max_length=200, blank=True)
    receipt = models.CharField(_("receipt"), max_length=12, choices=Receipt.choices, blank=True)
    receipt_at = models.DateTimeField(_("receipt received"), null=True, blank=True)
    # The message that failed for good and that this one replaces on another channel.
    fallback_of = models.OneToOneField(
        "self",
        verbose_name=_("fallback of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fallback",
    )

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
            models.CheckConstraint(
                condition=Q(channel__in=[c.value for c in Channel]), name="email_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel=Channel.EMAIL, to_phone="") & ~Q(to_email="")
                | Q(channel__in=PHONE_CHANNELS, to_phone__startswith="+"),
                name="email_address_of_its_channel",
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_id"],
                condition=~Q(provider_id=""),
                name="email_one_row_per_provider_id",
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
    def address(self) -> str:
        return self.to_phone if self.channel in PHONE_CHANNELS else self.to_email

    @property
    def message_id(self) -> str:
        """The same Message-ID for every attempt, so that a receiving server or client can
        recognise a duplicate."""
        digest = hashlib.sha256(self.key.encode()).hexdigest()[:32]
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"
        return f"<{digest}@{domain}>"


class MobileNumber(models.Model):
    """What the outbox knows of a mobile number, whoever it belongs to: whether its holder
    replied STOP (or clicked the stop link), checked at every send, and when they last wrote to
    us (WhatsApp allows free text for 24 hours after; outside that window, only an approved
    template)."""

    number = models.CharField(_("mobile number"), max_length=20, unique=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    stop_source = models.CharField(_("stopped by"), max_length=40, blank=True)
    last_inbound_at = models.DateTimeField(_("last message received"), null=True, blank=True)

    class Meta:
        verbose_name = _("mobile number")
        verbose_name_plural = _("mobile numbers")
        constraints = [
            models.CheckConstraint(condition=Q(number__startswith="+"), name="mobilenumber_e164"),
        ]

    def __str__(self):
        return self.number
