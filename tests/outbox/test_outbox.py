"""The outbox through a real SMTP server (aiosmtpd): what arrives, in which language, with which
attachment; retries, permanent failures, idempotency, the sweep and the staff's retry."""

import smtplib
from datetime import timedelta

import pytest
from anymail.exceptions import AnymailAPIError, AnymailInvalidAddress, AnymailRecipientsRefused
from django.core import checks
from django.utils import timezone
from icalendar import Calendar

from matchmaking import services
from outbox import delivery
from outbox.models import Email, EmailStatus
from outbox.recipients import Recipient
from outbox.services import email_retry, email_send
from outbox.tasks import outbox_sweep_task
from tests.factories import MeetingSessionFactory, MissionFactory, participants

pytestmark = pytest.mark.django_db


def _book(session, owner, contact):
    return services.meeting_book(
        mission=session.mission,
        company=owner.company,
        operator=contact.operator,
        slot=session.slots.order_by("starts_at").first(),
        by=contact,
    )


@pytest.fixture
def booking(django_capture_on_commit_callbacks):
    """A meeting booked in Abidjan between a French-speaking firm and an English-speaking
    operator."""
    session = MeetingSessionFactory(mission__timezone="Africa/Abidjan", mission__city="Abidjan")
    owner, contact = participants(session.mission)
    contact.language = "en"
    contact.save()

    def book():
        with django_capture_on_commit_callbacks(execute=True):
            return _book(session, owner, contact)

    return book, owner, contact


def test_booking_confirmations_arrive_over_smtp_in_each_readers_language(smtp, booking):
    book, owner, contact = booking
    meeting = book()
    messages = {m["To"]: m for m in smtp.wait_for(2)}
    assert set(messages) == {owner.email, contact.email}

    french, english = messages[owner.email], messages[contact.email]
    assert french["Subject"].startswith("[Maroc Export] Rendez-vous réservé")
    assert english["Subject"].startswith("[Maroc Export] Meeting booked")
    assert (french["Content-Language"], english["Content-Language"]) == ("fr", "en")
    for message in (french, english):
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert meeting.operator.name in text and meeting.operator.name in html
        assert "09:00" in text and "GMT" in text  # Abidjan's local time, with its zone named
        assert "<html" in html.lower() and "/attend/" in text and "/attend/" in html
        [attachment] = list(message.iter_attachments())
        assert attachment.get_filename() == "invite.ics"
        calendar = Calendar.from_ical(attachment.get_content())
        assert str(calendar["METHOD"]) == "REQUEST"
        event = calendar.walk("VEVENT")[0]
        assert str(event["UID"]) == meeting.uid and int(event["SEQUENCE"]) == 0
        assert event["DTSTART"].params["TZID"] == "Africa/Abidjan"
        assert event.decoded("DTSTART").strftime("%H:%M") == "09:00"
    assert "Merci de confirmer votre présence" in french.get_body(("plain",)).get_content()
    assert "Please confirm that you will attend" in english.get_body(("plain",)).get_content()

    rows = Email.objects.filter(mission=meeting.mission)
    assert sorted(rows.values_list("status", flat=True)) == ["sent", "sent"]
    assert {m["Message-ID"] for m in messages.values()} == {r.message_id for r in rows}


def test_the_same_event_twice_sends_one_message_per_recipient(
    smtp, django_capture_on_commit_callbacks
):
    mission = MissionFactory()
    people = [Recipient("a@example.org", "fr"), Recipient("b@example.org", "en")]
    for _ in range(2):  # a double click, a retried request
        with django_capture_on_commit_callbacks(execute=True):
            email_send(
                event=f"registration_received:{mission.pk}:once",
                mission=mission,
                recipients=people,
                template="operator_invitation",
                context={"mission": mission, "operator": None},
            )
    assert len(smtp.wait_for(2)) == 2
    assert Email.objects.count() == 2
    assert sorted(m["To"] for m in smtp.messages) == ["a@example.org", "b@example.org"]


def _one_message(mission, django_capture_on_commit_callbacks, key="invite:1"):
    with django_capture_on_commit_callbacks(execute=True):
        email_send(
            event=key,
            mission=mission,
            recipients=[Recipient("cio@banque.example", "fr")],
            template="operator_invitation",
            context={"mission": mission, "operator": None},
        )
    return Email.objects.get(key__startswith=key)


