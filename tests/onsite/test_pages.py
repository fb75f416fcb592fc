"""The participant's agenda of the day, the app's shell (manifest, service worker, offline
page) and the staff's floor page."""

import json

import pytest
from django.urls import reverse

from onsite.models import Floor
from tests.factories import CompanyMemberFactory

pytestmark = pytest.mark.django_db


def test_agenda_of_the_day_shows_own_meetings_with_a_code_each_and_the_fetch_time(client, day):
    mine = day.book(1)
    owner = mine.company.members.get()
    day.book(2, pair=(owner, day.pair()[1]))
    others = day.book(1)
    client.force_login(owner)
    response = client.get(reverse("onsite:agenda", args=[day.mission.slug]))
    text = response.content.decode()
    assert response.status_code == 200
    assert text.count('<svg viewBox="0 0') == 2  # one code per meeting
    assert mine.operator.name in text and others.operator.name not in text
    assert "data-fetched-at=" in text and "Version du" in text
    assert 'rel="manifest"' in text
    # The page of the field is light: no icon font, no Bootstrap JavaScript.
    assert "bootstrap-icons" not in text and "bootstrap.bundle" not in text
    assert response["Cache-Control"].startswith("max-age=0")


def test_agenda_is_for_the_missions_participants_only(client, day):
    client.force_login(CompanyMemberFactory())  # a firm not in the delegation
    assert client.get(reverse("onsite:agenda", args=[day.mission.slug])).status_code == 403
    client.force_login(day.staff)
    assert client.get(reverse("onsite:agenda", args=[day.mission.slug])).status_code == 403


def test_service_worker_is_served_at_the_root_of_its_scope(client):
    response = client.get(reverse("onsite:service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript"
    body = response.content.decode()
    assert 'addEventListener("fetch"' in body and "indexedDB" in body
    assert reverse("onsite:service_worker").startswith(reverse("onsite:home"))


def test_manifest_names_the_app_and_its_icons(client):
    data = json.loads(client.get(reverse("onsite:manifest")).content)
    assert data["start_url"] == data["scope"] == reverse("onsite:home")
    assert data["display"] == "standalone"
    assert {icon["sizes"] for icon in data["icons"]} >= {"192x192", "512x512"}
    assert data["name"] == "Maroc Export · jour J"


def test_offline_page_holds_the_queue_and_its_script(client):
    text = client.get(reverse("onsite:offline")).content.decode()
    assert 'id="onsite-queue"' in text and "onsite/queue.js" in text
    assert 'data-sync="/onsite/SLUG/sync/"' in text


def test_home_lists_the_missions_under_way_for_staff_and_participants(client, day):
    meeting = day.book(1)
    client.force_login(day.staff)
    assert (
        reverse("onsite:floor", args=[day.mission.slug]) in client.get("/onsite/").content.decode()
    )
    client.force_login(meeting.company.members.get())
    text = client.get("/onsite/").content.decode()
    assert reverse("onsite:agenda", args=[day.mission.slug]) in text
    client.force_login(CompanyMemberFactory())
    assert day.mission.title not in client.get("/onsite/").content.decode()


def test_staff_set_the_margin(client, day):
    client.force_login(day.staff)
    url = reverse("onsite:floor", args=[day.mission.slug])
    assert client.post(url, {"scan_margin_minutes": 25}).status_code == 302
    assert Floor.objects.get(mission=day.mission).scan_margin_minutes == 25
    response = client.post(url, {"scan_margin_minutes": 90})
    assert response.status_code == 400
    assert Floor.objects.get(mission=day.mission).scan_margin_minutes == 25


def test_participants_agenda_links_to_the_agenda_of_the_day_once_published(client, day):
    meeting = day.book(1)
    client.force_login(meeting.operator.contacts.get())
    text = client.get(reverse("matchmaking:agenda", args=[day.mission.slug])).content.decode()
    assert reverse("onsite:agenda", args=[day.mission.slug]) in text
    assert "Le jour J (hors ligne aussi)" in text
