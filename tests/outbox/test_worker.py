"""The outbox with a real Celery worker on Redis, PostgreSQL and a real SMTP server: a worker
killed while sending, an SMTP outage, a permanent refusal. Every message arrives exactly once.

The test process plays the web server: it writes the rows and queues the tasks on the broker; the
workers are separate processes on the same (committed) test database.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection, transaction

from outbox import tasks
from outbox.models import Email
from outbox.recipients import Recipient
from outbox.services import email_send
from tests.factories import MissionFactory

from .conftest import broker_app, flush

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
BROKER_DB = 13  # a Redis database of its own, emptied before each test


@pytest.fixture
def broker(monkeypatch):
    app = broker_app(monkeypatch, BROKER_DB)
    yield app
    flush(app)


class Workers:
    def __init__(self, broker_app, smtp_url, **env):
        db = connection.settings_dict
        self.app = broker_app
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": "outbox-worker-tests-" + "x" * 40,
            "DEBUG": "False",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": broker_app.conf.broker_url,
            "EMAIL_URL": smtp_url,
            "EMAIL_TIMEOUT": "5",
            "CELERY_TASK_ALWAYS_EAGER": "False",
            **{k: str(v) for k, v in env.items()},
        }
        self.running: list[subprocess.Popen] = []
        self.log = open(os.environ.get("OUTBOX_WORKER_LOG", os.devnull), "ab")  # noqa: SIM115

    def start(self) -> subprocess.Popen:
        name = f"outbox-{uuid.uuid4().hex[:8]}@localhost"
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-n", name,
             "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.running.append(worker)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.app.control.ping(destination=[name], timeout=0.5):
                return worker
            assert worker.poll() is None, "the worker did not start"
        raise AssertionError("the worker did not answer")

    def stop_all(self):
        for worker in self.running:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=30)


@pytest.fixture
def workers(broker, smtp):
    made = []

    def make(**env):
        group = Workers(broker, smtp.url, **env)
        made.append(group)
        return group

    yield make
    for group in made:
        group.stop_all()


def _send(key="meeting-booked:1:0"):
    mission = MissionFactory()
    with transaction.atomic():
        email_send(
            event=key,
            mission=mission,
            recipients=[Recipient("cio@banque.example", "fr", "Awa Traoré")],
            template="operator_invitation",
            context={"mission": mission, "operator": None},
        )
    return Email.objects.get(key__startswith=key)


def _wait(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_worker_killed_while_sending_loses_nothing_and_sends_once(smtp, workers, broker):
    group = workers(OUTBOX_CLAIM_TIMEOUT=1)
    first = group.start()
    smtp.stall_rcpt.set()  # the server holds the worker in the middle of the SMTP exchange
    email = _send()
    assert smtp.stalled.wait(30), "the worker never reached the SMTP server"
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    smtp.stall_rcpt.clear()

    email.refresh_from_db()
    # Its transaction died with it; its claim on the row stays, unfinished.
    assert (email.status, email.attempts) == ("pending", 0) and email.claimed_at
    group.start()
    time.sleep(1.5)
    broker.send_task("outbox.sweep")  # what Celery beat does every minute
    assert len(smtp.wait_for(1)) == 1
    time.sleep(2)  # room for a duplicate to show up
    assert len(smtp.messages) == 1
    assert smtp.messages[0]["Message-ID"] == email.message_id
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 1)


def test_an_smtp_outage_delays_the_message_which_then_arrives_once(smtp, workers):
    group = workers(OUTBOX_RETRY_BASE=0.4, OUTBOX_RETRY_MAX_DELAY=1)
    group.start()
    smtp.stop()  # connections refused
    email = _send()
    assert _wait(lambda: Email.objects.get(pk=email.pk).attempts >= 2)
    assert Email.objects.get(pk=email.pk).status == "retrying"
    smtp.start()
    assert len(smtp.wait_for(1)) == 1
    time.sleep(2)
    assert len(smtp.messages) == 1
    email.refresh_from_db()
    # Sent after at least two refused attempts; the error of the outage is cleared with success.
    assert (email.status, email.last_error) == ("sent", "") and email.attempts >= 3


def test_a_permanent_refusal_fails_once_and_is_shown_to_staff(smtp, workers, client, staff):
    workers().start()
    smtp.refuse = "550 5.1.1 <cio@banque.example>: no such user"
    email = _send()
    assert _wait(lambda: Email.objects.get(pk=email.pk).status == "failed")
    time.sleep(1)
    email.refresh_from_db()
    assert email.attempts == 1 and "550" in email.last_error and smtp.messages == []

    client.force_login(staff)
    page = client.get(f"/staff/missions/{email.mission.slug}/emails/").content.decode()
    assert "cio@banque.example" in page and "no such user" in page


def test_the_sweep_sees_whether_tasks_are_waiting_in_the_broker(broker):
    from types import SimpleNamespace

    task = SimpleNamespace(app=broker)
    assert tasks._queue_empty(task)  # Redis keeps no empty list
    broker.send_task("outbox.deliver", args=["nobody:1"])  # no worker: it waits
    assert not tasks._queue_empty(task)
