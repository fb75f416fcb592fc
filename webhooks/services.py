"""Writes of the webhooks: subscriptions, events, resending."""

import json
import secrets
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import DeliveryStatus, Event, WebhookDelivery, WebhookEndpoint
from .security import UnsafeUrl, url_check

MAX_SECRET_GRACE = timedelta(days=7)


class WebhookError(Exception):
    """A refused change; the message is for the user."""


def _enqueue_on_commit(keys: list[str]) -> None:
    from .tasks import webhook_deliver_task  # the task module imports this one

    def enqueue():
        for key in keys:
            webhook_deliver_task.delay(key)

    if keys:
        transaction.on_commit(enqueue, robust=True)


def _checked(url: str, events: list[str]) -> None:
    if not events or set(events) - set(Event.values):
        raise WebhookError(_("Choose at least one event."))
    try:
        url_check(url)
    except UnsafeUrl as exc:
        raise WebhookError(str(exc)) from exc


def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


@transaction.atomic
def endpoint_create(
    *, url: str, events: list[str], description: str = "", by
) -> tuple[WebhookEndpoint, str]:
    """A new subscription and its signing secret (shown to staff once, to give the receiver)."""
    _checked(url, events)
    secret = _new_secret()
    endpoint = WebhookEndpoint.objects.create(
        url=url, events=sorted(events), description=description, secret=secret, created_by=by
    )
    return endpoint, secret


@transaction.atomic
def endpoint_update(
    *, endpoint: WebhookEndpoint, url: str, events: list[str], description: str, active: bool
) -> WebhookEndpoint:
    """Staff change an endpoint's address, events, description or state. Deliveries already
    recorded keep going to the endpoint, at its new address. (The audit trail records who.)"""
    _checked(url, events)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.url, endpoint.events, endpoint.description = url, sorted(events), description
    endpoint.active = active
    endpoint.save(update_fields=["url", "events", "description", "active"])
    return endpoint


@transaction.atomic
def endpoint_secret_rotate(
    *, endpoint: WebhookEndpoint, grace: timedelta
) -> tuple[WebhookEndpoint, str]:
    """A new signing secret (shown to staff once). During ``grace`` every delivery is signed
    with the former secret too, so that the receiver can switch without refusing an event; a
    zero grace revokes the former secret at once (a leaked secret). A second rotation within
    the grace period ends the first one's: only the secret being replaced stays valid."""
    if grace < timedelta(0) or grace > MAX_SECRET_GRACE:
        raise WebhookError(_("Choose how long the former secret stays valid."))
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    secret = _new_secret()
    if grace:
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = timezone.now() + grace
    else:
        endpoint.previous_secret, endpoint.previous_secret_expires_at = "", None
    endpoint.secret, endpoint.secret_rotated_at = secret, timezone.now()
    endpoint.save(
        update_fields=[
            "secret", "previous_secret", "previous_secret_expires_at", "secret_rotated_at"
        ]
    )  # fmt: skip
    return endpoint, secret


@transaction.atomic
def endpoint_active_set(*, endpoint: WebhookEndpoint, active: bool) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.active = active
    endpoint.save(update_fields=["active"])
    return endpoint


def event_record(*, event: str, event_id: str, mission=None, data) -> int:
    """Record one delivery of the event per active endpoint subscribed to it, in the current
    transaction; workers deliver them after the commit. ``event_id`` names the event uniquely
    (``meeting.moved:12:3``): recording it again delivers nothing more. ``data`` is a dict, or
    a function that makes it, called only if some endpoint wants the event (a booking without
    subscribers costs one query)."""
    endpoints = [
        e for e in WebhookEndpoint.objects.filter(active=True).only("pk", "events")
        if event in e.events
    ]  # fmt: skip
    if not endpoints:
        return 0
    now = timezone.now()
    data = data() if callable(data) else data
    # Plain JSON values, as they will be sent.
    payload = json.loads(
        DjangoJSONEncoder().encode({"id": event_id, "type": event, "created_at": now, "data": data})
    )
    rows = [
        WebhookDelivery(
            key=f"{event_id}:{endpoint.pk}"[:300],
            endpoint=endpoint,
            event=event,
            event_id=event_id[:200],
            mission=mission,
            payload=payload,
            enqueued_at=now,
        )
        for endpoint in endpoints
    ]
    with transaction.atomic(savepoint=False):
        known = set(
            WebhookDelivery.objects.filter(key__in=[r.key for r in rows]).values_list(
                "key", flat=True
            )
        )
        fresh = [r for r in rows if r.key not in known]
        WebhookDelivery.objects.bulk_create(fresh, ignore_conflicts=True)
    _enqueue_on_commit([r.key for r in fresh])
    return len(fresh)


@transaction.atomic
def delivery_retry(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Staff send a failed (or stuck) delivery again, from its first attempt."""
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status == DeliveryStatus.DELIVERED:
        raise WebhookError(_("This event has already been delivered."))
    delivery.status, delivery.attempts, delivery.last_error = DeliveryStatus.PENDING, 0, ""
    delivery.next_attempt_at, delivery.enqueued_at = None, timezone.now()
    delivery.save()
    _enqueue_on_commit([delivery.key])
    return delivery
