"""The confirm-attendance link of the confirmation e-mail, the day-before reminders, and the
staff's view of the delivery state."""

import hashlib
import re
from datetime import datetime, time, timedelta
from unittest import mock

import pytest
from django.core import signing
from django.urls import reverse

from matchmaking import attendance, services
from matchmaking.attendance import attendance_token
from outbox.models import Email
from tests.factories import MeetingSessionFactory, participants

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/attend/[^/\s]+/)")


@pytest.fixture
def booked(django_capture_on_commit_callbacks, mailoutbox):
    session = MeetingSessionFactory()
    owner, contact = participants(session.mission)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_book(
            mission=session.mission,
            company=owner.company,
            operator=contact.operator,
            slot=session.slots.order_by("starts_at").first(),
            by=contact,
        )
    links = {m.to[0]: LINK.search(m.body).group(1) for m in mailoutbox}
    return meeting, owner, contact, links


def test_the_link_shows_the_meeting_then_confirms_once(client, booked):
    meeting, owner, contact, links = booked
    page = client.get(links[contact.email])  # a mail scanner following the link changes nothing
    assert meeting.company.display_name in page.content.decode()
    meeting.refresh_from_db()
    assert meeting.operator_confirmed_at is None

    done = client.post(links[contact.email])
    assert "Merci : votre présence est confirmée." in done.content.decode()
    meeting.refresh_from_db()
    assert meeting.operator_confirmed_at is not None and meeting.company_confirmed_at is None

    again = client.post(links[contact.email])
    assert again.status_code == 410 and "déjà été utilisé" in again.content.decode()
    client.post(links[owner.email])
    meeting.refresh_from_db()
    assert meeting.company_confirmed_at is not None


def test_a_forged_link_is_refused_with_a_clear_page(client, booked):
    meeting, _owner, contact, links = booked
    forged = links[contact.email][:-3] + "xx/"
    response = client.post(forged)
    assert response.status_code == 400 and "Ce lien n’est pas valide" in response.content.decode()
    other = attendance_token(meeting, "intruder@example.org")
    response = client.post(reverse("matchmaking:attend", args=[other]))
    assert response.status_code == 410
    meeting.refresh_from_db()
    assert meeting.operator_confirmed_at is None and meeting.company_confirmed_at is None


def test_the_link_names_its_reader_by_a_keyed_digest_and_older_links_still_work(client, booked):
    meeting, _owner, contact, _links = booked
    plain = hashlib.sha256(contact.email.lower().encode()).hexdigest()[:20]
    data = signing.loads(attendance_token(meeting, contact.email), salt=attendance.ATTENDANCE_SALT)
    assert len(data["r"]) == 20 and data["r"] != plain
    # A link mailed with the plain SHA-256 of the address works until it expires.
    older = signing.dumps(
        {"m": meeting.pk, "q": meeting.sequence, "r": plain}, salt=attendance.ATTENDANCE_SALT
    )
    response = client.post(reverse("matchmaking:attend", args=[older]))
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.operator_confirmed_at is not None


def test_an_expired_or_outdated_link_is_refused(client, booked):
    meeting, _owner, contact, links = booked
    with mock.patch.object(attendance, "ATTENDANCE_MAX_AGE", timedelta(seconds=-1)):
        response = client.post(links[contact.email])
    assert response.status_code == 410 and "Ce lien a expiré." in response.content.decode()

    later = meeting.slot.session.slots.order_by("-starts_at").first()
    services.meeting_move(meeting=meeting, slot=later, by=contact)
    response = client.post(links[contact.email])
    assert response.status_code == 410 and "a changé depuis" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.operator_confirmed_at is None


def test_reminders_the_evening_before_each_b2b_day_once(
    booked, django_capture_on_commit_callbacks, mailoutbox
):
    meeting, owner, contact, _links = booked
    mission = meeting.mission
    day = meeting.slot.starts_at.astimezone(mission.tzinfo).date()
    afternoon = datetime.combine(day - timedelta(days=1), time(16, 0), tzinfo=mission.tzinfo)
    evening = datetime.combine(day - timedelta(days=1), time(18, 0), tzinfo=mission.tzinfo)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert attendance.reminders_send(now=afternoon) == 0
        assert attendance.reminders_send(now=evening) == 2
        attendance.reminders_send(now=evening + timedelta(minutes=15))  # the next beat tick
    assert sorted(m.to[0] for m in mailoutbox) == sorted([owner.email, contact.email])
    body = next(m for m in mailoutbox if m.to == [contact.email]).body
    assert meeting.company.display_name in body and "09:00" in body
    assert Email.objects.filter(template="meeting_reminder").count() == 2


def test_staff_see_the_delivery_state_and_can_resend(
    client, staff, booked, django_capture_on_commit_callbacks
):
    meeting, _owner, contact, _links = booked
    Email.objects.filter(to_email=contact.email).update(
        status="failed",
        sent_at=None,
        last_error="SMTPRecipientsRefused: 550 no such user",
        attempts=1,
    )
    client.force_login(staff)
    url = reverse("dashboard:mission_emails", args=[meeting.mission.slug])
    page = client.get(url).content.decode()
    assert re.search(r'data-status="failed">1<', page) and re.search(r'data-status="sent">1<', page)
    assert "550 no such user" in page

    failed = Email.objects.get(to_email=contact.email)
    bad = client.post(reverse("dashboard:email_retry", args=[failed.pk]), {"to_email": "nope"})
    assert bad.status_code == 303
    failed.refresh_from_db()
    assert failed.status == "failed"  # nothing lost, nothing sent
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("dashboard:email_retry", args=[failed.pk]), {"to_email": "cio@new.example"}
        )
    failed.refresh_from_db()
    assert (failed.status, failed.to_email) == ("sent", "cio@new.example")


def test_a_move_asks_both_sides_to_confirm_again(
    client, booked, django_capture_on_commit_callbacks, mailoutbox
):
    meeting, _owner, contact, links = booked
    client.post(links[contact.email])
    mailoutbox.clear()
    later = meeting.slot.session.slots.order_by("-starts_at").first()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_move(meeting=meeting, slot=later, by=contact)
    meeting.refresh_from_db()
    assert meeting.operator_confirmed_at is None and meeting.sequence == 1
    assert client.post(links[contact.email]).status_code == 410  # the old link: outdated
    new_link = LINK.search(next(m for m in mailoutbox if m.to == [contact.email]).body).group(1)
    assert "votre présence est confirmée" in client.post(new_link).content.decode()
    meeting.refresh_from_db()
    assert meeting.operator_confirmed_at is not None


def test_a_used_link_names_the_time_of_confirmation_in_the_missions_zone(client, booked):
    meeting, _owner, contact, links = booked
    client.post(links[contact.email])
    page = client.post(links[contact.email]).content.decode()
    assert meeting.mission.timezone.replace("_", " ") in page


def test_the_link_does_not_show_the_readers_address(booked):
    _meeting, _owner, contact, links = booked
    import base64

    payload = links[contact.email].split("/")[2].split(":")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert contact.email.encode() not in decoded
