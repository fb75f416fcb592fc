"""Two staff members seat a meeting arranged on the spot at the same table and slot at the same
moment, each on its own database connection: one wins, the other is told the table is taken."""

import threading

import pytest
from django.db import connections

from matchmaking.models import Meeting
from matchmaking.services import MatchmakingError
from onsite import services

from .conftest import make_day

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_staff_race_for_the_same_table():
    day = make_day()
    pairs = [day.pair() for _ in range(2)]
    table = day.session.table_set.get(number=3)
    barrier = threading.Barrier(2)
    outcomes = []

    def seat(owner, contact):
        try:
            barrier.wait()
            services.meeting_seat(
                mission=day.mission,
                company=owner.company,
                operator=contact.operator,
                slot=day.slots[1],
                table=table,
                by=day.staff,
            )
            outcomes.append("seated")
        except MatchmakingError as exc:
            outcomes.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=seat, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["La table 3 est prise à cet horaire.", "seated"], outcomes
    assert Meeting.objects.filter(slot=day.slots[1], table=table).count() == 1


def test_two_staff_race_for_the_same_pair():
    day = make_day()
    owner, contact = day.pair()
    barrier = threading.Barrier(2)
    outcomes = []

    def seat(number):
        try:
            barrier.wait()
            services.meeting_seat(
                mission=day.mission,
                company=owner.company,
                operator=contact.operator,
                slot=day.slots[1],
                table=day.session.table_set.get(number=number),
                by=day.staff,
            )
            outcomes.append("seated")
        except MatchmakingError as exc:
            outcomes.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=seat, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes.count("seated") == 1, outcomes
    assert Meeting.objects.filter(company=owner.company, operator=contact.operator).count() == 1