def test_a_refused_connection_is_retried_later_and_then_delivered(
    smtp, settings, django_capture_on_commit_callbacks
):
    mission = MissionFactory()
    smtp.stop()  # the server is down: connection refused
    email = _one_message(mission, django_capture_on_commit_callbacks)
    assert (email.status, email.attempts) == ("retrying", 1)
    assert "ConnectionRefused" in email.last_error
    base = settings.OUTBOX_RETRY_BASE
    assert base / 2 <= (email.next_attempt_at - timezone.now()).total_seconds() <= base

    assert delivery.deliver(email.key).result == "skipped"  # not due yet: nothing happens
    smtp.start()
    Email.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert delivery.deliver(email.key).result == "sent"
    email.refresh_from_db()
    assert (email.status, email.attempts, email.next_attempt_at) == ("sent", 2, None)
    assert len(smtp.wait_for(1)) == 1


def test_a_permanent_refusal_marks_the_message_failed_and_sends_nothing_more(
    smtp, django_capture_on_commit_callbacks
):
    smtp.refuse = "550 5.1.1 No such user here"
    email = _one_message(MissionFactory(), django_capture_on_commit_callbacks)
    assert email.status == "failed" and "550" in email.last_error and email.attempts == 1
    smtp.refuse = ""
    assert delivery.deliver(email.key).result == "skipped"
    assert smtp.messages == []


def test_staff_retry_to_a_corrected_address(smtp, staff, django_capture_on_commit_callbacks):
    smtp.refuse = "550 5.1.1 No such user here"
    email = _one_message(MissionFactory(), django_capture_on_commit_callbacks)
    smtp.refuse = ""
    with django_capture_on_commit_callbacks(execute=True):
        email_retry(email=email, to_email="cio@banque-horizon.example")
    email.refresh_from_db()
    assert (email.status, email.to_email, email.last_error) == (
        "sent",
        "cio@banque-horizon.example",
        "",
    )
    assert [m["To"] for m in smtp.wait_for(1)] == ["cio@banque-horizon.example"]


def test_after_the_last_attempt_a_transient_failure_is_final(
    smtp, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    smtp.stop()
    email = _one_message(MissionFactory(), django_capture_on_commit_callbacks)
    Email.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert delivery.deliver(email.key).result == "failed"
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", 2)


def test_a_message_about_a_deleted_row_fails_with_the_reason(
    smtp, django_capture_on_commit_callbacks
):
    mission = MissionFactory()
    with django_capture_on_commit_callbacks(execute=False):  # queued, not yet delivered
        email_send(
            event="gone:1",
            recipients=[Recipient("x@example.org")],
            template="operator_invitation",
            context={"mission": mission, "operator": None},
        )
    mission.delete()
    assert delivery.deliver("gone:1:x@example.org").result == "failed"
    assert "no longer exists" in Email.objects.get().last_error


def test_the_sweep_queues_again_what_was_left_pending(
    smtp, settings, django_capture_on_commit_callbacks
):
    mission = MissionFactory()
    with django_capture_on_commit_callbacks(execute=False):  # the task message was lost
        email_send(
            event="lost:1",
            recipients=[Recipient("x@example.org")],
            template="operator_invitation",
            context={"mission": mission, "operator": None},
        )
    assert outbox_sweep_task() == 0  # too recent: its task may still be on its way
    Email.objects.update(
        enqueued_at=timezone.now() - timedelta(seconds=1 + settings.OUTBOX_STALE_AFTER)
    )
    assert outbox_sweep_task() == 1
    assert Email.objects.get().status == "sent"
    assert outbox_sweep_task() == 0
    assert len(smtp.wait_for(1)) == 1


def test_the_sweep_takes_back_a_message_whose_worker_went_silent(
    smtp, settings, django_capture_on_commit_callbacks
):
    mission = MissionFactory()
    with django_capture_on_commit_callbacks(execute=False):
        email_send(
            event="claimed:1",
            recipients=[Recipient("x@example.org")],
            template="operator_invitation",
            context={"mission": mission, "operator": None},
        )
    now = timezone.now()
    # A worker took it a moment ago: it may still be sending, the sweep leaves it.
    Email.objects.update(claimed_at=now)
    assert outbox_sweep_task() == 0
    # Silent for longer than the claim timeout: it died; the message goes out once.
    silent = now - timedelta(seconds=1 + settings.OUTBOX_CLAIM_TIMEOUT)
    Email.objects.update(enqueued_at=silent - timedelta(seconds=1), claimed_at=silent)
    assert outbox_sweep_task() == 1
    assert outbox_sweep_task() == 0
    assert Email.objects.get().status == "sent" and len(smtp.wait_for(1)) == 1


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (smtplib.SMTPServerDisconnected(), True),
        (smtplib.SMTPConnectError(554, b"no"), True),
        (smtplib.SMTPResponseException(421, b"busy"), True),
        (smtplib.SMTPDataError(452, b"full"), True),
        (smtplib.SMTPDataError(554, b"spam"), False),
        (smtplib.SMTPRecipientsRefused({"a@b.c": (550, b"unknown")}), False),
        (smtplib.SMTPRecipientsRefused({"a@b.c": (450, b"greylisted")}), True),
        (ValueError("bad header"), False),
        (AnymailRecipientsRefused("all refused"), False),
        (AnymailInvalidAddress("not an address"), False),
        (smtplib.SMTPAuthenticationError(535, b"bad password"), True),
        (AnymailAPIError("unreachable"), True),
        (AnymailAPIError("busy", status_code=503), True),
        (AnymailAPIError("slow down", status_code=429), True),
        (AnymailAPIError("bad token", status_code=401), False),
    ],
)
def test_transient_and_permanent_failures(error, transient):
    assert delivery.is_transient(error) is transient


