"""Calendar files parsed back with icalendar: times, zone, UID, SEQUENCE, METHOD, people."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from matchmaking import services
from matchmaking.calendar import calendar_bytes
from missions.models import Mission
from tests.factories import MissionFactory, participants

pytestmark = pytest.mark.django_db


def _mission(tz, start, end, city):
    return MissionFactory(
        timezone=tz, start_date=start, end_date=end, city=city, status=Mission.Status.SCHEDULING
    )


def _session(mission, day, start=time(9, 0)):
    return services.session_create(
        mission=mission,
        data={
            "day": day,
            "start_time": start,
            "end_time": time(start.hour + 2, 0),
            "slot_minutes": 30,
            "break_minutes": 0,
            "tables": 4,
            "place": "Sofitel",
        },
    )


def _event(meeting, method="REQUEST"):
    calendar = Calendar.from_ical(calendar_bytes([meeting], method=method))
    return calendar, calendar.walk("VEVENT")[0]


def test_abidjan_meeting_in_utc_plus_zero():
    mission = _mission("Africa/Abidjan", date(2027, 5, 17), date(2027, 5, 20), "Abidjan")
    session = _session(mission, date(2027, 5, 18))
    owner, contact = participants(mission)
    meeting = services.meeting_book(
        mission=mission,
        company=owner.company,
        operator=contact.operator,
        slot=session.slots.get(index=1),
        by=owner,
    )
    calendar, event = _event(meeting)
    start = event.decoded("DTSTART")
    assert start == datetime(2027, 5, 18, 9, 30, tzinfo=ZoneInfo("Africa/Abidjan"))
    assert (
        start.tzinfo.key == "Africa/Abidjan"
        and str(event["DTSTART"].params["TZID"]) == "Africa/Abidjan"
    )
    assert event.decoded("DTEND") - start == (
        datetime(2027, 1, 1, 10) - datetime(2027, 1, 1, 9, 30)
    )
    assert str(calendar["METHOD"]) == "REQUEST"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Africa/Abidjan"]
    assert (
        str(event["UID"]) == f"meeting-{meeting.pk}@marocexport-b2b" and int(event["SEQUENCE"]) == 0
    )
    assert str(event["ORGANIZER"]) == "mailto:b2b@marocexport.local"
    attendees = sorted(str(a) for a in event.get("ATTENDEE"))
    assert attendees == sorted([f"mailto:{owner.email}", f"mailto:{contact.email}"])
    assert "Table 1" in str(event["LOCATION"]) and "Sofitel" in str(event["LOCATION"])


def test_san_francisco_meetings_across_the_daylight_saving_change():
    # US daylight saving time ends on Sunday 7 November 2027: a mission from the 5th to the 9th
    # has meetings at 09:00 local time in PDT (UTC-7) before and PST (UTC-8) after.
    mission = _mission("America/Los_Angeles", date(2027, 11, 5), date(2027, 11, 9), "San Francisco")
    before, after = _session(mission, date(2027, 11, 5)), _session(mission, date(2027, 11, 8))
    owner, contact = participants(mission)
    other_owner, _ = participants(mission)
    first = services.meeting_book(
        mission=mission,
        company=owner.company,
        operator=contact.operator,
        slot=before.slots.get(index=0),
        by=owner,
    )
    second = services.meeting_book(
        mission=mission,
        company=other_owner.company,
        operator=contact.operator,
        slot=after.slots.get(index=0),
        by=other_owner,
    )
    assert first.slot.starts_at.astimezone(ZoneInfo("UTC")).hour == 16  # 09:00 PDT
    assert second.slot.starts_at.astimezone(ZoneInfo("UTC")).hour == 17  # 09:00 PST
    calendar = Calendar.from_ical(calendar_bytes([first, second], method="PUBLISH"))
    events = calendar.walk("VEVENT")
    assert [e.decoded("DTSTART").strftime("%H:%M %Z") for e in events] == ["09:00 PDT", "09:00 PST"]
    assert [str(e["DTSTART"].params["TZID"]) for e in events] == ["America/Los_Angeles"] * 2
    vtimezone = calendar.walk("VTIMEZONE")[0]
    assert {c.name for c in vtimezone.subcomponents} >= {"DAYLIGHT", "STANDARD"}


def test_update_and_cancel_keep_the_uid():
    mission = _mission("Africa/Abidjan", date(2027, 5, 17), date(2027, 5, 20), "Abidjan")
    session = _session(mission, date(2027, 5, 18))
    owner, contact = participants(mission)
    meeting = services.meeting_book(
        mission=mission,
        company=owner.company,
        operator=contact.operator,
        slot=session.slots.get(index=0),
        by=owner,
    )
    moved = services.meeting_move(meeting=meeting, slot=session.slots.get(index=3), by=owner)
    _, event = _event(moved)
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (meeting.uid, 1)
    assert event.decoded("DTSTART").strftime("%H:%M") == "10:30"
    cancelled = services.meeting_cancel(meeting=moved, by=contact)
    calendar, event = _event(cancelled, method="CANCEL")
    assert (str(calendar["METHOD"]), str(event["STATUS"]), int(event["SEQUENCE"])) == (
        "CANCEL",
        "CANCELLED",
        2,
    )
    assert str(event["UID"]) == meeting.uid
