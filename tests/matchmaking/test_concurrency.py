"""Many people booking the same slot at the same moment, each on its own database connection:
exactly one wins, the others get a clear refusal, and no duplicate survives."""

import threading

import pytest
from django.db import connection, connections

from matchmaking import services
from matchmaking.models import Meeting
from tests.factories import MeetingSessionFactory, participants

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ATTEMPTS = 8


def _race(calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("booked")
        except services.MatchmakingError as exc:
            outcomes.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_same_slot_same_firm_exactly_one_meeting():
    session = MeetingSessionFactory(tables=20)
    owner, _contact = participants(session.mission)  # one delegate
    operators = [participants(session.mission)[1].operator for _ in range(ATTEMPTS)]
    slot = session.slots.first()
    outcomes = _race(
        [
            (
                lambda op=op: services.meeting_book(
                    mission=session.mission, company=owner.company, operator=op, slot=slot, by=owner
                )
            )
            for op in operators
        ]
    )
    assert outcomes.count("booked") == 1, outcomes
    assert len(outcomes) == ATTEMPTS
    refusals = [o for o in outcomes if o != "booked"]
    assert all(
        "délégués" in o or "delegates" in o or "vient de prendre" in o or "just taken" in o
        for o in refusals
    ), refusals
    assert (
        Meeting.objects.filter(slot=slot, company=owner.company).exclude(status="cancelled").count()
        == 1
    )
    assert connection.vendor == "postgresql"


def test_last_free_table_goes_to_one_pair_only():
    session = MeetingSessionFactory(tables=1)
    pairs = [participants(session.mission) for _ in range(ATTEMPTS)]
    slot = session.slots.first()
    outcomes = _race(
        [
            (
                lambda o=o, c=c: services.meeting_book(
                    mission=session.mission, company=o.company, operator=c.operator, slot=slot, by=o
                )
            )
            for o, c in pairs
        ]
    )
    assert outcomes.count("booked") == 1, outcomes
    assert Meeting.objects.filter(slot=slot).exclude(status="cancelled").count() == 1
    assert Meeting.objects.filter(slot=slot, table__number=1).count() == 1


def test_same_pair_in_different_slots_meets_once():
    session = MeetingSessionFactory(tables=5)
    owner, contact = participants(session.mission, delegates=3)
    slots = list(session.slots.all()[:ATTEMPTS])
    outcomes = _race(
        [
            (
                lambda s=s: services.meeting_book(
                    mission=session.mission,
                    company=owner.company,
                    operator=contact.operator,
                    slot=s,
                    by=owner,
                )
            )
            for s in slots
        ]
    )
    assert outcomes.count("booked") == 1, outcomes
    assert (
        Meeting.objects.filter(company=owner.company, operator=contact.operator)
        .exclude(status="cancelled")
        .count()
        == 1
    )