def test_retry_delays_grow_and_stay_below_the_visibility_timeout(settings):
    delays = [delivery.retry_delay(n) for n in range(1, 20)]
    assert delays[0] <= settings.OUTBOX_RETRY_BASE
    assert max(delays) <= settings.OUTBOX_RETRY_MAX_DELAY
    assert max(delays) < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    settings.OUTBOX_RETRY_MAX_DELAY = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert [e.id for e in checks.run_checks()] == ["outbox.E001"]


def test_the_admin_action_sends_failed_messages_again(
    client, staff, smtp, django_capture_on_commit_callbacks
):
    smtp.refuse = "550 5.1.1 No such user here"
    email = _one_message(MissionFactory(), django_capture_on_commit_callbacks)
    smtp.refuse = ""
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/outbox/email/",
            {"action": "send_again", "_selected_action": [email.pk]},
        )
    email.refresh_from_db()
    assert email.status == "sent" and [m["To"] for m in smtp.wait_for(1)] == [email.to_email]


def test_no_code_path_sends_e_mail_except_the_outbox():
    """Django's sending functions appear in the delivery module only (allauth's adapter hands
    its messages to the outbox)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sending = re.compile(
        r"\b(send_mail|send_mass_mail|mail_admins|mail_managers|EmailMessage|"
        r"EmailMultiAlternatives|get_connection|mailers\[)\b|\.send_messages\("
    )
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for folder in (
            "accounts",
            "companies",
            "core",
            "dashboard",
            "matchmaking",
            "missions",
            "outbox",
            "config",
        )
        for path in (root / folder).rglob("*.py")
        if path.name != "delivery.py" and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if sending.search(line) and "def send_mail(self" not in line
    ]
    assert offenders == []


def test_an_invitation_overtaken_by_a_move_is_not_sent_the_move_is(
    smtp, django_capture_on_commit_callbacks
):
    session = MeetingSessionFactory()
    owner, contact = participants(session.mission)
    with django_capture_on_commit_callbacks(execute=False):  # booked; the worker is slow
        meeting = _book(session, owner, contact)
    later = session.slots.order_by("-starts_at").first()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_move(meeting=meeting, slot=later, by=contact)
    booked = Email.objects.filter(template="meeting_booked")
    assert [delivery.deliver(e.key).result for e in booked] == ["obsolete", "obsolete"]
    assert set(booked.values_list("status", flat=True)) == {"obsolete"}
    subjects = [m["Subject"] for m in smtp.wait_for(2)]
    assert len(subjects) == 2 and all("déplacé" in s for s in subjects)


def test_a_cancellation_always_leaves(smtp, django_capture_on_commit_callbacks):
    session = MeetingSessionFactory()
    owner, contact = participants(session.mission)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _book(session, owner, contact)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting, by=contact, reason="Vol annulé")
    assert sorted(Email.objects.values_list("template", "status")) == [
        ("meeting_booked", "sent"),
        ("meeting_booked", "sent"),
        ("meeting_cancelled", "sent"),
        ("meeting_cancelled", "sent"),
    ]


def test_a_secret_is_not_kept_in_a_message_that_failed(smtp, client, operator_contact):
    from outbox.services import email_send_rendered

    smtp.refuse = "550 5.1.1 No such user here"
    email = email_send_rendered(
        key="account:code:1", to="x@example.org", language="fr", subject="Code", text="918273"
    )
    assert delivery.deliver(email.key).result == "failed"
    email.refresh_from_db()
    assert (email.status, email.text, email.html) == ("failed", "", "")


def test_while_a_backlog_drains_the_sweep_leaves_waiting_messages_alone(
    settings, django_capture_on_commit_callbacks
):
    mission = MissionFactory()
    with django_capture_on_commit_callbacks(execute=False):
        email_send(
            event="waiting:1",
            recipients=[Recipient("x@example.org")],
            template="operator_invitation",
            context={"mission": mission, "operator": None},
        )
    Email.objects.update(
        enqueued_at=timezone.now() - timedelta(seconds=1 + settings.OUTBOX_STALE_AFTER)
    )
    assert delivery.due_keys(queue_empty=False) == []  # still in the queue, waiting its turn
    assert delivery.due_keys(queue_empty=True) == ["waiting:1:x@example.org"]  # lost


def test_the_same_event_again_queues_no_task(django_capture_on_commit_callbacks, monkeypatch):
    from outbox import tasks

    queued = []
    monkeypatch.setattr(tasks.email_deliver_task, "delay", queued.append)
    mission = MissionFactory()
    for _ in range(3):  # a beat task that runs every quarter of an hour
        with django_capture_on_commit_callbacks(execute=True):
            email_send(
                event="reminder:1",
                recipients=[Recipient("x@example.org")],
                template="operator_invitation",
                context={"mission": mission, "operator": None},
            )
    assert queued == ["reminder:1:x@example.org"]


def test_the_messages_of_one_event_leave_in_one_broker_message(
    django_capture_on_commit_callbacks, monkeypatch, mailoutbox
):
    from outbox import tasks

    single, many = [], []
    monkeypatch.setattr(tasks.email_deliver_task, "delay", single.append)
    monkeypatch.setattr(tasks.email_deliver_many_task, "delay", many.append)
    mission = MissionFactory()
    with django_capture_on_commit_callbacks(execute=True):
        email_send(
            event="booked:1",
            recipients=[Recipient("firm@example.org"), Recipient("operator@example.org")],
            template="operator_invitation",
            context={"mission": mission, "operator": None},
        )
    assert single == [] and many == [["booked:1:firm@example.org", "booked:1:operator@example.org"]]
    # The worker delivers each one on its own.
    assert tasks.email_deliver_many_task(many[0]) == ["sent", "sent"]
    assert sorted(m.to[0] for m in mailoutbox) == ["firm@example.org", "operator@example.org"]
    assert set(Email.objects.values_list("status", flat=True)) == {EmailStatus.SENT}


def test_the_staff_page_lists_failures_first(client, staff, django_capture_on_commit_callbacks):
    mission = MissionFactory()
    for n in range(3):
        email = _one_message(mission, django_capture_on_commit_callbacks, key=f"k:{n}")
    Email.objects.filter(key__startswith="k:1").update(
        status="failed", sent_at=None, last_error="550"
    )
    client.force_login(staff)
    page = client.get(f"/staff/missions/{mission.slug}/emails/").content.decode()
    rows = page.split("<tbody>")[1]
    assert email.status == "sent" and rows.index("Échec") < rows.index("Envoyé")


def test_a_list_of_rows_in_a_message_is_read_in_one_query(django_assert_num_queries):
    from outbox.serialization import decode, encode

    session = MeetingSessionFactory()
    meetings = []
    for slot in session.slots.order_by("starts_at")[:3]:
        owner, contact = participants(session.mission)
        meetings.append(
            services.meeting_book(
                mission=session.mission,
                company=owner.company,
                operator=contact.operator,
                slot=slot,
                by=contact,
            )
        )
    with django_assert_num_queries(1):
        read = decode(encode({"meetings": meetings}))["meetings"]
        assert [m.operator.name for m in read] == [m.operator.name for m in meetings]
