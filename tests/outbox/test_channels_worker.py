"""WhatsApp and SMS through a real Celery worker on Redis and PostgreSQL, against the local
server that plays Meta and Twilio (``providers.py``): a worker killed while the provider holds
its request, transient failures retried, a permanent one replaced by an SMS, a STOP respected.
Every message reaches the provider exactly once."""

import os
import signal
import time

import pytest
from django.db import transaction

from accounts.services import user_mobile_set
from matchmaking import services
from outbox.models import Email
from outbox.services import phone_stop
from tests.factories import MeetingSessionFactory, participants

from .conftest import broker_app, flush
from .providers import ProviderServer
from .test_worker import Workers, _wait

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

BROKER_DB = 5  # a Redis database of its own (test_worker.py has 13), emptied before each test
PHONE = "+22670123456"


@pytest.fixture
def broker(monkeypatch):
    app = broker_app(monkeypatch, BROKER_DB)
    yield app
    flush(app)


@pytest.fixture
def provider():
    server = ProviderServer().start()
    yield server
    server.stop()


@pytest.fixture
def workers(broker, provider):
    made = []

    def make(**env):
        group = Workers(
            broker,
            "consolemail://",
            WHATSAPP_URL=provider.whatsapp_url,
            SMS_URL=provider.sms_url,
            SITE_URL="https://b2b.example.org",
            **env,
        )
        made.append(group)
        return group

    yield make
    for group in made:
        group.stop_all()


def _book(*, sms_fallback=True):
    """An operator contact on WhatsApp books a meeting (the web side, committed)."""
    session = MeetingSessionFactory()
    owner, contact = participants(session.mission)
    user_mobile_set(user=contact, mobile=PHONE, channel="whatsapp", sms_fallback=sms_fallback)
    with transaction.atomic():
        services.meeting_book(
            mission=session.mission,
            company=owner.company,
            operator=contact.operator,
            slot=session.slots.order_by("starts_at").first(),
            by=contact,
        )
    return Email.objects.get(channel="whatsapp")


def test_a_worker_killed_while_the_provider_holds_its_request_sends_once(provider, workers, broker):
    group = workers(OUTBOX_CLAIM_TIMEOUT=1)
    first = group.start()
    provider.hold.set()  # the provider keeps the worker waiting in the middle of the request
    row = _book()
    assert provider.held.wait(30), "the worker never reached the provider"
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    provider.release.set()  # the held request ends unanswered: the provider took nothing

    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 0) and row.claimed_at
    group.start()
    time.sleep(1.5)
    broker.send_task("outbox.sweep")  # what Celery beat does every minute
    assert _wait(lambda: Email.objects.get(pk=row.pk).status == "sent")
    time.sleep(2)  # room for a duplicate to show up
    assert len(provider.sent("meta")) == 1
    row.refresh_from_db()
    assert (row.attempts, row.provider) == (1, "meta") and row.provider_id.startswith("wamid.")


def test_transient_failures_are_retried_until_the_message_leaves_once(provider, workers):
    workers(OUTBOX_RETRY_BASE=0.3, OUTBOX_RETRY_MAX_DELAY=1).start()
    provider.meta_answers.extend(["down", "throttled"])
    row = _book()
    assert _wait(lambda: Email.objects.get(pk=row.pk).status == "sent")
    time.sleep(1)
    row.refresh_from_db()
    assert (row.attempts, row.last_error) == (3, "")
    assert [r["answer"] for r in provider.requests] == ["down", "throttled", "ok"]


def test_not_on_whatsapp_falls_back_to_one_sms(provider, workers):
    workers().start()
    provider.meta_answers.append("not_on_whatsapp")
    row = _book()
    assert _wait(lambda: Email.objects.filter(fallback_of=row, status="sent").exists())
    time.sleep(1)
    row.refresh_from_db()
    assert row.status == "failed" and "131026" in row.last_error and row.attempts == 1
    (sms,) = provider.sent("twilio")
    assert sms["body"]["To"] == PHONE


def test_a_stop_before_the_worker_sends_is_respected(provider, workers, broker):
    group = workers()
    row = _book()  # queued; no worker yet
    phone_stop(number=PHONE, source="whatsapp")
    group.start()
    assert _wait(lambda: Email.objects.get(pk=row.pk).status == "failed")
    time.sleep(1)
    assert provider.sent() == []
    assert "asked to stop" in Email.objects.get(pk=row.pk).last_error
