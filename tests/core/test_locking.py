"""The services' row locks and what a lost race answers (core.locking)."""

import threading

import pytest
from django.db import OperationalError, connections

from core.locking import lock, retried
from missions.models import Mission
from tests.factories import MissionFactory


class Refused(Exception):
    pass


class _Deadlock(Exception):
    pgcode = "40P01"


@pytest.mark.django_db
def test_a_conflict_is_tried_once_more_and_its_writes_rolled_back():
    mission = MissionFactory(title="Avant")
    tries = []

    @retried(lambda: Refused("refused"))
    def rename():
        tries.append(Mission.objects.get(pk=mission.pk).title)
        Mission.objects.filter(pk=mission.pk).update(title=f"Essai {len(tries)}")
        if len(tries) == 1:
            raise OperationalError("deadlock detected") from _Deadlock()

    rename()
    # The second try saw nothing of the first one's write, and its own write stayed.
    assert tries == ["Avant", "Avant"]
    assert Mission.objects.get(pk=mission.pk).title == "Essai 2"


@pytest.mark.django_db
def test_a_second_conflict_is_the_services_refusal():
    tries = []

    @retried(lambda: Refused("refused"))
    def always():
        tries.append(1)
        raise OperationalError("deadlock detected") from _Deadlock()

    with pytest.raises(Refused):
        always()
    assert len(tries) == 2


@pytest.mark.django_db
def test_other_database_errors_are_not_hidden():
    @retried(lambda: Refused("refused"))
    def broken():
        raise OperationalError("no such table")

    with pytest.raises(OperationalError):
        broken()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_deadlock_is_retried_and_both_changes_land():
    """Two transactions lock two rows in opposite orders: PostgreSQL ends one of them as a
    deadlock; it is run again and both changes land."""
    first, second = MissionFactory(capacity=1), MissionFactory(capacity=1)
    barrier = threading.Barrier(2)
    outcomes, tries = [], []

    def crossing(a, b):
        @retried(lambda: Refused("refused"))
        def service():
            tries.append(a.pk)
            row = lock(Mission.objects.filter(pk=a.pk)).get()
            row.capacity += 1
            row.save(update_fields=["capacity"])
            if tries.count(a.pk) == 1:
                barrier.wait(timeout=10)  # each holds its first row: the next lock deadlocks
            other = lock(Mission.objects.filter(pk=b.pk)).get()
            other.capacity += 10
            other.save(update_fields=["capacity"])

        try:
            service()
            outcomes.append("ok")
        except Exception as exc:  # noqa: BLE001 - the test reports it
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=crossing, args=(first, second)),
        threading.Thread(target=crossing, args=(second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == ["ok", "ok"]
    assert len(tries) == 3  # one of the two was the deadlock's victim, and ran again
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.capacity, second.capacity) == (12, 12)
