"""Webhooks: staff subscribe a URL to events; each event becomes one delivery row per endpoint,
delivered by a Celery worker as the outbox delivers e-mail (``webhooks.delivery``)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    MEETING_BOOKED = "meeting.booked", _("A meeting is booked")
    MEETING_MOVED = "meeting.moved", _("A meeting is moved")
    MEETING_CANCELLED = "meeting.cancelled", _("A meeting is cancelled")
    SCHEDULE_PUBLISHED = "schedule.published", _("A schedule is published")
    APPLICATION_DECIDED = "application.decided", _("An application is decided")
    FEEDBACK_RECEIVED = "feedback.received", _("Feedback is received")


class WebhookEndpoint(models.Model):
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    # The key of the HMAC signatures: kept as is, since every delivery is signed with it.
    secret = models.CharField(max_length=100)
    # After a rotation, the former key still signs every delivery beside the new one until
    # ``previous_secret_expires_at``, so that the receiver can switch without losing an event.
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(
        _("former secret valid until"), null=True, blank=True
    )
    # When the secret was last replaced: what the audit trail shows of a rotation.
    secret_rotated_at = models.DateTimeField(_("secret replaced"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="webhook_endpoint_http_url",
            ),
            models.CheckConstraint(condition=~Q(secret=""), name="webhook_endpoint_has_secret"),
            models.CheckConstraint(
                condition=Q(previous_secret="", previous_secret_expires_at__isnull=True)
                | (~Q(previous_secret="") & Q(previous_secret_expires_at__isnull=False)),
                name="webhook_previous_secret_has_expiry",
            ),
        ]

    def __str__(self):
        return self.url

    def signing_secrets(self, now) -> list[str]:
        """The keys that sign a delivery made ``now``: the secret, and the former one during its
        grace period."""
        if self.previous_secret and self.previous_secret_expires_at > now:
            return [self.secret, self.previous_secret]
        return [self.secret]

    def get_events_display(self) -> list[str]:
        labels = dict(Event.choices)
        return [str(labels.get(e, e)) for e in self.events]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    RETRYING = "retrying", _("retrying")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class WebhookDelivery(models.Model):
    """One event for one endpoint. ``key`` (event id and endpoint) is unique: the same event
    recorded twice is delivered once."""

    Status = DeliveryStatus

    key = models.CharField(_("key"), max_length=300, unique=True)
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("endpoint"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    event_id = models.CharField(_("event id"), max_length=200)
    mission = models.ForeignKey(
        "missions.Mission",
        verbose_name=_("mission"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    enqueued_at = models.DateTimeField(_("queued"), default=timezone.now)
    claimed_at = models.DateTimeField(_("taken by a worker"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("last answer"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in DeliveryStatus]),
                name="webhook_delivery_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=DeliveryStatus.DELIVERED, delivered_at__isnull=False)
                | (~Q(status=DeliveryStatus.DELIVERED) & Q(delivered_at__isnull=True)),
                name="webhook_delivered_at_iff_delivered",
            ),
        ]
        indexes = [
            models.Index(
                fields=["enqueued_at"],
                condition=Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING]),
                name="webhook_delivery_undelivered",
            ),
            models.Index(fields=["endpoint", "status"], name="webhook_delivery_endpoint"),
        ]

    def __str__(self):
        return f"{self.key} ({self.get_status_display()})"
