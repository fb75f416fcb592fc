"""Issue 19, second adversarial pass: regressions for what the pass found (proposed tests; they
fail on the code as it was probed).

1. Locking a meeting while another transaction relocates it. ``lock_meeting`` locks
   ``Meeting`` joined to its slot, table, delegate... (``select_related``). When PostgreSQL
   re-checks a row that was updated while the lock waited, it checks the join against the old
   joined rows: the new slot or table no longer matches, the row is dropped and ``.get()`` raises
   ``Meeting.DoesNotExist``, a 500 for the participant (cancel, move, attendance link) and a 404
   for staff. ``meetings_cancel_for_departure`` silently skips such a meeting: the firm that
   leaves keeps it.
2. A firm leaving (withdrawal, rejection) while bookings of it run: the booking checks the
   application without a lock, so meetings committed after the departure's cancellation stay
   active for a firm that is no longer in the delegation.
3. Staff rejecting several firms (or operators) while swaps run: the departure locks each firm's
   meetings in turn (not in id order), a swap locks its two in id order, they deadlock, and the
   ``MatchmakingError`` raised after the retry is not a ``MissionError``: a 500.
4. Booking a slot that staff are regenerating (new session times) found no slot: a 500.
(The pass's import bombs are tested with the other bombs, in tests/missions.)
"""

import contextlib
import threading
import time
from datetime import time as dtime

import pytest
from django.db import connections, transaction

from matchmaking import services
from matchmaking.models import Meeting, MeetingStatus
from missions import services as mission_services
from tests.factories import (
    MeetingSessionFactory,
    StaffFactory,
    participants,
)


