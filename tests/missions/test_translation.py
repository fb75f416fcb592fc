"""Mission content in every language of the interface: written side by side, read in the
reader's language, falling back to another rather than showing nothing."""

import importlib

import pytest
from django.urls import reverse
from django.utils import translation

from missions.models import Mission, ProgrammeItem
from tests.factories import MissionFactory, ProgrammeItemFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("missions.migrations.0005_content_written_in_its_language")


def _page(client, url, language):
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_each_reader_reads_the_mission_in_their_language(client):
    mission = MissionFactory(
        title_fr="Mission TIC à Dakar",
        title_en="ICT mission to Dakar",
        title_ar="البعثة التجارية إلى داكار",
        city_fr="Dakar",
        city_ar="داكار",
        description_fr="Rencontres avec les DSI sénégalais.",
        description_en="Meetings with Senegalese CIOs.",
    )
    ProgrammeItemFactory(
        mission=mission, title_fr="Séminaire d'ouverture", title_en="Opening seminar"
    )
    url = reverse("missions:detail", args=[mission.slug])
    french, english, arabic = (_page(client, url, lang) for lang in ("fr", "en", "ar"))
    assert "Mission TIC à Dakar" in french and "Séminaire d&#x27;ouverture" in french
    assert "ICT mission to Dakar" in english and "Opening seminar" in english
    assert "Meetings with Senegalese CIOs." in english and "DSI sénégalais" not in english
    assert "Mission TIC à Dakar" not in english
    with translation.override("ar"):
        assert Mission.objects.get().title == "البعثة التجارية إلى داكار"
        assert Mission.objects.get().city == "داكار"
    # Arabic is not yet a language of the interface everywhere; the content is ready for it.
    assert "Mission TIC" in arabic or "البعثة" in arabic


def test_a_missing_translation_falls_back_instead_of_showing_nothing(client):
    mission = MissionFactory(title_fr="", title_en="Moroccan ICT mission to San Francisco")
    mission = Mission.objects.get(pk=mission.pk)
    french = _page(client, reverse("missions:detail", args=[mission.slug]), "fr")
    assert "Moroccan ICT mission to San Francisco" in french
    with translation.override("fr"):
        assert mission.title == "Moroccan ICT mission to San Francisco"
    with translation.override("ar"):
        assert mission.title == "Moroccan ICT mission to San Francisco"


def test_staff_write_the_languages_side_by_side(client, staff):
    mission = MissionFactory(title_fr="Mission TIC", city_fr="Abidjan")
    client.force_login(staff)
    form = client.get(reverse("dashboard:mission_edit", args=[mission.slug])).content.decode()
    for name in ("title", "city", "description"):
        for language in ("fr", "en", "ar"):
            assert f'name="{name}_{language}"' in form
    assert 'dir="rtl"' in form and "Titre (anglais)" in form
    admin = client.get(reverse("admin:missions_mission_change", args=[mission.pk])).content
    assert b'name="title_ar"' in admin and b'name="programme-0-title_en"' not in admin


def test_a_mission_needs_its_title_in_one_language_at_least(client, staff):
    mission = MissionFactory(slug="sans-titre")
    client.force_login(staff)
    response = client.post(
        reverse("dashboard:mission_edit", args=[mission.slug]),
        {"slug": "sans-titre", "country": "CI", "timezone": "Africa/Abidjan", "capacity": "20"},
    )
    assert response.status_code == 400
    assert "Écrivez-le dans une langue au moins" in response.content.decode()
    assert Mission.objects.get().title == mission.title


def test_programme_items_are_written_in_several_languages(client, staff):
    mission = MissionFactory(timezone="Africa/Abidjan")
    client.force_login(staff)
    client.post(
        reverse("dashboard:programme_add", args=[mission.slug]),
        {
            "kind": "seminar",
            "title_fr": "Atelier marché",
            "title_en": "Market workshop",
            "place_fr": "Hôtel Ivoire",
            "starts_at": f"{mission.start_date}T09:00",
            "ends_at": f"{mission.start_date}T10:30",
        },
    )
    item = ProgrammeItem.objects.get()
    with translation.override("en"):
        assert (item.title, item.place) == ("Market workshop", "Hôtel Ivoire")
    with translation.override("fr"):
        assert item.title == "Atelier marché"


def test_existing_texts_become_the_language_they_were_written_in():
    assert (
        migration.written_in(
            "Moroccan ICT mission to San Francisco",
            "Ten Moroccan ICT firms meet Silicon Valley investors (venture capital, business "
            "angels), importers, distributors and technology partners, with workshops.",
        )
        == "en"
    )
    assert (
        migration.written_in(
            "Mission B2B TIC à Ouagadougou",
            "Une délégation d'entreprises marocaines des TIC rencontre les opérateurs burkinabè.",
        )
        == "fr"
    )
    assert migration.written_in("Mission Dakar", "") == "fr"
