"""Reads of the webhooks for staff."""

from django.db.models import Case, Count, Q, QuerySet, Value, When

from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint


def endpoints() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.annotate(
        failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
        waiting=Count(
            "deliveries",
            filter=Q(deliveries__status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING]),
        ),
    ).select_related("created_by")


def endpoint_deliveries(*, endpoint: WebhookEndpoint, status: str = "") -> QuerySet:
    rows = (
        WebhookDelivery.objects.filter(endpoint=endpoint).select_related("mission").defer("payload")
    )
    if status in DeliveryStatus.values:
        return rows.filter(status=status).order_by("-created_at", "-pk")
    # Failures first (they need staff), then those on their way, then the rest.
    attention = Case(
        When(status=DeliveryStatus.FAILED, then=Value(0)),
        When(status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING], then=Value(1)),
        default=Value(2),
    )
    return rows.order_by(attention, "-created_at", "-pk")