def _threads(*calls, timeout=60):
    """Run each call in its own thread (its own connection); return what each raised or None."""
    errors = [None] * len(calls)

    def run(i, call):
        try:
            call()
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            errors[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return errors


def _meeting(session, *, delegates=1):
    owner, contact = participants(session.mission, delegates=delegates)
    slots = list(session.slots.order_by("starts_at"))
    meeting = services.meeting_book(
        mission=session.mission,
        company=owner.company,
        operator=contact.operator,
        slot=slots[0],
        by=owner,
    )
    return meeting, owner, contact, slots


def _relocating(meeting, slot, started: threading.Event, hold=1.0):
    """Another transaction moves ``meeting`` to ``slot`` and commits ``hold`` seconds later."""

    def run():
        with transaction.atomic():
            table = slot.session.table_set.order_by("number").last()
            Meeting.objects.filter(pk=meeting.pk).update(
                slot=slot, table=table, sequence=meeting.sequence + 1
            )
            started.set()
            time.sleep(hold)

    return run


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("service", ["cancel", "move", "lock"])
def test_locking_a_meeting_that_is_being_moved_is_never_does_not_exist(service):
    session = MeetingSessionFactory(tables=3, end_time=dtime(13, 0))
    meeting, owner, _contact, slots = _meeting(session)
    staff = StaffFactory()
    started = threading.Event()

    def act():
        started.wait(10)
        if service == "cancel":
            services.meeting_cancel(meeting=meeting, by=owner, reason="r")
        elif service == "move":
            services.meeting_move(meeting=meeting, slot=slots[3], by=owner)
        else:
            services.meeting_lock_set(meeting=meeting, locked=True, by=staff)

    errors = _threads(_relocating(meeting, slots[2], started), act)
    assert errors[0] is None
    # A refusal in words is fine; "the meeting does not exist" (a 500 or a 404) is not.
    assert not isinstance(errors[1], Meeting.DoesNotExist), errors[1]
    assert errors[1] is None or isinstance(errors[1], services.MatchmakingError), errors[1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_firm_that_withdraws_keeps_no_meeting_that_was_being_moved():
    session = MeetingSessionFactory(tables=3, end_time=dtime(13, 0))
    meeting, owner, _contact, slots = _meeting(session)
    application = owner.company.applications.get(mission=session.mission)
    started = threading.Event()

    def withdraw():
        started.wait(10)
        mission_services.application_withdraw(application=application, by=owner)

    errors = _threads(_relocating(meeting, slots[2], started), withdraw)
    assert errors == [None, None], errors
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_no_meeting_survives_for_a_firm_that_withdrew_while_being_booked():
    session = MeetingSessionFactory(tables=12, end_time=dtime(13, 0))
    owner, _contact = participants(session.mission, delegates=3)
    operators = [participants(session.mission)[1].operator for _ in range(6)]
    application = owner.company.applications.get(mission=session.mission)
    slots = list(session.slots.order_by("starts_at"))
    barrier = threading.Barrier(len(operators) + 1)

    def book(op, slot):
        barrier.wait()
        with contextlib.suppress(services.MatchmakingError):
            services.meeting_book(
                mission=session.mission, company=owner.company, operator=op, slot=slot, by=None
            )

    def withdraw():
        barrier.wait()
        mission_services.application_withdraw(application=application, by=owner)

    calls = [lambda o=o, s=s: book(o, s) for o, s in zip(operators, slots, strict=False)]
    errors = _threads(withdraw, *calls)
    assert errors[0] is None, errors[0]
    application.refresh_from_db()
    assert application.status == "withdrawn"
    active = Meeting.objects.filter(company=owner.company).exclude(status=MeetingStatus.CANCELLED)
    assert list(active.values_list("pk", flat=True)) == []


def _reject_while_swapping(staff) -> list:
    session = MeetingSessionFactory(tables=6, end_time=dtime(13, 0))
    mission = session.mission
    pairs = [participants(mission) for _ in range(6)]
    slots = list(session.slots.order_by("starts_at"))
    meetings = {}
    # The first firm's meeting gets the highest id: departures go firm by firm, swaps by id.
    for i in reversed(range(6)):
        owner, contact = pairs[i]
        meetings[i] = services.meeting_book(
            mission=mission, company=owner.company, operator=contact.operator,
            slot=slots[i], by=owner,
        )  # fmt: skip
    applications = list(mission.applications.order_by("pk"))
    barrier = threading.Barrier(6)

    def decide():
        barrier.wait()
        with contextlib.suppress(mission_services.MissionError):
            mission_services.applications_decide(
                applications=applications, decision="rejected", by=staff
            )

    def swap(i):
        barrier.wait()
        with contextlib.suppress(services.MatchmakingError, Meeting.DoesNotExist):
            services.meetings_swap(first=meetings[i + 1], second=meetings[i], by=staff)

    errors = _threads(decide, *[lambda i=i: swap(i) for i in range(5)])
    return [e for e in errors if e is not None]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rounds", [3])
def test_rejecting_several_firms_while_staff_swap_raises_no_server_error(rounds):
    """applications_decide may refuse (MissionError, shown to staff) but never raise anything
    else: the view catches MissionError only."""
    staff = StaffFactory()
    unexpected = []
    for _ in range(rounds):
        unexpected += _reject_while_swapping(staff)
    assert unexpected == [], unexpected


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_booking_a_slot_that_staff_are_regenerating_is_a_refusal_not_a_server_error():
    """Staff change a session's times (its slots are deleted and made anew) while a participant
    books one of the old slots: the booking waits on the slot's row, which is gone when it
    gets it. The participant must read a refusal, not get ``Slot.DoesNotExist`` (a 500)."""
    session = MeetingSessionFactory(tables=3, end_time=dtime(13, 0))
    owner, contact = participants(session.mission)
    slot = session.slots.order_by("starts_at").first()
    started = threading.Event()
    data = {
        f: getattr(session, f)
        for f in ("day", "start_time", "end_time", "slot_minutes", "break_minutes", "tables")
    }
    data |= {"place": session.place, "start_time": dtime(9, 15)}

    def edit():
        with transaction.atomic():
            services.session_update(session=session, data=data)
            started.set()
            time.sleep(1)

    def book():
        started.wait(10)
        services.meeting_book(
            mission=session.mission,
            company=owner.company,
            operator=contact.operator,
            slot=slot,
            by=owner,
        )

    errors = _threads(edit, book)
    assert errors[0] is None, errors[0]
    assert errors[1] is None or isinstance(errors[1], services.MatchmakingError), repr(errors[1])
