"""Many people booking the same slot at the same moment, each on its own database connection:
exactly one wins, the others get a clear refusal, and no duplicate survives."""

import threading
from datetime import time

import pytest
from django.db import connection, connections

from matchmaking import services
from matchmaking.models import Meeting
from tests.factories import MeetingSessionFactory, StaffFactory, participants

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


# --- Moves, swaps and cancellations racing bookings (the deadlock of issue 19) -------------------


def _outcome(call):
    """Run ``call`` and say how it ended: "ok", a refusal's text, or the unexpected exception."""

    def run():
        try:
            call()
            return "ok"
        except services.MatchmakingError as exc:
            return f"refused: {exc}"

    return run


def _race_all(calls):
    """Every call on its own connection at the same instant; an unexpected exception (such as a
    deadlock) is kept as the outcome instead of being lost in the thread."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            outcomes[i] = _outcome(call)()
        except Exception as exc:  # noqa: BLE001 - the test reports it
            outcomes[i] = f"error: {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _book(mission, owner, contact, slot):
    return services.meeting_book(
        mission=mission, company=owner.company, operator=contact.operator, slot=slot, by=owner
    )


def test_moves_and_bookings_into_one_slot_all_succeed():
    """Five pairs move their meetings into slot S while five others book S, which has room for
    all ten: every one of them gets its meeting, and nobody gets an error."""
    session = MeetingSessionFactory(tables=12, end_time=time(17, 0))
    mission = session.mission
    slots = list(session.slots.order_by("starts_at"))
    target = slots[0]
    movers = []
    for i in range(5):
        owner, contact = participants(mission)
        movers.append((owner, _book(mission, owner, contact, slots[1 + i])))
    bookers = [participants(mission) for _ in range(5)]
    for _round in range(3):
        outcomes = _race_all(
            [
                (lambda o=o, m=m: services.meeting_move(meeting=m, slot=target, by=o))
                for o, m in movers
            ]
            + [(lambda o=o, c=c: _book(mission, o, c, target)) for o, c in bookers]
        )
        assert outcomes == ["ok"] * 10, outcomes
        assert Meeting.objects.filter(slot=target).exclude(status="cancelled").count() == 10
        # Back to where they were, for the next round.
        Meeting.objects.filter(slot=target, operator__in=[c.operator for _o, c in bookers]).update(
            status="cancelled"
        )
        for i, (owner, meeting) in enumerate(movers):
            services.meeting_move(meeting=meeting, slot=slots[1 + i], by=owner)
    assert connection.vendor == "postgresql"


def test_moves_swaps_cancellations_and_bookings_of_the_same_parties():
    """Every way of changing a meeting, racing bookings of the same slots by the same firms and
    operators: each answer is a success or a clear refusal, never an error, and the meetings
    that remain are exactly those the successes made."""
    session = MeetingSessionFactory(tables=3, end_time=time(17, 0))
    staff = StaffFactory()
    for _round in range(4):
        Meeting.objects.all().update(status="cancelled")
        _every_change_at_once(session, staff)


def _every_change_at_once(session, staff):
    mission = session.mission
    s0, s1, s2 = list(session.slots.order_by("starts_at"))[:3]
    (fa, oa), (fb, ob), (fc, oc) = (participants(mission, delegates=2) for _ in range(3))
    a = _book(mission, fa, oa, s1)
    b = _book(mission, fb, ob, s2)
    c = _book(mission, fc, oc, s1)
    outcomes = _race_all(
        [
            lambda: services.meeting_move(meeting=a, slot=s0, by=fa),
            lambda: services.meetings_swap(first=b, second=c, by=staff),
            lambda: services.meeting_cancel(meeting=c, by=fc),
            lambda: _book(mission, fa, ob, s0),  # the same firm and operator as above
            lambda: _book(mission, fb, oa, s0),
            lambda: _book(mission, fc, oa, s2),
            lambda: services.meeting_staff_move(meeting=b, slot=s0, by=staff),
        ]
    )
    errors = [o for o in outcomes if not (o == "ok" or o.startswith("refused: "))]
    assert not errors, outcomes
    active = Meeting.objects.exclude(status="cancelled")
    # The rules hold: nobody twice in a slot, no pair twice.
    for slot in (s0, s1, s2):
        in_slot = active.filter(slot=slot)
        assert in_slot.count() <= 3
        assert len({m.operator_id for m in in_slot}) == in_slot.count()
    pairs = [(m.company_id, m.operator_id) for m in active]
    assert len(pairs) == len(set(pairs))
    # What succeeded is there.
    if outcomes[0] == "ok":
        assert Meeting.objects.get(pk=a.pk).slot_id == s0.pk
    if outcomes[2] == "ok":
        assert Meeting.objects.get(pk=c.pk).status == "cancelled"
    for i, (firm, operator) in ((3, (fa, ob)), (4, (fb, oa)), (5, (fc, oa))):
        booked = active.filter(company=firm.company, operator=operator.operator).exists()
        assert booked == (outcomes[i] == "ok"), outcomes


def test_a_pair_booking_many_slots_at_once_is_told_the_real_reason():
    session = MeetingSessionFactory(tables=5)
    owner, contact = participants(session.mission, delegates=3)
    slots = list(session.slots.all()[:ATTEMPTS])
    outcomes = _race_all([(lambda s=s: _book(session.mission, owner, contact, s)) for s in slots])
    assert outcomes.count("ok") == 1, outcomes
    refusals = [o for o in outcomes if o != "ok"]
    assert all("déjà" in o and "créneau" not in o for o in refusals), refusals
