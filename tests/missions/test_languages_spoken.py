"""Delegates and operator contacts say which languages they can hold a meeting in: the
application's delegate rows, the operator's sign-up, and what a bad input gets."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from missions.models import Application
from tests.companies.test_portal import _apply_data
from tests.factories import MissionFactory, StaffFactory
from tests.missions.test_operator_signup import _signup_data

pytestmark = pytest.mark.django_db


def test_application_records_each_delegates_languages(client, member):
    mission = MissionFactory()
    client.force_login(member)
    data = _apply_data(
        **{
            "delegates-0-languages": ["ar", "fr"],
            "delegates-1-languages": ["en"],
            "delegates-1-other_languages": "Tamazight, Soninké",
        }
    )
    response = client.post(reverse("portal:apply", args=[mission.slug]), data)
    application = Application.objects.get()
    assert response["Location"] == reverse("portal:application", args=[application.pk])
    assert [(d.full_name, d.languages, d.other_languages) for d in application.delegates.all()] == [
        ("Nadia Alaoui", ["fr", "ar"], ""),
        ("Omar Tazi", ["en"], "Tamazight, Soninké"),
    ]
    # The edit form shows the boxes ticked, and staff read the languages.
    page = client.get(response["Location"]).content.decode()
    ticked = re.findall(r'name="delegates-(\d)-languages" value="(\w+)"[^>]*checked', page)
    assert ticked == [("0", "fr"), ("0", "ar"), ("1", "en")]
    assert 'value="Tamazight, Soninké"' in page
    staff = StaffFactory()
    client.force_login(staff)
    page = client.get(
        reverse("dashboard:application", args=[mission.slug, application.pk])
    ).content.decode()
    assert "Nadia Alaoui – CEO · parle Français, Arabe" in page
    assert "Omar Tazi – Directeur commercial · parle Anglais, Tamazight, Soninké" in page


def test_application_with_an_unknown_language_is_refused_and_nothing_is_saved(client, member):
    mission = MissionFactory()
    client.force_login(member)
    response = client.post(
        reverse("portal:apply", args=[mission.slug]),
        _apply_data(**{"delegates-0-languages": ["fr", "xx"]}),
    )
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Application.objects.exists()


def test_operator_signup_records_the_contacts_role_and_languages(client):
    mission = MissionFactory()
    response = client.post(
        reverse("missions:meet", args=[mission.slug]),
        _signup_data(job_title="DSI", languages=["fr", "en"], other_languages="Dioula"),
    )
    assert response.status_code == 302
    user = User.objects.get(email="awa@banque-lagune.ci")
    # "Dioula" typed in words is on the list: kept as typed, counted as the code.
    assert (user.job_title, user.languages, user.other_languages) == ("DSI", ["fr", "en"], "Dioula")


def test_operator_signup_page_offers_the_languages(client):
    mission = MissionFactory()
    body = client.get(reverse("missions:meet", args=[mission.slug])).content.decode()
    for code, label in (("fr", "Français"), ("en", "Anglais"), ("ar", "Arabe"), ("wo", "Wolof")):
        assert f'name="languages" value="{code}"' in body and label in body
    assert 'name="other_languages"' in body and 'name="job_title"' in body


def test_operator_home_asks_for_the_languages_until_given(client, operator_contact):
    client.force_login(operator_contact)
    body = client.get(reverse("portal:operator_home")).content.decode()
    assert 'id="languages-hint"' in body and reverse("accounts:profile") in body
    operator_contact.languages = ["fr"]
    operator_contact.save()
    body = client.get(reverse("portal:operator_home")).content.decode()
    assert 'id="languages-hint"' not in body
