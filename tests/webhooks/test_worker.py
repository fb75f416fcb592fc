"""Webhooks with a real Celery worker on Redis and PostgreSQL, against a real HTTP receiver: a
worker killed while delivering, 5xx answers and time-outs retried by the worker itself. Every
event arrives exactly once.

The test process plays the web server: it writes the rows and queues the tasks on the broker;
the workers are separate processes on the same (committed) test database.
"""

import os
import signal
import time

import pytest
from celery import Celery
from django.conf import settings
from django.db import transaction

from tests.outbox.test_worker import Workers
from webhooks import tasks
from webhooks.models import WebhookDelivery
from webhooks.services import endpoint_create, event_record

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def broker(monkeypatch):
    """The Redis database of REDIS_URL (this branch's own), emptied before and after."""
    app = Celery("webhooks-tests", broker=settings.REDIS_URL, set_as_current=False)
    app.conf.update(task_serializer="json", accept_content=["json"])
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()
    monkeypatch.setattr(
        tasks.webhook_deliver_task,
        "delay",
        lambda key: app.send_task("webhooks.deliver", args=[key]),
    )
    yield app
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()


@pytest.fixture
def workers(broker, receiver):
    made = []

    def make(**env):
        group = Workers(broker, "consolemail://", WEBHOOK_ALLOW_PRIVATE_ADDRESSES="True", **env)
        made.append(group)
        return group

    yield make
    for group in made:
        group.stop_all()


def _event(receiver, staff, event_id="meeting.booked:1"):
    endpoint, _secret = endpoint_create(url=receiver.url, events=["meeting.booked"], by=staff)
    with transaction.atomic():
        event_record(event="meeting.booked", event_id=event_id, data={"id": 1})
    return WebhookDelivery.objects.get(endpoint=endpoint)


def _wait(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_worker_killed_while_delivering_loses_nothing_and_delivers_once(
    receiver, workers, broker, staff
):
    group = workers(WEBHOOK_CLAIM_TIMEOUT=1)
    first = group.start()
    receiver.script = ["stall"]  # the receiver holds the first request without answering
    delivery = _event(receiver, staff)
    assert receiver.stalled.wait(30), "the worker never reached the receiver"
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    receiver.release.set()

    delivery.refresh_from_db()
    # Its transaction died with it; its claim on the row stays, unfinished.
    assert (delivery.status, delivery.attempts) == ("pending", 0) and delivery.claimed_at
    group.start()
    time.sleep(1.5)
    broker.send_task("webhooks.sweep")  # what Celery beat does every minute
    assert len(receiver.wait_for(1)) == 1
    time.sleep(2)  # room for a duplicate to show up
    assert len(receiver.accepted) == 1
    assert receiver.accepted[0]["headers"]["X-Webhook-Id"] == "meeting.booked:1"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)


def test_5xx_and_time_outs_are_retried_by_the_worker_then_delivered_once(receiver, workers, staff):
    group = workers(
        WEBHOOK_RETRY_BASE=0.3,
        WEBHOOK_RETRY_MAX_DELAY=0.5,
        WEBHOOK_TIMEOUT=1,
        WEBHOOK_MAX_ATTEMPTS=5,
    )
    group.start()
    receiver.slow_seconds = 2.5
    receiver.script = [503, "slow", 500]
    delivery = _event(receiver, staff)
    assert len(receiver.wait_for(1, timeout=60)) == 1
    time.sleep(2)
    assert len(receiver.accepted) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 4, "")


def test_the_last_attempt_fails_for_good(receiver, workers, staff):
    group = workers(WEBHOOK_RETRY_BASE=0.2, WEBHOOK_RETRY_MAX_DELAY=0.3, WEBHOOK_MAX_ATTEMPTS=3)
    group.start()
    receiver.script = [500, 500, 500, 500]
    delivery = _event(receiver, staff)
    assert _wait(lambda: WebhookDelivery.objects.get(pk=delivery.pk).status == "failed")
    time.sleep(1)
    delivery.refresh_from_db()
    assert delivery.attempts == 3 and "HTTP 500" in delivery.last_error
    assert len(receiver.seen) == 3 and receiver.accepted == []
