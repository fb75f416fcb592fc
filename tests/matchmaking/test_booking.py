"""Booking rules, enforced by the services and by the database."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from icalendar import Calendar

from matchmaking import services
from matchmaking.models import Meeting, Unavailability
from missions.models import Mission
from tests.factories import MeetingSessionFactory, participants

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def session():
    return MeetingSessionFactory(tables=2)


def _slots(session):
    return list(session.slots.order_by("starts_at"))


def _book(session, owner, contact, slot=None):
    return services.meeting_book(
        mission=session.mission,
        company=owner.company,
        operator=contact.operator,
        slot=slot or _slots(session)[0],
        by=owner,
    )


def test_booking_creates_the_meeting_and_invites_both_sides(
    session, django_capture_on_commit_callbacks, mailoutbox
):
    owner, contact = participants(session.mission)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _book(session, owner, contact)
    assert (meeting.status, meeting.origin, meeting.table.number, meeting.sequence) == (
        "confirmed",
        "booked",
        1,
        0,
    )
    assert meeting.delegate.application.company == owner.company
    assert sorted(m.to[0] for m in mailoutbox) == sorted([owner.email, contact.email])
    for message in mailoutbox:
        name, content, mimetype = message.attachments[0]
        assert name == "invite.ics" and mimetype.startswith("text/calendar")
        event = Calendar.from_ical(content).walk("VEVENT")[0]
        assert str(event["UID"]) == meeting.uid and int(event["SEQUENCE"]) == 0


def test_operator_cannot_be_in_two_meetings_at_once(session):
    owner, contact = participants(session.mission)
    other_owner, _ = participants(session.mission)
    _book(session, owner, contact)
    with pytest.raises(services.MatchmakingError, match="operator already has a meeting"):
        _book(session, other_owner, contact)


def test_firm_holds_as_many_parallel_meetings_as_delegates():
    wide = MeetingSessionFactory(tables=5)
    owner, contact = participants(wide.mission, delegates=2)
    second, third = participants(wide.mission)[1], participants(wide.mission)[1]
    slot = _slots(wide)[0]
    assert _book(wide, owner, contact, slot).delegate != _book(wide, owner, second, slot).delegate
    with pytest.raises(services.MatchmakingError, match="delegates already have a meeting"):
        _book(wide, owner, third, slot)
    assert slot.meetings.count() == 2


def test_last_table_then_no_table_left(session):
    slot = _slots(session)[0]
    for _ in range(2):
        owner, contact = participants(session.mission)
        _book(session, owner, contact, slot)
    owner, contact = participants(session.mission)
    with pytest.raises(services.MatchmakingError, match="Every table is taken"):
        _book(session, owner, contact, slot)
    assert slot.meetings.count() == 2


def test_a_firm_and_an_operator_meet_once_per_mission(session):
    owner, contact = participants(session.mission)
    _book(session, owner, contact, _slots(session)[0])
    with pytest.raises(services.MatchmakingError, match="already meet"):
        _book(session, owner, contact, _slots(session)[1])


def test_only_approved_firms_and_confirmed_operators_book(session):
    owner, contact = participants(session.mission)
    owner.company.applications.update(status="waitlisted")
    with pytest.raises(services.MatchmakingError, match="not part of the delegation"):
        _book(session, owner, contact)
    owner.company.applications.update(status="approved")
    contact.operator.registrations.update(status="pending")
    with pytest.raises(services.MatchmakingError, match="not confirmed"):
        _book(session, owner, contact)


def test_nothing_is_booked_once_the_mission_is_closed(session):
    owner, contact = participants(session.mission)
    Mission.objects.filter(pk=session.mission_id).update(status=Mission.Status.CLOSED)
    with pytest.raises(services.MatchmakingError, match="cannot be booked"):
        _book(session, owner, contact)


def test_past_slots_and_unavailable_slots_are_refused(session):
    owner, contact = participants(session.mission)
    slot = _slots(session)[0]
    Unavailability.objects.create(slot=slot, operator=contact.operator)
    with pytest.raises(services.MatchmakingError, match="operator is not available"):
        _book(session, owner, contact, slot)
    slot.starts_at = timezone.now() - timedelta(minutes=1)
    slot.save()
    with pytest.raises(services.MatchmakingError, match="already started"):
        _book(session, owner, contact, slot)


def test_database_refuses_double_bookings_even_without_the_service(session):
    owner, contact = participants(session.mission)
    meeting = _book(session, owner, contact)
    other_owner, other_contact = participants(session.mission)
    fields = {
        "mission": session.mission,
        "company": other_owner.company,
        "operator": other_contact.operator,
        "delegate": other_owner.company.applications.get().delegates.first(),
        "slot": meeting.slot,
        "table": session.table_set.get(number=2),
    }
    for clash in (
        {"operator": contact.operator},  # operator twice in the slot
        {"delegate": meeting.delegate},  # delegate twice in the slot
        {"table": meeting.table},  # table twice in the slot
        {
            "company": owner.company,
            "operator": contact.operator,
            "slot": _slots(session)[1],
        },  # pair twice
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Meeting.objects.create(**(fields | clash))
    Meeting.objects.create(**fields)  # the same meeting with no clash is accepted


def test_cancel_frees_the_slot_and_sends_method_cancel(
    session, django_capture_on_commit_callbacks, mailoutbox
):
    owner, contact = participants(session.mission)
    meeting = _book(session, owner, contact)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting, by=contact, reason="Vol retardé")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == ("cancelled", 1)
    calendar = Calendar.from_ical(mailoutbox[-1].attachments[0][1])
    assert str(calendar["METHOD"]) == "CANCEL"
    event = calendar.walk("VEVENT")[0]
    assert (str(event["UID"]), int(event["SEQUENCE"]), str(event["STATUS"])) == (
        meeting.uid,
        1,
        "CANCELLED",
    )
    assert "Vol retardé" in mailoutbox[-1].body
    _book(session, owner, contact)  # the pair may meet again after a cancellation


def test_move_keeps_the_uid_and_raises_the_sequence(
    session, django_capture_on_commit_callbacks, mailoutbox
):
    owner, contact = participants(session.mission)
    meeting = _book(session, owner, contact)
    target = _slots(session)[2]
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_move(meeting=meeting, slot=target, by=owner)
    meeting.refresh_from_db()
    assert (meeting.slot, meeting.sequence) == (target, 1)
    calendar = Calendar.from_ical(mailoutbox[-1].attachments[0][1])
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "REQUEST"
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (meeting.uid, 1)
    assert event.decoded("DTSTART") == target.starts_at


def test_locked_meetings_are_changed_by_staff_only(session, staff):
    owner, contact = participants(session.mission)
    meeting = _book(session, owner, contact)
    Meeting.objects.filter(pk=meeting.pk).update(locked=True)
    with pytest.raises(services.MatchmakingError, match="locked"):
        services.meeting_cancel(meeting=meeting, by=owner)
    services.meeting_cancel(meeting=meeting, by=staff, staff=True)


def test_availability_cannot_hide_a_booked_meeting(session):
    owner, contact = participants(session.mission)
    meeting = _book(session, owner, contact)
    participant = services.Participant(
        mission=session.mission, side="operator", operator=contact.operator
    )
    with pytest.raises(services.MatchmakingError, match="meeting in a slot"):
        services.availability_set(participant=participant, unavailable_slot_ids={meeting.slot_id})
    free = _slots(session)[3].pk
    services.availability_set(participant=participant, unavailable_slot_ids={free})
    services.availability_set(participant=participant, unavailable_slot_ids={free})
    assert list(Unavailability.objects.values_list("slot_id", flat=True)) == [free]


def test_confirmation_email_shows_the_missions_local_time(
    django_capture_on_commit_callbacks, mailoutbox
):
    from datetime import date, time

    from tests.factories import MissionFactory

    mission = MissionFactory(
        timezone="America/Los_Angeles",
        start_date=date(2027, 11, 13),
        end_date=date(2027, 11, 17),
        status=Mission.Status.SCHEDULING,
    )
    sf = services.session_create(
        mission=mission,
        data={
            "day": date(2027, 11, 15),
            "start_time": time(9, 0),
            "end_time": time(10, 0),
            "slot_minutes": 30,
            "break_minutes": 0,
            "tables": 2,
            "place": "",
        },
    )
    owner, contact = participants(mission)
    with django_capture_on_commit_callbacks(execute=True):
        _book(sf, owner, contact)
    text, html = mailoutbox[0].body, mailoutbox[0].alternatives[0].content
    for body in (text, html):
        assert "09:00–09:30" in body and "America/Los Angeles (PST)" in body
        assert "17:00" not in body


def test_a_firm_leaving_cancels_its_meetings_and_tells_the_operator(
    session, staff, django_capture_on_commit_callbacks, mailoutbox
):
    from missions import services as mission_services

    owner, contact = participants(session.mission)
    meeting = _book(session, owner, contact)
    application = owner.company.applications.get()
    with django_capture_on_commit_callbacks(execute=True):
        mission_services.applications_decide(
            applications=[application], decision="rejected", by=staff
        )
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == ("cancelled", 1)
    to_operator = [m for m in mailoutbox if m.to == [contact.email]][-1]
    assert (
        "The firm no longer takes part in the mission." in to_operator.body
        or "ne participe plus" in to_operator.body
    )
    assert str(Calendar.from_ical(to_operator.attachments[0][1])["METHOD"]) == "CANCEL"


def test_an_operator_rejected_after_confirmation_loses_its_meetings(session, staff):
    from missions import services as mission_services

    owner, contact = participants(session.mission)
    meeting = _book(session, owner, contact)
    mission_services.registrations_decide(
        registrations=list(contact.operator.registrations.all()), decision="rejected", by=staff
    )
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"


def test_participants_cannot_cancel_once_the_meeting_started_or_the_mission_closed(session):
    owner, contact = participants(session.mission)
    meeting = _book(session, owner, contact)
    Mission.objects.filter(pk=session.mission_id).update(status=Mission.Status.CLOSED)
    with pytest.raises(services.MatchmakingError, match="cannot be booked or changed"):
        services.meeting_cancel(meeting=meeting, by=owner)
    Mission.objects.filter(pk=session.mission_id).update(status=Mission.Status.RUNNING)
    meeting.slot.starts_at = timezone.now() - timedelta(minutes=5)
    meeting.slot.save()
    with pytest.raises(services.MatchmakingError, match="already started"):
        services.meeting_cancel(meeting=meeting, by=owner)
    meeting.refresh_from_db()
    assert meeting.status == "confirmed"


def test_a_cancellation_reason_the_database_cannot_store_is_refused_with_a_message(client, session):
    owner, contact = participants(session.mission)
    meeting = _book(session, owner, contact)
    client.force_login(contact)
    url = f"/m/{session.mission.slug}/meetings/{meeting.pk}/cancel/"
    page = client.post(url, {"reason": "Vol\x00annulé"}, follow=True).content.decode()
    assert "Le caractère nul n’est pas autorisé." in page  # the user speaks French
    meeting.refresh_from_db()
    assert meeting.status == "confirmed"
    client.post(url, {"reason": "Vol annulé"})
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancel_reason) == ("cancelled", "Vol annulé")
