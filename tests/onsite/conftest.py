"""A mission on its day, built around the real clock (the services read it): a B2B session of
four 30-minute slots and four tables, whose second slot is running now (20 minutes in).

    slot 0: now-50 .. now-20   (over)
    slot 1: now-20 .. now+10   (now)
    slot 2: now+10 .. now+40   (next)
    slot 3: now+40 .. now+70

The mission's time zone is chosen so that the session sits in the middle of its local day,
whatever the hour the tests run: no session across midnight.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from matchmaking.models import Meeting, MeetingSession, MeetingStatus, Origin, Slot
from matchmaking.services import meeting_book, session_create
from missions.models import Mission
from tests.factories import MissionFactory, StaffFactory, participants


def _zone_for_midday(now: datetime) -> str:
    offset = 12 - now.hour  # hours to add to UTC to be at about noon
    offset = max(-12, min(14, offset))
    if offset == 0:
        return "UTC"
    # POSIX names are inverted: Etc/GMT-3 is UTC+3.
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


@dataclass
class Day:
    mission: Mission
    session: MeetingSession
    slots: list[Slot]
    staff: object

    def pair(self, *, delegates: int = 1):
        """An approved firm (its owner) and a confirmed operator (its contact)."""
        return participants(self.mission, delegates=delegates)

    def book(self, slot_index: int, *, table=None, pair=None):
        """A meeting in slot ``slot_index`` (a past slot is set up directly: no service books
        the past)."""
        owner, contact = pair or self.pair()
        slot = self.slots[slot_index]
        if slot.ends_at <= timezone.now():
            application = owner.company.applications.get(mission=self.mission)
            return Meeting.objects.create(
                mission=self.mission,
                company=owner.company,
                operator=contact.operator,
                delegate=application.delegates.first(),
                slot=slot,
                table=table or slot.session.table_set.exclude(meetings__slot=slot).first(),
                origin=Origin.MANUAL,
                status=MeetingStatus.CONFIRMED,
            )
        return meeting_book(
            mission=self.mission,
            company=owner.company,
            operator=contact.operator,
            slot=slot,
            by=self.staff,
            origin=Origin.MANUAL,
            table=table,
            on_the_spot=True,
        )


def make_day(*, status=Mission.Status.RUNNING, tables=4) -> Day:
    now = timezone.now()
    zone = _zone_for_midday(now)
    local = now.astimezone(ZoneInfo(zone))
    start = (local - timedelta(minutes=50)).replace(second=0, microsecond=0)
    mission = MissionFactory(
        timezone=zone,
        start_date=local.date() - timedelta(days=1),
        end_date=local.date() + timedelta(days=1),
        status=Mission.Status.SCHEDULING,
    )
    session = session_create(
        mission=mission,
        data={
            "day": start.date(),
            "start_time": start.time(),
            "end_time": (start + timedelta(minutes=120)).time(),
            "slot_minutes": 30,
            "break_minutes": 0,
            "tables": tables,
            "place": "Salle Atlas",
        },
    )
    Mission.objects.filter(pk=mission.pk).update(status=status)
    mission.refresh_from_db()
    session.mission = mission
    slots = list(session.slots.order_by("starts_at"))
    return Day(mission=mission, session=session, slots=slots, staff=StaffFactory())


@pytest.fixture
def day(db):
    return make_day()
