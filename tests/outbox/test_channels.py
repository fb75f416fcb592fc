"""WhatsApp and SMS as channels of the outbox, against a local server that speaks Meta's and
Twilio's APIs as documented: opting in, what is sent and in which form, failures retried or
failed with their reason and replaced by an SMS or an e-mail, signed receipts (forged ones
refused), STOP by reply or link respected at send time, the staff's page."""

import base64
import hashlib
import hmac
import json
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import MobileConsent, User
from accounts.services import user_mobile_set
from matchmaking import services
from matchmaking.attendance import reminders_send, summaries_send
from outbox import delivery, phones
from outbox.models import Email, EmailStatus, MobileNumber
from outbox.services import email_retry
from tests.factories import MeetingSessionFactory, MissionFactory, participants

from .providers import TWILIO_TOKEN, ProviderServer

pytestmark = pytest.mark.django_db

APP_SECRET = "meta-app-secret"
OPERATOR_PHONE, OWNER_PHONE = "+22670123456", "+212612345678"


@pytest.fixture
def provider(settings):
    server = ProviderServer().start()
    settings.WHATSAPP_URL, settings.SMS_URL = server.whatsapp_url, server.sms_url
    settings.WHATSAPP_APP_SECRET = APP_SECRET
    settings.SITE_URL = "https://b2b.example.org"
    phones.provider.cache_clear()
    yield server
    server.stop()
    phones.provider.cache_clear()


@pytest.fixture
def pair(django_capture_on_commit_callbacks):
    """A firm's owner on SMS (French) and an operator contact on WhatsApp with SMS as fallback
    (English), a session in Ouagadougou; ``book()`` books their meeting in the first slot."""
    session = MeetingSessionFactory(
        mission__timezone="Africa/Ouagadougou", mission__city="Ouagadougou"
    )
    owner, contact = participants(session.mission)
    contact.language = "en"
    contact.save()
    user_mobile_set(user=contact, mobile=OPERATOR_PHONE, channel="whatsapp", sms_fallback=True)
    user_mobile_set(user=owner, mobile=OWNER_PHONE, channel="sms", sms_fallback=False)

    def book(slot_index=0, company=None):
        slot = session.slots.order_by("starts_at")[slot_index]
        with django_capture_on_commit_callbacks(execute=True):
            return services.meeting_book(
                mission=session.mission,
                company=company or owner.company,
                operator=contact.operator,
                slot=slot,
                by=contact,
            )

    return book, owner, contact, session


def _meta_post(client, payload, *, secret=APP_SECRET):
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        reverse("outbox:whatsapp_webhook"),
        body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature},
    )


def _meta_change(**value):
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "212500000000", "phone_number_id": "1"},
            **value,
        }}]}],
    }  # fmt: skip


def _twilio_post(client, name, params, *, token=TWILIO_TOKEN):
    url = "https://b2b.example.org" + reverse(f"outbox:{name}")
    signed = url + "".join(k + params[k] for k in sorted(params))
    digest = hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()
    return client.post(
        reverse(f"outbox:{name}"),
        params,
        headers={"X-Twilio-Signature": base64.b64encode(digest).decode()},
    )


# --- Opting in ------------------------------------------------------------------------------------


def test_opting_in_normalises_the_number_and_records_the_consent(client, operator_contact):
    client.force_login(operator_contact)
    response = client.post(
        reverse("accounts:mobile"),
        {"mobile": "+226 70 12 34 56", "mobile_channel": "whatsapp", "consent": "on"},
    )
    assert response.status_code == 302
    operator_contact.refresh_from_db()
    assert (str(operator_contact.mobile), operator_contact.mobile_channel) == (
        "+22670123456",
        "whatsapp",
    )
    consent = MobileConsent.objects.get(user=operator_contact)
    assert (consent.action, consent.source, consent.wording_version) == (
        "opt_in",
        "profile",
        "2026-12",
    )
    assert consent.number == "+22670123456" and consent.created_at


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"mobile": "12345", "mobile_channel": "sms", "consent": "on"}, "mobile", "valid"),
        ({"mobile": "+22670123456", "mobile_channel": "sms"}, "consent", "Cochez cette case"),
        (
            {"mobile": "", "mobile_channel": "whatsapp", "consent": "on"},
            "mobile",
            "Indiquez un numéro",
        ),
    ],
)
def test_a_bad_opt_in_is_refused_with_a_message(client, operator_contact, data, field, message):
    client.force_login(operator_contact)
    response = client.post(reverse("accounts:mobile"), data)
    assert response.status_code == 400
    assert message in " ".join(response.context["mobile_form"].errors[field])
    operator_contact.refresh_from_db()
    assert operator_contact.mobile_channel == "" and not MobileConsent.objects.exists()


