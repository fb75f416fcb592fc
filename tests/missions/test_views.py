import zoneinfo
from datetime import datetime

import pytest
from django.test import Client
from django.urls import reverse

from companies.models import Sector
from missions.models import Mission
from tests.factories import MissionFactory, ProgrammeItemFactory, participants

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


def test_mission_page_is_cached_for_every_reader_but_each_sees_their_own_part(
    client, queries, django_capture_on_commit_callbacks
):
    """The programme and the delegation are one cached fragment; the side card is the reader's."""
    mission = MissionFactory(status=Mission.Status.SCHEDULING)
    ProgrammeItemFactory(mission=mission, title="Visite du port")
    owner, contact = participants(mission)
    url = mission.get_absolute_url()
    member, operator = Client(), Client()
    member.force_login(owner)
    operator.force_login(contact)
    for reader in (client, member, operator):
        assert "Visite du port" in reader.get(url).content.decode()
    assert "Votre candidature" in member.get(url).content.decode()
    assert "Votre inscription" not in member.get(url).content.decode()
    assert "Votre inscription" in operator.get(url).content.decode()
    anonymous = client.get(url).content.decode()
    assert "Votre candidature" not in anonymous and "Votre inscription" not in anonymous
    assert owner.company.display_name in anonymous  # the delegation, shown from scheduling on
    # Cached: the programme and the delegation are not read again, however many firms.
    warm = queries(lambda: client.get(url))
    for _ in range(5):
        participants(mission)
    client.get(url)
    assert queries(lambda: client.get(url)) == warm


def test_an_edit_of_the_programme_a_firm_or_the_sectors_shows_on_the_next_request(
    client, django_capture_on_commit_callbacks
):
    mission = MissionFactory(status=Mission.Status.SCHEDULING)
    item = ProgrammeItemFactory(mission=mission, title="Visite du port")
    owner, _contact = participants(mission)
    url = mission.get_absolute_url()
    assert "Visite du port" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        item.title = "Visite de la zone franche"
        item.save()
        owner.company.trade_name = "Atlas Monétique"
        owner.company.save()
        mission.sectors.set([Sector.objects.get(slug="software")])
    page = client.get(url).content.decode()
    assert "Visite de la zone franche" in page and "Visite du port" not in page
    assert "Atlas Monétique" in page
    assert Sector.objects.get(slug="software").name in page
    with django_capture_on_commit_callbacks(execute=True):
        item.delete()
    assert "Visite de la zone franche" not in client.get(url).content.decode()
