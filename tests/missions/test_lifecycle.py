from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from missions import services
from missions.models import Mission, MissionTransition
from tests.factories import ApplicationFactory, MissionFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # The rules' messages are matched in English here; their French is checked through the pages.
    with translation.override("en"):
        yield


def _draft(**kwargs):
    defaults = {"status": Mission.Status.DRAFT}
    return MissionFactory(**(defaults | kwargs))


def test_mission_open_allowed_and_recorded(staff):
    mission = services.mission_open(mission=_draft(), by=staff)
    assert Mission.objects.get(pk=mission.pk).status == "open"
    change = MissionTransition.objects.get(mission=mission)
    assert (change.from_status, change.to_status, change.by) == ("draft", "open", staff)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"start_date": None, "end_date": None}, "set the mission's dates"),
        ({"capacity": None}, "set the firm capacity"),
        ({"application_deadline": None}, "set the application deadline"),
        (
            {"application_deadline": timezone.now() - timedelta(hours=1)},
            "choose an application deadline in the future",
        ),
        (
            {
                "start_date": date.today() + timedelta(days=3),
                "end_date": date.today() + timedelta(days=5),
            },
            "choose an application deadline before the first day",
        ),
    ],
)
def test_mission_open_refused_with_reason(staff, fields, message):
    mission = _draft(**fields)
    with pytest.raises(services.MissionError, match=message):
        services.mission_open(mission=mission, by=staff)
    assert Mission.objects.get(pk=mission.pk).status == "draft"
    assert not MissionTransition.objects.exists()


def test_mission_cannot_skip_steps(staff):
    mission = _draft()
    with pytest.raises(services.MissionError, match="cannot go from “Draft” to “Selection”"):
        services.mission_start_selection(mission=mission, by=staff)


def test_mission_selection_then_scheduling_needs_an_approved_firm(staff):
    mission = services.mission_start_selection(mission=MissionFactory(), by=staff)
    assert mission.status == "selection"
    with pytest.raises(services.MissionError, match="Approve at least one firm"):
        services.mission_start_scheduling(mission=mission, by=staff)
    ApplicationFactory(mission=mission, status="approved")
    assert services.mission_start_scheduling(mission=mission, by=staff).status == "scheduling"


def test_mission_publish_needs_a_confirmed_operator(staff):
    mission = MissionFactory(status=Mission.Status.SCHEDULING)
    RegistrationFactory(mission=mission, status="pending")
    with pytest.raises(services.MissionError, match="Confirm at least one operator"):
        services.mission_publish(mission=mission, by=staff)
    RegistrationFactory(mission=mission, status="confirmed")
    assert services.mission_publish(mission=mission, by=staff).status == "published"


def test_mission_runs_only_from_its_first_local_day(staff):
    mission = MissionFactory(status=Mission.Status.PUBLISHED)
    with pytest.raises(services.MissionError, match="cannot run before"):
        services.mission_start(mission=mission, by=staff)
    Mission.objects.filter(pk=mission.pk).update(
        start_date=date.today() - timedelta(days=1), end_date=date.today() + timedelta(days=2)
    )
    mission.refresh_from_db()
    assert services.mission_start(mission=mission, by=staff).status == "running"


def test_mission_closes_from_its_last_day(staff):
    mission = MissionFactory(
        status=Mission.Status.RUNNING,
        start_date=date.today() - timedelta(days=5),
        end_date=date.today() + timedelta(days=1),
    )
    with pytest.raises(services.MissionError, match="close it on its last day or after"):
        services.mission_close(mission=mission, by=staff)
    Mission.objects.filter(pk=mission.pk).update(end_date=date.today() - timedelta(days=1))
    mission.refresh_from_db()
    assert services.mission_close(mission=mission, by=staff).status == "closed"


def test_mission_cancel_needs_a_reason_and_not_when_over(staff):
    mission = MissionFactory()
    with pytest.raises(services.MissionError, match="reason"):
        services.mission_cancel(mission=mission, by=staff, reason="  ")
    services.mission_cancel(mission=mission, by=staff, reason="Crise sanitaire")
    change = MissionTransition.objects.get(mission=mission)
    assert (change.to_status, change.note) == ("cancelled", "Crise sanitaire")
    closed = MissionFactory(status=Mission.Status.CLOSED)
    with pytest.raises(services.MissionError):
        services.mission_cancel(mission=closed, by=staff, reason="trop tard")


def test_every_transition_is_one_function():
    assert set(services.TRANSITIONS) == {
        "open",
        "selection",
        "scheduling",
        "published",
        "running",
        "closed",
    }
    assert set(services.LIFE_CYCLE) == set(services.TRANSITIONS) | {"cancelled"}
