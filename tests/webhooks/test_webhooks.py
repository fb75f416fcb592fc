"""Webhooks against a real local HTTP receiver: the events, the signature, retries on 5xx and
time-outs, a permanent failure after the last attempt, staff's resend, and where a webhook may
not go. (The same with a real Celery worker, killed mid-delivery: ``test_worker.py``.)"""

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext

from feedback.models import MeetingFeedback
from matchmaking.services import meeting_cancel, meeting_move
from missions.services import applications_decide
from proposals.instance import mission_basis
from proposals.models import ScheduleProposal
from proposals.services import proposal_publish
from tests.factories import ApplicationFactory, MeetingFactory, MissionFactory
from webhooks.delivery import deliver
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.security import UnsafeUrl, url_check
from webhooks.services import endpoint_create, event_record
from webhooks.signing import verify

pytestmark = pytest.mark.django_db

ALL = ["meeting.booked", "meeting.moved", "meeting.cancelled", "schedule.published",
       "application.decided", "feedback.received"]  # fmt: skip


@pytest.fixture
def endpoint(receiver, staff):
    return endpoint_create(url=receiver.url, events=ALL, by=staff)


def _event(request) -> dict:
    return json.loads(request["body"])


def _verified(request, secret) -> bool:
    h = request["headers"]
    return verify(
        secret, h["X-Webhook-Timestamp"], request["body"], h["X-Webhook-Signature"],
        now=int(time.time()),
    )  # fmt: skip


def test_a_booking_is_posted_once_signed(receiver, endpoint, django_capture_on_commit_callbacks):
    _endpoint, secret = endpoint
    with django_capture_on_commit_callbacks(execute=True):
        meeting = MeetingFactory()
    [request] = receiver.wait_for(1)
    event = _event(request)
    assert (event["type"], event["id"]) == ("meeting.booked", f"meeting.booked:{meeting.pk}")
    assert event["data"]["id"] == meeting.pk and event["data"]["mission"] == meeting.mission.slug
    assert event["data"]["starts_at"].endswith("Z") and event["data"]["timezone"]
    assert request["headers"]["X-Webhook-Id"] == event["id"]
    assert request["headers"]["X-Webhook-Event"] == "meeting.booked"
    assert _verified(request, secret)
    assert not _verified(request, secret + "x")
    tampered = {**request, "body": request["body"].replace(b"booked", b"BOOKED")}
    assert not _verified(tampered, secret)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)
    assert deliver(delivery.key).result == "skipped"  # a second run sends nothing
    assert len(receiver.seen) == 1


def test_moves_cancellations_decisions_feedback_and_schedules_are_events(receiver, endpoint, staff):
    meeting = MeetingFactory()
    owner = meeting.company.members.get()
    other = meeting.slot.session.slots.order_by("starts_at")[2]
    meeting_move(meeting=meeting, slot=other, by=owner)
    meeting_cancel(meeting=meeting, by=owner)
    application = ApplicationFactory(mission=MissionFactory(status="open"))
    applications_decide(applications=[application], decision="approved", by=staff)
    MeetingFeedback.objects.create(
        meeting=meeting, side="company", stage="after", rating=4, outcome="follow_up"
    )
    mission = meeting.mission
    proposal = ScheduleProposal.objects.create(
        mission=mission, status="ready", finished_at=timezone.now() + timedelta(seconds=1),
        basis=mission_basis(mission), result={"meetings": [{
            "company": meeting.company_id, "operator": meeting.operator_id,
            "slot": meeting.slot.session.slots.order_by("starts_at")[1].pk, "change": "added",
            "meeting": None, "from_slot": None, "weight": 1,
        }]},  # the cancelled pair scheduled again: an empty proposal is not published
    )  # fmt: skip
    proposal_publish(proposal=proposal, by=staff)
    ids = list(WebhookDelivery.objects.order_by("pk").values_list("event_id", flat=True))
    assert ids[0] == f"meeting.booked:{meeting.pk}"
    assert ids[1] == f"meeting.moved:{meeting.pk}:1"
    assert ids[2] == f"meeting.cancelled:{meeting.pk}"
    assert ids[3].startswith(f"application.decided:{application.pk}:")
    assert ids[4].startswith("feedback.received:")
    assert ids[5] == f"schedule.published:{proposal.pk}"
    assert len(ids) == 6
    decided = WebhookDelivery.objects.get(event="application.decided").payload["data"]
    assert decided["status"] == "approved" and decided["firm_id"] == application.company_id