def _signup(client, **mobile):
    from companies.models import Sector

    mission = MissionFactory(country="MR", city="Nouakchott", timezone="Africa/Nouakchott")
    data = {
        "full_name": "Mariem Mint Ahmed", "email": "mariem@banque-chinguetti.mr", "phone": "",
        "name": "Banque Chinguetti", "kind": "bank", "country": "MR", "city": "Nouakchott",
        "website": "", "sectors": [str(Sector.objects.first().pk)], "needs": "Paiement mobile",
    }  # fmt: skip
    data |= {f"mobile-{k}": v for k, v in mobile.items()}
    return client.post(reverse("missions:meet", args=[mission.slug]), data)


def test_an_operator_opts_in_at_sign_up(client):
    response = _signup(client, mobile="+222 36 12 34 56", mobile_channel="whatsapp", consent="on")
    assert response.status_code == 302
    user = User.objects.get(email="mariem@banque-chinguetti.mr")
    assert (str(user.mobile), user.mobile_channel) == ("+22236123456", "whatsapp")
    assert MobileConsent.objects.get(user=user).source == "signup"


def test_a_bad_number_at_sign_up_keeps_the_input_and_creates_nothing(client):
    response = _signup(client, mobile="36 12", mobile_channel="whatsapp", consent="on")
    assert response.status_code == 400
    assert "Banque Chinguetti" in response.content.decode()
    assert response.context["mobile_form"].errors["mobile"]
    assert not User.objects.filter(email="mariem@banque-chinguetti.mr").exists()


# --- What is sent ---------------------------------------------------------------------------------


def test_a_booking_goes_as_a_whatsapp_template_and_an_sms_once_each(provider, pair):
    book, _owner, _contact, _session = pair
    meeting = book()
    (whatsapp,) = provider.sent("meta")
    body = whatsapp["body"]
    assert body["to"] == OPERATOR_PHONE.removeprefix("+") and body["type"] == "template"
    template = body["template"]
    assert (template["name"], template["language"]["code"]) == ("meeting_booked", "en")
    params = [p["text"] for p in template["components"][0]["parameters"]]
    assert params[0] == f"{meeting.company.display_name} – {meeting.operator.name}"
    assert params[2] == "09:00" and params[3] == "Table 1"
    assert params[4].startswith("https://b2b.example.org/attend/")  # confirm attendance
    assert "/messages/stop/" in params[5]  # the one-click stop

    (sms,) = provider.sent("twilio")
    assert sms["body"]["To"] == OWNER_PHONE and sms["body"]["From"] == "+15005550006"
    assert sms["body"]["Body"].startswith("Maroc Export : rendez-vous réservé")  # French
    assert "https://b2b.example.org/attend/" in sms["body"]["Body"]
    assert sms["body"]["Body"].endswith("\nRépondez STOP pour arrêter ces messages.")
    assert sms["body"]["StatusCallback"] == "https://b2b.example.org/messages/hooks/twilio/status/"

    rows = Email.objects.exclude(channel="email")
    assert {(r.channel, r.status, r.provider) for r in rows} == {
        ("whatsapp", "sent", "meta"),
        ("sms", "sent", "twilio"),
    }
    # The same event recorded again sends nothing more.
    services._invite(meeting, template="meeting_booked", method="REQUEST")
    assert Email.objects.exclude(channel="email").count() == 2
    assert len(provider.sent()) == 2


