"""Delivering one webhook: the outbox's way (``outbox.delivery``), for HTTP.

The row is claimed in a transaction of its own (a worker killed while sending leaves a claim
that never ended, which the sweep queues again), then locked with ``skip_locked`` while the
request is sent, so a second worker given the same row skips it; a delivered or failed row is
never sent again. A 2xx answer delivers; a time-out, a refused connection, a 5xx, 408 or 429 is
tried again with exponential backoff until WEBHOOK_MAX_ATTEMPTS, then the row fails where staff
see it and can send it again; any other answer (4xx, a redirect) fails at once.

As with e-mail, one window remains: the receiver has answered 2xx and the worker dies before
the row is marked (one UPDATE and COMMIT). The sweep then sends it again with the same
``X-Webhook-Id``, by which the receiver recognises the duplicate.
"""

import json
import logging
import random
import time
from datetime import timedelta

import requests
import urllib3
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from outbox.delivery import Outcome

from .models import DeliveryStatus, WebhookDelivery
from .security import UnsafeUrl, url_check
from .signing import (
    EVENT_HEADER,
    ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature_header,
)

logger = logging.getLogger(__name__)

TRANSIENT_STATUSES = {408, 425, 429}


class Transient(Exception):
    pass


class Permanent(Exception):
    pass


def retry_delay(attempts: int) -> float:
    ceiling = min(
        settings.WEBHOOK_RETRY_BASE * 2 ** (attempts - 1), settings.WEBHOOK_RETRY_MAX_DELAY
    )
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311  (jitter, not a secret)


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()


def send(delivery: WebhookDelivery) -> int:
    """POST the signed event; the status of a 2xx answer, else Transient or Permanent."""
    endpoint = delivery.endpoint
    try:
        url_check(endpoint.url)
    except UnsafeUrl as exc:
        raise Permanent(str(exc)) from exc
    body = body_of(delivery)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "MarocExport-Webhooks/1",
        ID_HEADER: delivery.event_id,
        EVENT_HEADER: delivery.event,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature_header(
            endpoint.signing_secrets(timezone.now()), timestamp, body
        ),
    }
    try:
        # The answer's body is not read past its first bytes (kept with an error): a receiver
        # cannot hold the worker, or fill its memory, by answering slowly or at length.
        with requests.post(
            endpoint.url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT,
            allow_redirects=False,
            stream=True,
        ) as response:
            status = response.status_code
            excerpt = b"" if 200 <= status < 300 else response.raw.read(500, decode_content=True)
    except requests.RequestException as exc:  # refused, reset, timed out, name not resolved
        raise Transient(f"{type(exc).__name__}: {exc}") from exc
    except (OSError, urllib3.exceptions.HTTPError) as exc:  # dropped or slow while reading it
        raise Transient(f"{type(exc).__name__}: {exc}") from exc
    delivery.last_status = status
    if 200 <= status < 300:
        return status
    reason = f"HTTP {status}: {excerpt.decode(errors='replace')}"
    if status >= 500 or status in TRANSIENT_STATUSES:
        raise Transient(reason)
    raise Permanent(reason)


def _claim(key: str, now) -> WebhookDelivery | None:
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update(skip_locked=True).filter(key=key)
        delivery = delivery.first()
        if delivery is None or delivery.status in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED):
            return None
        if delivery.next_attempt_at and delivery.next_attempt_at > now + timedelta(seconds=1):
            return None
        delivery.claimed_at = now
        delivery.save(update_fields=["claimed_at"])
    return delivery


def deliver(key: str) -> Outcome:
    now = timezone.now()
    claimed = _claim(key, now)
    if claimed is None:
        return Outcome("skipped")
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("endpoint")
            .filter(pk=claimed.pk)
            .first()
        )
        if delivery is None or delivery.status in (
            DeliveryStatus.DELIVERED,
            DeliveryStatus.FAILED,
        ):
            return Outcome("skipped", reason="delivered meanwhile")
        delivery.attempts += 1
        fields = ["attempts", "status", "next_attempt_at", "last_error", "last_status"]
        try:
            send(delivery)
        except (Transient, Permanent) as exc:
            delivery.last_error = str(exc)[:2000]
            if isinstance(exc, Transient) and delivery.attempts < settings.WEBHOOK_MAX_ATTEMPTS:
                delay = retry_delay(delivery.attempts)
                delivery.status = DeliveryStatus.RETRYING
                delivery.next_attempt_at = delivery.enqueued_at = now + timedelta(seconds=delay)
                delivery.save(update_fields=[*fields, "enqueued_at"])
                logger.warning("Webhook %s: attempt %d failed (%s)", key, delivery.attempts, exc)
                return Outcome("retry", delay=delay, reason=delivery.last_error)
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
            delivery.save(update_fields=fields)
            logger.error("Webhook %s failed for good: %s", key, delivery.last_error)
            return Outcome("failed", reason=delivery.last_error)
        delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, timezone.now()
        delivery.next_attempt_at, delivery.last_error = None, ""
        delivery.save(update_fields=[*fields, "delivered_at"])
        return Outcome("delivered")


def due_keys(*, queue_empty: bool, limit: int = 1000) -> list[str]:
    """Deliveries that should have left by now (see ``outbox.delivery.due_keys``): claimed by a
    worker that never finished, and, when the broker's queue is empty, queued long ago."""
    now = timezone.now()
    due = Q(claimed_at__gte=F("enqueued_at")) & Q(
        claimed_at__lt=now - timedelta(seconds=settings.WEBHOOK_CLAIM_TIMEOUT)
    )
    if queue_empty:
        due |= Q(enqueued_at__lt=now - timedelta(seconds=settings.OUTBOX_STALE_AFTER))
    with transaction.atomic():
        rows = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(due, status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING])
            .exclude(next_attempt_at__gt=now)
            .order_by("enqueued_at")
            .values_list("pk", "key")[:limit]
        )
        WebhookDelivery.objects.filter(pk__in=[pk for pk, _key in rows]).update(enqueued_at=now)
    return [key for _pk, key in rows]
