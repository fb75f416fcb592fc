"""Check-in by QR: a participant scans the other side's badge or the meeting's code, staff scan
a badge at the door; every refusal changes nothing; a scan queued offline lands once."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.report import mission_report
from matchmaking.models import MeetingStatus
from matchmaking.services import meeting_staff_move
from onsite import services
from onsite.codes import badge_token, meeting_token
from onsite.models import Floor, MeetingStart, Presence

from .conftest import make_day

pytestmark = pytest.mark.django_db


def badge_path(mission, **person):
    return reverse(
        "onsite:badge", args=[mission.slug, badge_token(mission_id=mission.pk, **person)]
    )


def meeting_path(meeting):
    return reverse("onsite:meeting", args=[meeting.mission.slug, meeting_token(meeting)])


def _nothing_changed(meeting):
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CONFIRMED
    assert not MeetingStart.objects.exists()


# --- Happy paths --------------------------------------------------------------------------------


def test_participant_scans_badge_meeting_started_for_both_and_held(client, day):
    meeting = day.book(1)
    response = client.get(badge_path(day.mission, delegate_id=meeting.delegate_id))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Réunion démarrée" in text
    assert meeting.operator.name in text and f"Table {meeting.table.number}" in text
    start = MeetingStart.objects.get()
    assert start.meeting == meeting and start.via == "badge" and start.by is None
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    # The report counts it held, with no staff typing.
    assert mission_report(mission=day.mission).totals.held == 1


def test_operator_badge_scanned_by_the_firm_starts_the_operators_meeting(client, day):
    meeting = day.book(1)
    contact = meeting.operator.contacts.get()
    response = client.get(badge_path(day.mission, contact_id=contact.pk))
    assert response.status_code == 200
    assert MeetingStart.objects.get().meeting == meeting


def test_meeting_code_of_the_printed_agenda_starts_it(client, day):
    meeting = day.book(1)
    response = client.get(meeting_path(meeting))
    assert response.status_code == 200
    assert MeetingStart.objects.get(meeting=meeting).via == "agenda"


def test_staff_door_scan_checks_in_once_a_day(client, day):
    meeting = day.book(1)
    client.force_login(day.staff)
    url = badge_path(day.mission, delegate_id=meeting.delegate_id)
    first = client.get(url)
    assert first.status_code == 200
    assert "Enregistré" in first.content.decode()
    assert meeting.delegate.full_name in first.content.decode()
    second = client.get(url)
    assert "Déjà enregistré" in second.content.decode()
    presence = Presence.objects.get()
    assert presence.delegate == meeting.delegate and presence.by == day.staff
    # Staff at the door check people in; they do not start meetings.
    assert not MeetingStart.objects.exists()


def test_staff_door_scan_of_an_operator_contact(client, day):
    meeting = day.book(1)
    contact = meeting.operator.contacts.get()
    client.force_login(day.staff)
    client.get(badge_path(day.mission, contact_id=contact.pk))
    presence = Presence.objects.get()
    assert presence.contact == contact and presence.operator == meeting.operator


# --- Refusals: each answers a clear page and changes nothing ----------------------------------


def test_refused_before_the_slot_and_its_margin(client, day):
    meeting = day.book(3)  # starts in 40 minutes; the margin is 10
    response = client.get(meeting_path(meeting))
    assert response.status_code == 409
    assert "Rien n’a été enregistré" in response.content.decode()
    assert "fonctionne à partir de" in response.content.decode()
    _nothing_changed(meeting)


def test_replay_after_the_slot_refused(client, day):
    meeting = day.book(0)  # ended 20 minutes ago; the margin is 10
    response = client.get(meeting_path(meeting))
    assert response.status_code == 410
    assert "qui est terminé" in response.content.decode()
    _nothing_changed(meeting)


def test_margin_staff_set_widens_the_window(client, day):
    meeting = day.book(0)
    Floor.objects.create(mission=day.mission, scan_margin_minutes=30)
    assert client.get(meeting_path(meeting)).status_code == 200
    assert MeetingStart.objects.filter(meeting=meeting).exists()


def test_replay_in_the_slot_changes_nothing(client, day):
    meeting = day.book(1)
    client.get(meeting_path(meeting))
    first = MeetingStart.objects.get()
    again = client.get(badge_path(day.mission, delegate_id=meeting.delegate_id))
    assert again.status_code == 200
    assert "Réunion déjà démarrée" in again.content.decode()
    assert MeetingStart.objects.get() == first
    assert MeetingStart.objects.get().scanned_at == first.scanned_at


def test_another_meetings_code_refused(client, day):
    now_meeting = day.book(1)
    later = day.book(3, pair=(now_meeting.company.members.first(), day.pair()[1]))
    response = client.get(meeting_path(later))
    assert response.status_code == 409
    assert f"{timezone.localtime(later.slot.starts_at, day.mission.tzinfo):%H:%M}" in (
        response.content.decode()
    )
    _nothing_changed(now_meeting)


def test_code_of_a_meeting_moved_since_printing_refused(client, day):
    meeting = day.book(2)
    path = meeting_path(meeting)  # printed before the move
    meeting_staff_move(meeting=meeting, slot=day.slots[3], by=day.staff, table=None)
    response = client.get(path)
    assert response.status_code == 410
    assert "a été déplacé depuis" in response.content.decode()
    assert not MeetingStart.objects.exists()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        lambda t: "x" + t,  # payload changed
        lambda t: "not-a-code",
    ],
)
def test_forged_code_refused(client, day, mangle):
    meeting = day.book(1)
    token = mangle(meeting_token(meeting))
    response = client.get(reverse("onsite:meeting", args=[day.mission.slug, token]))
    assert response.status_code == 400
    assert "pas l’un des nôtres" in response.content.decode()
    _nothing_changed(meeting)
    response = client.get(reverse("onsite:badge", args=[day.mission.slug, token]))
    assert response.status_code == 400
    _nothing_changed(meeting)


def test_meeting_code_is_not_a_badge(client, day):
    meeting = day.book(1)
    response = client.get(reverse("onsite:badge", args=[day.mission.slug, meeting_token(meeting)]))
    assert response.status_code == 400
    _nothing_changed(meeting)


def test_code_of_another_mission_refused(client, day):
    meeting = day.book(1)
    other = make_day()
    wrong = reverse("onsite:meeting", args=[other.mission.slug, meeting_token(meeting)])
    response = client.get(wrong)
    assert response.status_code == 400
    assert "appartient à une autre mission" in response.content.decode()
    client.force_login(day.staff)
    badge = badge_token(mission_id=day.mission.pk, delegate_id=meeting.delegate_id)
    response = client.get(reverse("onsite:badge", args=[other.mission.slug, badge]))
    assert response.status_code == 400
    _nothing_changed(meeting)
    assert not Presence.objects.exists()


def test_badge_of_someone_with_no_meeting_now(client, day):
    meeting = day.book(3)
    response = client.get(badge_path(day.mission, delegate_id=meeting.delegate_id))
    assert response.status_code == 409
    assert "n’a pas de rendez-vous maintenant" in response.content.decode()
    _nothing_changed(meeting)


def test_cancelled_meeting_refused(client, day):
    meeting = day.book(1)
    meeting.status = MeetingStatus.CANCELLED
    meeting.save()
    response = client.get(meeting_path(meeting))
    assert response.status_code == 410
    assert not MeetingStart.objects.exists()


def test_codes_do_not_work_before_the_mission_runs(client, db):
    day = make_day()
    meeting = day.book(1)
    day.mission.status = "scheduling"
    day.mission.save()
    assert client.get(meeting_path(meeting)).status_code == 410
    _nothing_changed(meeting)


# --- Early scans and the settling task --------------------------------------------------------


def test_scan_in_the_margin_before_the_slot_starts_then_held_once_it_begins(client, day):
    meeting = day.book(2)  # starts in 10 minutes, the margin is 10
    assert client.get(meeting_path(meeting)).status_code == 200
    meeting.refresh_from_db()
    assert meeting.start and meeting.status == MeetingStatus.CONFIRMED
    assert services.starts_settle() == 0  # not begun
    type(meeting.slot).objects.filter(pk=meeting.slot_id).update(
        starts_at=timezone.now() - timedelta(minutes=1)
    )
    assert services.starts_settle() == 1
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert services.starts_settle() == 0


# --- The offline queue ------------------------------------------------------------------------


def _sync(client, mission, **data):
    return client.post(reverse("onsite:sync", args=[mission.slug]), data)


def test_scan_queued_offline_lands_once_with_its_time(client, day):
    meeting = day.book(1)
    token = meeting_token(meeting)
    made = timezone.now() - timedelta(minutes=3)
    first = _sync(client, day.mission, kind="meeting", token=token, at=made.isoformat())
    assert first.status_code == 200 and first.json()["ok"] is True
    again = _sync(client, day.mission, kind="meeting", token=token, at=made.isoformat())
    assert again.status_code == 200
    start = MeetingStart.objects.get()
    assert start.scanned_at == made
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD


def test_queued_scan_made_in_the_slot_lands_after_it(client, day):
    """Offline at the table of the last slot; the network returns after the slot."""
    meeting = day.book(0)
    made = day.slots[0].starts_at + timedelta(minutes=5)
    response = _sync(
        client, day.mission, kind="meeting", token=meeting_token(meeting), at=made.isoformat()
    )
    assert response.status_code == 200
    assert MeetingStart.objects.get().scanned_at == made


def test_queued_scan_dated_in_the_future_or_too_old_refused(client, day):
    meeting = day.book(1)
    token = meeting_token(meeting)
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    assert _sync(client, day.mission, kind="meeting", token=token, at=future).status_code == 400
    old = (timezone.now() - timedelta(hours=7)).isoformat()
    assert _sync(client, day.mission, kind="meeting", token=token, at=old).status_code == 410
    for bad in (
        {"kind": "other", "token": token, "at": future},
        {"kind": "meeting"},
        {"kind": "meeting", "token": token, "at": "2026-02-31T10:00:00Z"},
        {"kind": "meeting", "token": token, "at": "yesterday"},
    ):
        assert _sync(client, day.mission, **bad).status_code == 400
    _nothing_changed(meeting)


def test_door_scan_queued_offline_by_staff(client, day):
    meeting = day.book(1)
    client.force_login(day.staff)
    token = badge_token(mission_id=day.mission.pk, delegate_id=meeting.delegate_id)
    made = timezone.now() - timedelta(minutes=30)
    for _ in range(2):
        response = _sync(client, day.mission, kind="badge", token=token, at=made.isoformat())
        assert response.status_code == 200
    presence = Presence.objects.get()
    assert presence.checked_in_at == made


def test_sync_needs_the_csrf_token(day):
    from django.test import Client

    meeting = day.book(1)
    client = Client(enforce_csrf_checks=True)
    response = _sync(
        client, day.mission, kind="meeting", token=meeting_token(meeting), at=timezone.now()
    )
    assert response.status_code == 403
    _nothing_changed(meeting)
    token = client.get(reverse("onsite:csrf")).json()["token"]
    response = client.post(
        reverse("onsite:sync", args=[day.mission.slug]),
        {"kind": "meeting", "token": meeting_token(meeting), "at": timezone.now().isoformat()},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200
