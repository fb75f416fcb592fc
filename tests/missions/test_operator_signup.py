"""Operators sign up for a mission from its page, log in by code, and see only their own."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from missions.models import Mission, OperatorRegistration
from tests.factories import MissionFactory, OperatorContactFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def _signup_data(**extra):
    from companies.models import Sector

    return {
        "full_name": "Awa Koné",
        "email": "Awa@Banque-Lagune.ci",
        "phone": "+225 07 00 00 00",
        "name": "Banque Lagune",
        "kind": "bank",
        "country": "CI",
        "city": "Abidjan",
        "website": "",
        "sectors": [str(Sector.objects.get(slug="e-payment-banking").pk)],
        "needs": "Paiement mobile",
    } | extra


def test_operator_signs_up_and_logs_in_with_the_emailed_code(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    mission = MissionFactory(slug="abidjan", title="Mission Abidjan")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("missions:meet", args=[mission.slug]), _signup_data())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_confirm_login_code"))
    user = User.objects.get(email="awa@banque-lagune.ci")
    assert user.role == "operator" and not user.has_usable_password()
    registration = OperatorRegistration.objects.get()
    assert (registration.mission, registration.operator, registration.status) == (
        mission,
        user.operator,
        "pending",
    )
    subjects = sorted(m.subject for m in mailoutbox)
    assert any("Inscription reçue : Mission Abidjan" in s for s in subjects)
    code_mail = next(m for m in mailoutbox if "code" in m.subject.lower())
    code = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", code_mail.body, re.MULTILINE).group(1)
    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302 and response["Location"] == reverse("portal:operator_home")
    home = client.get(reverse("portal:operator_home")).content.decode()
    assert "Mission Abidjan" in home and "En attente" in home


def test_operator_signup_confirmed_at_once_when_the_mission_says_so(client):
    mission = MissionFactory(auto_confirm_operators=True)
    client.post(reverse("missions:meet", args=[mission.slug]), _signup_data())
    assert OperatorRegistration.objects.get().status == "confirmed"


def test_operator_signup_errors_keep_the_input(client):
    mission = MissionFactory()
    response = client.post(
        reverse("missions:meet", args=[mission.slug]),
        _signup_data(email="pas-une-adresse", kind="pirate"),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Saisissez une adresse de courriel valide." in body
    assert 'value="Banque Lagune"' in body and "Paiement mobile" in body
    assert not User.objects.filter(full_name="Awa Koné").exists()


def test_operator_signup_with_known_address_asks_to_log_in(client):
    OperatorContactFactory(email="awa@banque-lagune.ci")
    response = client.post(reverse("missions:meet", args=[MissionFactory().slug]), _signup_data())
    assert response.status_code == 400
    assert "Un compte existe déjà pour cette adresse" in response.content.decode()


def test_known_operator_joins_another_mission_in_one_click(client, operator_contact):
    first, second = MissionFactory(), MissionFactory(title="Mission Dakar")
    RegistrationFactory(mission=first, operator=operator_contact.operator)
    client.force_login(operator_contact)
    assert "Mission Dakar" in client.get(reverse("portal:operator_home")).content.decode()
    client.post(reverse("missions:meet", args=[second.slug]))
    assert set(
        operator_contact.operator.registrations.values_list("mission__title", flat=True)
    ) == {first.title, "Mission Dakar"}
    response = client.post(reverse("missions:meet", args=[second.slug]), follow=True)
    assert "déjà inscrite" in response.content.decode()


def test_operator_sees_only_its_own_registrations(client, operator_contact):
    mission = MissionFactory(title="Mission commune")
    other = RegistrationFactory(mission=mission, status="rejected")
    client.force_login(operator_contact)
    home = client.get(reverse("portal:operator_home")).content.decode()
    assert other.operator.name not in home
    detail = client.get(mission.get_absolute_url()).content.decode()
    assert "Votre inscription" not in detail and "Refusée" not in detail
    assert client.get(reverse("dashboard:registrations", args=[mission.slug])).status_code == 403


def test_registration_closed_missions_refuse_operators(client):
    mission = MissionFactory(status=Mission.Status.RUNNING)
    response = client.get(reverse("missions:meet", args=[mission.slug]))
    assert response.status_code == 302 and response["Location"] == mission.get_absolute_url()


def test_delegation_is_public_once_selection_is_over(client):
    from tests.factories import ApplicationFactory

    mission = MissionFactory(status=Mission.Status.SELECTION)
    approved = ApplicationFactory(mission=mission, status="approved")
    pending = ApplicationFactory(mission=mission, status="submitted")
    assert (
        approved.company.legal_name not in client.get(mission.get_absolute_url()).content.decode()
    )
    Mission.objects.filter(pk=mission.pk).update(status=Mission.Status.SCHEDULING)
    body = client.get(mission.get_absolute_url()).content.decode()
    assert approved.company.legal_name in body and pending.company.legal_name not in body


def test_operator_home_query_count_does_not_grow(client, operator_contact, queries):
    client.force_login(operator_contact)
    RegistrationFactory(operator=operator_contact.operator)
    MissionFactory()
    one = queries(lambda: client.get(reverse("portal:operator_home")))
    for _ in range(49):
        RegistrationFactory(operator=operator_contact.operator)
        MissionFactory()
    assert queries(lambda: client.get(reverse("portal:operator_home"))) == one
