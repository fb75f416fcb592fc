import zoneinfo
from datetime import datetime

import pytest
from django.urls import reverse

from missions.models import Mission
from tests.factories import MissionFactory, ProgrammeItemFactory

pytestmark = pytest.mark.django_db


def test_mission_list_shows_public_missions_only(client):
    MissionFactory(title="Mission ouverte", status=Mission.Status.OPEN)
    MissionFactory(title="Mission brouillon", status=Mission.Status.DRAFT)
    MissionFactory(title="Mission annulée", status=Mission.Status.CANCELLED)
    body = client.get(reverse("missions:list")).content.decode()
    assert "Mission ouverte" in body
    assert "Mission brouillon" not in body and "Mission annulée" not in body


def test_mission_detail_draft_is_for_staff_only(client, staff):
    mission = MissionFactory(slug="brouillon", status=Mission.Status.DRAFT)
    assert client.get(mission.get_absolute_url()).status_code == 404
    client.force_login(staff)
    assert mission.title in client.get(mission.get_absolute_url()).content.decode()


def test_mission_detail_shows_programme_in_local_time_with_zone(client):
    mission = MissionFactory(
        slug="sf", city="San Francisco", country="US", timezone="America/Los_Angeles"
    )
    ProgrammeItemFactory(
        mission=mission,
        title="Atelier marché TIC US",
        starts_at=datetime(2027, 11, 15, 17, 0, tzinfo=zoneinfo.ZoneInfo("UTC")),
        ends_at=datetime(2027, 11, 15, 18, 30, tzinfo=zoneinfo.ZoneInfo("UTC")),
    )
    body = client.get(mission.get_absolute_url()).content.decode()
    assert "Atelier marché TIC US" in body
    assert "09:00–10:30" in body  # 17:00 UTC is 09:00 in San Francisco (PST)
    assert "America/Los Angeles (PST)" in body


def test_mission_list_query_count_does_not_grow(client, queries):
    MissionFactory()
    one = queries(lambda: client.get(reverse("missions:list")))
    MissionFactory.create_batch(49)
    assert queries(lambda: client.get(reverse("missions:list"))) == one
    assert client.get(reverse("missions:list")).content.decode().count("mission-card") == 50