def test_plain_text_inside_the_24_hour_window(provider, pair):
    book, _owner, _contact, _session = pair
    MobileNumber.objects.create(number=OPERATOR_PHONE, last_inbound_at=timezone.now())
    book()
    (whatsapp,) = provider.sent("meta")
    assert whatsapp["body"]["type"] == "text"
    assert whatsapp["body"]["text"]["body"].startswith("Maroc Export: meeting booked")


def test_not_on_whatsapp_fails_with_the_reason_and_falls_back_to_sms(provider, pair):
    book, _owner, _contact, _session = pair
    provider.meta_answers.append("not_on_whatsapp")
    book()
    failed = Email.objects.get(channel="whatsapp")
    assert failed.status == EmailStatus.FAILED and "131026" in failed.last_error
    fallback = Email.objects.get(fallback_of=failed)
    assert (fallback.channel, fallback.status, fallback.to_phone) == ("sms", "sent", OPERATOR_PHONE)
    assert [r["body"]["To"] for r in provider.sent("twilio")] == [OWNER_PHONE, OPERATOR_PHONE]


def test_a_rejected_template_without_sms_consent_gives_no_fallback(provider, pair):
    book, _owner, contact, _session = pair
    user_mobile_set(user=contact, mobile=OPERATOR_PHONE, channel="whatsapp", sms_fallback=False)
    provider.meta_answers.append("template")
    book()  # the booking's e-mail already tells: no second e-mail either
    failed = Email.objects.get(channel="whatsapp")
    assert failed.status == "failed" and "132001" in failed.last_error
    assert not Email.objects.filter(fallback_of=failed).exists()
    assert [r["body"]["To"] for r in provider.sent("twilio")] == [OWNER_PHONE]


@pytest.mark.parametrize(
    ("channel", "answer"), [("whatsapp", "throttled"), ("whatsapp", "down"), ("sms", "throttled")]
)
def test_transient_failures_are_retried(provider, pair, channel, answer):
    book, _owner, _contact, _session = pair
    (provider.meta_answers if channel == "whatsapp" else provider.twilio_answers).append(answer)
    book()
    row = Email.objects.get(channel=channel)
    assert (row.status, row.attempts) == ("retrying", 1) and row.next_attempt_at
    Email.objects.filter(pk=row.pk).update(next_attempt_at=None)
    assert delivery.deliver(row.key).result == "sent"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")


def test_a_timeout_is_retried(provider, pair, settings):
    book, _owner, _contact, _session = pair
    settings.PHONE_TIMEOUT = 0.5
    provider.hold.set()  # the server never answers the first request
    book()
    (row,) = Email.objects.filter(status="retrying")
    assert row.channel in ("whatsapp", "sms") and "Timeout" in row.last_error


def test_a_move_and_a_cancellation_are_sent_short(
    provider, pair, django_capture_on_commit_callbacks
):
    book, _owner, contact, session = pair
    meeting = book()
    with django_capture_on_commit_callbacks(execute=True):
        slot = session.slots.order_by("starts_at")[2]
        meeting = services.meeting_move(meeting=meeting, slot=slot, by=contact)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting, by=contact)
    whatsapp = [r["body"]["template"] for r in provider.sent("meta")]
    assert [t["name"] for t in whatsapp] == ["meeting_booked", "meeting_moved", "meeting_cancelled"]
    assert [p["text"] for p in whatsapp[1]["components"][0]["parameters"]][2] == "10:00"
    sms = [r["body"]["Body"] for r in provider.sent("twilio")]
    assert len(sms) == 3 and "10:00" in sms[1] and "annulé" in sms[2]


# --- Receipts -------------------------------------------------------------------------------------


