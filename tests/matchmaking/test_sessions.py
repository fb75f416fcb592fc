from datetime import date, time, timedelta

import pytest

from matchmaking import services
from matchmaking.models import Slot, Table
from missions.models import Mission
from tests.factories import MeetingFactory, MeetingSessionFactory, MissionFactory

pytestmark = pytest.mark.django_db


def _data(**extra):
    return {
        "day": date(2027, 11, 15),
        "start_time": time(9, 0),
        "end_time": time(12, 0),
        "slot_minutes": 25,
        "break_minutes": 5,
        "tables": 4,
        "place": "Moscone Center",
    } | extra


def test_session_generates_slots_in_the_missions_zone():
    mission = MissionFactory(
        timezone="America/Los_Angeles",
        start_date=date(2027, 11, 13),
        end_date=date(2027, 11, 17),
        status=Mission.Status.SCHEDULING,
    )
    session = services.session_create(mission=mission, data=_data())
    slots = list(session.slots.all())
    assert len(slots) == 6  # 9:00, 9:30 ... 11:30, each 25 minutes
    assert [s.starts_at.strftime("%H:%M") for s in slots] == [
        "17:00",
        "17:30",
        "18:00",
        "18:30",
        "19:00",
        "19:30",
    ]
    assert slots[0].ends_at - slots[0].starts_at == timedelta(minutes=25)
    assert Table.objects.filter(session=session).count() == 4


def test_session_outside_the_mission_is_refused():
    mission = MissionFactory(start_date=date(2027, 5, 17), end_date=date(2027, 5, 20))
    with pytest.raises(services.MatchmakingError, match="pendant la mission"):
        services.session_create(mission=mission, data=_data(day=date(2027, 5, 25)))


def test_session_edit_with_meetings_is_refused_and_names_them():
    meeting = MeetingFactory()
    session = meeting.slot.session
    with pytest.raises(services.MatchmakingError) as refused:
        services.session_update(
            session=session, data=_data(day=session.day, start_time=time(10, 0))
        )
    assert meeting.company.display_name in str(refused.value)
    assert meeting.operator.name in str(refused.value)
    meeting.refresh_from_db()
    assert meeting.slot.session == session and Slot.objects.filter(pk=meeting.slot_id).exists()


def test_session_with_meetings_can_get_more_tables_and_a_new_place():
    meeting = MeetingFactory()
    session = meeting.slot.session
    data = {
        f: getattr(session, f)
        for f in ("day", "start_time", "end_time", "slot_minutes", "break_minutes")
    }
    services.session_update(session=session, data=data | {"tables": 8, "place": "Salle 2"})
    assert session.table_set.count() == 8
    meeting.refresh_from_db()
    assert meeting.slot.session.place == "Salle 2" and meeting.is_active


def test_session_without_meetings_is_regenerated_or_deleted():
    session = MeetingSessionFactory()
    data = {
        f: getattr(session, f) for f in ("day", "slot_minutes", "break_minutes", "tables", "place")
    }
    services.session_update(
        session=session, data=data | {"start_time": time(14, 0), "end_time": time(15, 0)}
    )
    assert session.slots.count() == 2
    services.session_delete(session=session)
    assert not Slot.objects.exists()


def test_session_delete_with_meetings_is_refused():
    meeting = MeetingFactory()
    with pytest.raises(services.MatchmakingError, match="annulez-le d’abord"):
        services.session_delete(session=meeting.slot.session)


def test_session_place_change_keeps_slots_cancelled_meetings_and_unavailability():
    from matchmaking.models import Unavailability

    meeting = MeetingFactory()
    session = meeting.slot.session
    services.meeting_cancel(meeting=meeting, by=meeting.booked_by)
    Unavailability.objects.create(slot=session.slots.last(), company=meeting.company)
    slot_ids = set(session.slots.values_list("pk", flat=True))
    data = {
        f: getattr(session, f)
        for f in ("day", "start_time", "end_time", "slot_minutes", "break_minutes", "tables")
    }
    services.session_update(session=session, data=data | {"place": "Salle 3"})
    assert set(session.slots.values_list("pk", flat=True)) == slot_ids
    assert Unavailability.objects.count() == 1
    services.session_update(session=session, data=data | {"place": "Salle 3", "tables": 1})
    assert session.table_set.count() == 1


def test_session_new_times_with_only_cancelled_meetings():
    meeting = MeetingFactory()
    session = meeting.slot.session
    services.meeting_cancel(meeting=meeting, by=meeting.booked_by)
    data = {
        f: getattr(session, f) for f in ("day", "slot_minutes", "break_minutes", "tables", "place")
    }
    services.session_update(
        session=session, data=data | {"start_time": time(14, 0), "end_time": time(15, 0)}
    )
    assert [s.starts_at.strftime("%H:%M") for s in session.slots.all()] == ["14:00", "14:30"]