def test_only_active_subscribed_endpoints_receive_an_event(receiver, staff):
    _cancellations, _s = endpoint_create(url=receiver.url, events=["meeting.cancelled"], by=staff)
    paused, _s = endpoint_create(url=receiver.url + "2", events=["meeting.booked"], by=staff)
    WebhookEndpoint.objects.filter(pk=paused.pk).update(active=False)
    MeetingFactory()
    assert not WebhookDelivery.objects.exists()


def test_the_same_event_recorded_twice_is_one_delivery(receiver, endpoint):
    for _ in range(2):
        event_record(event="meeting.booked", event_id="meeting.booked:1", data={"id": 1})
    assert WebhookDelivery.objects.count() == 1


def _one(receiver, endpoint_row):
    event_record(event="meeting.booked", event_id="meeting.booked:7", data={"id": 7})
    return WebhookDelivery.objects.get(endpoint=endpoint_row)


def test_a_5xx_is_retried_until_delivered(receiver, endpoint):
    receiver.script = [500, 503]
    delivery = _one(receiver, endpoint[0])
    assert deliver(delivery.key).result == "retry"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status) == ("retrying", 1, 500)
    assert delivery.next_attempt_at and "500" in delivery.last_error
    assert deliver(delivery.key).result == "retry"
    assert deliver(delivery.key).result == "delivered"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 3, "")
    assert len(receiver.seen) == 3 and len(receiver.accepted) == 1
    assert {r["headers"]["X-Webhook-Id"] for r in receiver.seen} == {"meeting.booked:7"}


def test_a_time_out_is_retried(receiver, endpoint):
    receiver.script = ["slow"]
    delivery = _one(receiver, endpoint[0])
    assert deliver(delivery.key).result == "retry"
    delivery.refresh_from_db()
    assert "Timeout" in delivery.last_error and delivery.last_status is None
    assert deliver(delivery.key).result == "delivered"