def test_signed_receipts_update_the_row_and_forged_ones_are_refused(client, provider, pair):
    book, _owner, _contact, _session = pair
    book()
    row = Email.objects.get(channel="whatsapp")
    delivered = _meta_change(statuses=[{"id": row.provider_id, "status": "delivered",
                                        "timestamp": "1765130000", "recipient_id": "22670123456"}])  # fmt: skip
    assert _meta_post(client, delivered, secret="not-the-secret").status_code == 403
    row.refresh_from_db()
    assert row.receipt == ""
    assert _meta_post(client, delivered).status_code == 200
    row.refresh_from_db()
    assert row.receipt == "delivered" and row.receipt_at

    sms = Email.objects.get(channel="sms")
    params = {"MessageSid": sms.provider_id, "MessageStatus": "undelivered", "ErrorCode": "30003",
              "To": OWNER_PHONE, "AccountSid": "AC" + "0" * 32}  # fmt: skip
    assert _twilio_post(client, "twilio_status", params, token="forged").status_code == 403
    sms.refresh_from_db()
    assert sms.status == "sent"
    assert _twilio_post(client, "twilio_status", params).status_code == 204
    sms.refresh_from_db()
    assert (sms.status, sms.receipt, sms.sent_at) == ("failed", "undelivered", None)
    assert "30003" in sms.last_error
    email_retry(email=sms)  # staff send it again: a new copy, whose receipt is still to come
    sms.refresh_from_db()
    assert (sms.status, sms.receipt, sms.receipt_at) == ("pending", "", None)


def test_an_undelivered_receipt_fails_the_message_and_queues_its_fallback(
    client, provider, pair, django_capture_on_commit_callbacks
):
    book, _owner, _contact, _session = pair
    book()
    row = Email.objects.get(channel="whatsapp")
    failed = _meta_change(statuses=[{
        "id": row.provider_id, "status": "failed", "timestamp": "1765130000",
        "recipient_id": "22670123456",
        "errors": [{"code": 131026, "title": "Message undeliverable",
                    "error_data": {"details": "Receiver is incapable of receiving this message"}}],
    }])  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert _meta_post(client, failed).status_code == 200
    row.refresh_from_db()
    assert row.status == "failed" and "131026" in row.last_error
    assert Email.objects.get(fallback_of=row).status == "sent"
    assert provider.sent("twilio")[-1]["body"]["To"] == OPERATOR_PHONE
    # Receipts may arrive out of order: a "delivered" after the failure does not undo it.
    late = _meta_change(statuses=[{"id": row.provider_id, "status": "delivered",
                                   "timestamp": "1765130001", "recipient_id": "22670123456"}])  # fmt: skip
    assert _meta_post(client, late).status_code == 200
    row.refresh_from_db()
    assert (row.status, row.receipt) == ("failed", "undelivered")


def test_a_signature_header_that_is_not_ascii_is_refused_not_a_500(client, provider):
    body = json.dumps(_meta_change(statuses=[])).encode()
    for header in ("sha256=é", "sha256=" + "é" * 64):
        response = client.post(
            reverse("outbox:whatsapp_webhook"),
            body,
            content_type="application/json",
            headers={"X-Hub-Signature-256": header},
        )
        assert response.status_code == 403
    forged = {"MessageSid": "SM1", "MessageStatus": "delivered"}
    response = client.post(
        reverse("outbox:twilio_status"), forged, headers={"X-Twilio-Signature": "é"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[1, 2]",
        json.dumps({"entry": "x"}).encode(),
        json.dumps({"entry": [{"changes": [{"value": {"statuses": [
            {"id": 5, "status": "failed", "errors": "boom"},
            {"id": "x", "status": "failed", "errors": [1, {"error_data": "x"}]},
        ], "messages": [{"from": "abc", "type": "text", "text": "STOP"},
                        {"from": "+", "type": "interactive", "interactive": []}]}}]}]}).encode(),
    ],
)  # fmt: skip
def test_a_signed_but_malformed_webhook_is_a_4xx_or_ignored(client, provider, payload):
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), payload, hashlib.sha256).hexdigest()
    response = client.post(
        reverse("outbox:whatsapp_webhook"),
        payload,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature},
    )
    assert response.status_code in (200, 400)
    assert not MobileNumber.objects.exists()


def test_the_subscription_check_answers_the_challenge_only_with_the_token(client, settings):
    settings.WHATSAPP_VERIFY_TOKEN = "verify-me"
    url = reverse("outbox:whatsapp_webhook")
    query = {
        "hub.mode": "subscribe",
        "hub.challenge": "1158201444",
        "hub.verify_token": "verify-me",
    }
    answer = client.get(url, query)
    assert answer.status_code == 200 and answer.content == b"1158201444"
    assert client.get(url, query | {"hub.verify_token": "guess"}).status_code == 403


def test_the_console_provider_for_make_run(pair, settings, caplog):
    settings.WHATSAPP_URL = settings.SMS_URL = "console://"
    phones.provider.cache_clear()
    book, _owner, _contact, _session = pair
    book()
    rows = Email.objects.exclude(channel="email")
    assert {(r.channel, r.status, r.provider) for r in rows} == {
        ("whatsapp", "sent", "console"),
        ("sms", "sent", "console"),
    }
    assert "template meeting_booked" in caplog.text and OPERATOR_PHONE in caplog.text
    phones.provider.cache_clear()


# --- Stopping -------------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["STOP", "Arrêt", "توقف"])
def test_a_stop_reply_stops_every_message_even_those_queued(client, provider, pair, word):
    book, _owner, contact, _session = pair
    book()
    reminder = Email.objects.get(channel="whatsapp")
    Email.objects.filter(pk=reminder.pk).update(status="pending", sent_at=None, provider_id="")
    inbound = _meta_change(
        contacts=[{"profile": {"name": "Awa"}, "wa_id": "22670123456"}],
        messages=[{"from": "22670123456", "id": "wamid.in", "timestamp": "1765130000",
                   "type": "text", "text": {"body": word}}],
    )  # fmt: skip
    assert _meta_post(client, inbound).status_code == 200
    contact.refresh_from_db()
    assert contact.mobile_channel == "" and contact.mobile_consent_at is None
    stop = MobileConsent.objects.get(user=contact, action="stop")
    assert (stop.source, stop.number) == ("whatsapp", OPERATOR_PHONE)

    sent_before = len(provider.sent("meta"))
    assert delivery.deliver(reminder.key).result == "failed"
    reminder.refresh_from_db()
    assert "asked to stop" in reminder.last_error
    assert len(provider.sent("meta")) == sent_before  # nothing left
    assert not Email.objects.filter(fallback_of=reminder).exists()


def test_a_forged_stop_is_refused(client, provider, pair):
    _book, _owner, contact, _session = pair
    inbound = _meta_change(messages=[{"from": "22670123456", "id": "x", "type": "text",
                                      "text": {"body": "STOP"}}])  # fmt: skip
    assert _meta_post(client, inbound, secret="guess").status_code == 403
    contact.refresh_from_db()
    assert contact.mobile_channel == "whatsapp"


def test_an_sms_stop_and_the_stop_link(client, provider, pair):
    _book, owner, contact, _session = pair
    params = {"From": OWNER_PHONE, "Body": "stop", "MessageSid": "SMin", "To": "+15005550006"}
    response = _twilio_post(client, "twilio_inbound", params)
    assert response.status_code == 200 and response["Content-Type"] == "text/xml"
    owner.refresh_from_db()
    assert owner.mobile_channel == ""

    url = delivery.stop_url(OPERATOR_PHONE).removeprefix("https://b2b.example.org")
    page = client.get(url)
    assert page.status_code == 200 and "+226" in page.content.decode()
    contact.refresh_from_db()
    assert contact.mobile_channel == "whatsapp"  # a link preview opening the page stops nothing
    assert client.post(url).status_code == 200
    contact.refresh_from_db()
    assert contact.mobile_channel == ""
    assert MobileConsent.objects.get(user=contact, action="stop").source == "link"
    assert client.get(url[:-5] + "xxxx/").status_code == 404


# --- The morning's summary ------------------------------------------------------------------------