def test_the_last_attempt_fails_for_good_and_staff_resend(
    receiver, endpoint, settings, client, staff, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.script = [502, 502, 502]
    delivery = _one(receiver, endpoint[0])
    results = [deliver(delivery.key).result for _ in range(4)]
    assert results == ["retry", "retry", "failed", "skipped"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert len(receiver.seen) == 3 and receiver.accepted == []

    client.force_login(staff)
    page = client.get(f"/staff/webhooks/{endpoint[0].pk}/").content.decode()
    assert "meeting.booked:7" in page and "HTTP 502" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/webhooks/deliveries/{delivery.pk}/retry/")
    assert response.status_code == 303
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    assert len(receiver.accepted) == 1
    again = client.post(f"/staff/webhooks/deliveries/{delivery.pk}/retry/", follow=True)
    assert escape(gettext("This event has already been delivered.")) in again.content.decode()


def test_only_the_start_of_an_error_answer_is_read_and_kept(receiver, endpoint):
    receiver.script = ["big"]
    delivery = _one(receiver, endpoint[0])
    assert deliver(delivery.key).result == "retry"
    delivery.refresh_from_db()
    assert delivery.last_error.startswith("HTTP 500: <html>xxx") and len(delivery.last_error) < 600


def test_a_4xx_fails_at_once(receiver, endpoint):
    receiver.script = [410]
    delivery = _one(receiver, endpoint[0])
    assert deliver(delivery.key).result == "failed"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status) == ("failed", 1, 410)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/hook",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        "http://127.0.0.1:6379/",
        "http://localhost/hook",
        "http://10.0.0.8/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://0.0.0.0/hook",
        "http://user:secret@93.184.215.14/hook",
    ],
)
def test_webhooks_may_not_go_to_private_addresses_or_other_schemes(settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(UnsafeUrl):
        url_check(url)


def test_a_public_address_is_allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    url_check("https://93.184.215.14/hook")  # no error


def test_a_delivery_is_checked_again_when_it_leaves(receiver, endpoint, settings):
    delivery = _one(receiver, endpoint[0])
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    assert deliver(delivery.key).result == "failed"
    delivery.refresh_from_db()
    assert "private" in delivery.last_error or "privé" in delivery.last_error
    assert receiver.seen == []


# --- Staff pages ------------------------------------------------------------------------------


def test_staff_subscribe_a_url_and_see_its_secret_once(client, staff, receiver):
    client.force_login(staff)
    response = client.post(
        "/staff/webhooks/", {"url": receiver.url, "events": ["meeting.booked", "feedback.received"]}
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in response.content.decode()
    assert endpoint.events == ["feedback.received", "meeting.booked"]
    assert endpoint.secret not in client.get("/staff/webhooks/").content.decode()
    assert endpoint.secret not in client.get(f"/staff/webhooks/{endpoint.pk}/").content.decode()


def test_a_private_url_is_refused_with_a_reason(client, staff, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    client.force_login(staff)
    response = client.post("/staff/webhooks/", {"url": "http://127.0.0.1:8000/", "events": ALL})
    assert response.status_code == 400 and not WebhookEndpoint.objects.exists()
    message = "This address leads to a private or local network, where webhooks may not go."
    assert escape(gettext(message)) in response.content.decode()


def test_staff_pause_an_endpoint(client, staff, endpoint):
    client.force_login(staff)
    assert client.post(f"/staff/webhooks/{endpoint[0].pk}/toggle/").status_code == 303
    assert not WebhookEndpoint.objects.get().active
    MeetingFactory()
    assert not WebhookDelivery.objects.exists()


def test_only_staff_manage_webhooks(client, member, endpoint):
    client.force_login(member)
    assert client.get("/staff/webhooks/").status_code == 403
    assert client.get(f"/staff/webhooks/{endpoint[0].pk}/").status_code == 403
    assert (
        client.post("/staff/webhooks/", {"url": "https://x.example", "events": ALL}).status_code
        == 403
    )
    assert WebhookEndpoint.objects.count() == 1


def test_the_verification_snippet_of_the_documentation_works(receiver, endpoint):
    """docs/webhooks.md's Python snippet, run on a real delivery."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "webhooks.md").read_text()
    snippet = text.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(snippet, namespace)  # noqa: S102  (our own documentation)
    _endpoint, secret = endpoint
    deliver(_one(receiver, endpoint[0]).key)
    [request] = receiver.accepted
    headers = request["headers"]
    assert namespace["verify_webhook"](secret, headers, request["body"])
    assert not namespace["verify_webhook"](secret, headers, request["body"] + b" ")
    old = {**headers, "X-Webhook-Timestamp": str(int(time.time()) - 3600)}
    assert not namespace["verify_webhook"](secret, old, request["body"])


def test_a_retry_delay_past_the_visibility_timeout_is_refused_at_start(settings):
    from webhooks.checks import retry_below_visibility_timeout

    assert retry_below_visibility_timeout(None) == []
    settings.WEBHOOK_RETRY_MAX_DELAY = 4000
    assert [e.id for e in retry_below_visibility_timeout(None)] == ["webhooks.E001"]


def test_the_webhook_pages_take_the_same_queries_for_one_row_and_many(
    client, staff, queries, receiver, endpoint
):
    client.force_login(staff)
    event_record(event="meeting.booked", event_id="meeting.booked:1", data={"id": 1})
    page = f"/staff/webhooks/{endpoint[0].pk}/"
    one = (queries(lambda: client.get("/staff/webhooks/")), queries(lambda: client.get(page)))
    for i in range(5):
        endpoint_create(url=receiver.url, events=ALL, by=staff)
        event_record(event="meeting.booked", event_id=f"meeting.booked:{i + 2}", data={"id": i})
    many = (queries(lambda: client.get("/staff/webhooks/")), queries(lambda: client.get(page)))
    assert many == one


def _audit(endpoint_row):
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(WebhookEndpoint),
        object_pk=str(endpoint_row.pk),
        action=LogEntry.Action.UPDATE,
    ).order_by("pk")


def test_staff_edit_an_endpoint_and_the_trail_names_them(client, staff, receiver, endpoint):
    row, _secret = endpoint
    client.force_login(staff)
    url = f"/staff/webhooks/{row.pk}/edit/"
    page = client.get(url).content.decode()
    assert receiver.url in page and 'value="meeting.booked"' in page
    new_url = receiver.url.replace("/hook", "/crm")
    response = client.post(
        url, {"url": new_url, "events": ["meeting.cancelled"], "description": "CRM", "active": ""}
    )
    assert response.status_code == 303 and response["Location"] == f"/staff/webhooks/{row.pk}/"
    row.refresh_from_db()
    assert (row.url, row.events, row.description, row.active) == (
        new_url, ["meeting.cancelled"], "CRM", False,
    )  # fmt: skip
    entry = _audit(row).last()
    assert entry.actor == staff
    assert entry.changes_dict["url"] == [receiver.url, new_url]
    assert entry.changes_dict["active"] == [True, False]
    # Paused: no new delivery.
    event_record(event="meeting.cancelled", event_id="meeting.cancelled:1", data={"id": 1})
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"url": "http://127.0.0.1:8000/", "events": ["meeting.booked"]},  # private
        {"url": "ftp://crm.example/", "events": ["meeting.booked"]},
        {"url": "https://crm.example/", "events": []},
        {"url": "https://crm.example/", "events": ["meeting.exploded"]},
    ],
)
def test_a_bad_edit_is_refused_with_a_reason_and_changes_nothing(
    client, staff, receiver, endpoint, settings, data
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    row, _secret = endpoint
    WebhookEndpoint.objects.filter(pk=row.pk).update(url="https://crm.example/hook")
    client.force_login(staff)
    response = client.post(f"/staff/webhooks/{row.pk}/edit/", {**data, "active": "on"})
    assert response.status_code == 400 and "is-invalid" in response.content.decode()
    row.refresh_from_db()
    assert (row.url, row.events) == ("https://crm.example/hook", sorted(ALL))


def test_a_rotated_secret_signs_beside_the_former_one_until_its_grace_ends(
    client, staff, receiver, endpoint
):
    row, old = endpoint
    client.force_login(staff)
    response = client.post(f"/staff/webhooks/{row.pk}/secret/", {"grace": "86400"})
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    row.refresh_from_db()
    new = row.secret
    assert new != old and new in response.content.decode()
    assert new not in client.get(f"/staff/webhooks/{row.pk}/edit/").content.decode()
    assert row.previous_secret == old
    assert (
        timedelta(hours=23) < row.previous_secret_expires_at - timezone.now() <= timedelta(hours=24)
    )
    # During the grace period: two v1= signatures; a receiver holding either key accepts.
    deliver(_one(receiver, row).key)
    [request] = receiver.accepted
    assert request["headers"]["X-Webhook-Signature"].count("v1=") == 2
    assert _verified(request, new) and _verified(request, old)
    assert not _verified(request, "whsec_other")
    # The trail records the rotation with its author, never a secret.
    entry = _audit(row).last()
    assert entry.actor == staff and "secret_rotated_at" in entry.changes_dict
    assert old not in str(entry.changes) and new not in str(entry.changes)
    # Once the grace period is over, the former secret signs nothing.
    WebhookEndpoint.objects.filter(pk=row.pk).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )
    event_record(event="meeting.booked", event_id="meeting.booked:8", data={"id": 8})
    deliver(WebhookDelivery.objects.get(event_id="meeting.booked:8").key)
    later = receiver.accepted[-1]
    assert later["headers"]["X-Webhook-Signature"].count("v1=") == 1
    assert _verified(later, new) and not _verified(later, old)


def test_a_leaked_secret_is_revoked_at_once(client, staff, receiver, endpoint):
    row, old = endpoint
    client.force_login(staff)
    assert client.post(f"/staff/webhooks/{row.pk}/secret/", {"grace": "0"}).status_code == 200
    row.refresh_from_db()
    assert (row.previous_secret, row.previous_secret_expires_at) == ("", None)
    deliver(_one(receiver, row).key)
    [request] = receiver.accepted
    assert _verified(request, row.secret) and not _verified(request, old)


@pytest.mark.parametrize("grace", ["", "-60", "999999999", "une heure"])
def test_a_bad_grace_period_is_refused_and_keeps_the_secret(
    client, staff, receiver, endpoint, grace
):
    row, old = endpoint
    client.force_login(staff)
    response = client.post(f"/staff/webhooks/{row.pk}/secret/", {"grace": grace})
    assert response.status_code == 400
    row.refresh_from_db()
    assert row.secret == old and not row.previous_secret


def test_only_staff_edit_an_endpoint_or_replace_its_secret(client, member, endpoint):
    row, old = endpoint
    client.force_login(member)
    assert client.get(f"/staff/webhooks/{row.pk}/edit/").status_code == 403
    edit = {"url": "https://evil.example/", "events": ALL, "active": "on"}
    assert client.post(f"/staff/webhooks/{row.pk}/edit/", edit).status_code == 403
    assert client.post(f"/staff/webhooks/{row.pk}/secret/", {"grace": "0"}).status_code == 403
    row.refresh_from_db()
    assert row.url != "https://evil.example/" and row.secret == old