def test_the_morning_summary_once_per_participant_and_day(
    provider, pair, django_capture_on_commit_callbacks
):
    book, _owner, _contact, session = pair
    other_owner, _other_contact = participants(session.mission)
    book(1)
    book(3, company=other_owner.company)
    provider.requests.clear()
    day = session.day
    morning = datetime.combine(day, time(7, 5), tzinfo=session.mission.tzinfo)
    with django_capture_on_commit_callbacks(execute=True):
        summaries_send(now=morning)
    with django_capture_on_commit_callbacks(execute=True):
        summaries_send(now=morning + timedelta(minutes=15))
    whatsapp = provider.sent("meta")
    assert len(whatsapp) == 1
    params = [p["text"] for p in whatsapp[0]["body"]["template"]["components"][0]["parameters"]]
    assert whatsapp[0]["body"]["template"]["name"] == "day_summary"
    assert params[:3] == ["2", "09:30", "Table 1"]
    (sms,) = provider.sent("twilio")  # the firm's owner: one meeting
    assert "1 rendez-vous aujourd’hui, le premier à 09:30, Table 1" in sms["body"]["Body"]
    # Before 07:00 nothing; once the first meeting has started, nothing either.
    assert summaries_send(now=morning - timedelta(hours=1)) == 0
    assert summaries_send(now=morning + timedelta(hours=3)) == 0


def test_the_evening_reminder_once_per_participant_and_day(
    provider, pair, django_capture_on_commit_callbacks
):
    book, _owner, _contact, session = pair
    book(1)
    provider.requests.clear()
    evening = datetime.combine(
        session.day - timedelta(days=1), time(17, 5), tzinfo=session.mission.tzinfo
    )
    for later in (0, 15, 30):
        with django_capture_on_commit_callbacks(execute=True):
            reminders_send(now=evening + timedelta(minutes=later))
    (whatsapp,) = provider.sent("meta")
    template = whatsapp["body"]["template"]
    params = [p["text"] for p in template["components"][0]["parameters"]]
    assert (template["name"], template["language"]["code"]) == ("meeting_reminder", "en")
    assert params[0] == "1" and params[2:4] == ["09:30", "Table 1"]
    assert params[4].endswith(f"/m/{session.mission.slug}/agenda/")
    (sms,) = provider.sent("twilio")
    assert "1 rendez-vous demain" in sms["body"]["Body"]


def test_a_summary_that_cannot_reach_the_phone_is_e_mailed(
    provider, pair, mailoutbox, django_capture_on_commit_callbacks
):
    book, _owner, contact, session = pair
    user_mobile_set(user=contact, mobile=OPERATOR_PHONE, channel="whatsapp", sms_fallback=False)
    book(1)
    provider.meta_answers.append("not_on_whatsapp")
    morning = datetime.combine(session.day, time(7, 5), tzinfo=session.mission.tzinfo)
    with django_capture_on_commit_callbacks(execute=True):
        summaries_send(now=morning)
    failed = Email.objects.get(channel="whatsapp", key__startswith="day-summary")
    email = Email.objects.get(fallback_of=failed)
    assert (email.channel, email.to_email, email.status) == ("email", contact.email, "sent")
    assert any("Today" in m.subject and m.to == [contact.email] for m in mailoutbox)


# --- Staff ----------------------------------------------------------------------------------------


def test_staff_see_the_channel_and_reason_and_send_again(
    client, staff, provider, pair, django_capture_on_commit_callbacks
):
    book, _owner, _contact, session = pair
    provider.meta_answers.append("template")
    book()
    client.force_login(staff)
    page = client.get(
        reverse("dashboard:mission_emails", args=[session.mission.slug]) + "?channel=whatsapp"
    )
    html = page.content.decode()
    assert page.status_code == 200 and "WhatsApp" in html and "132001" in html
    assert OPERATOR_PHONE in html
    row = Email.objects.get(channel="whatsapp")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dashboard:email_retry", args=[row.pk]))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == "sent" and len(provider.sent("meta")) == 1


def test_staff_retry_service_keeps_the_number(provider, pair):
    book, _owner, _contact, _session = pair
    provider.meta_answers.append("template")
    book()
    row = Email.objects.get(channel="whatsapp")
    email_retry(email=row, to_email="someone@example.org")
    row.refresh_from_db()
    assert row.to_phone == OPERATOR_PHONE and row.channel == "whatsapp"
