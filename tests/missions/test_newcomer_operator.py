"""A new operator, just signed up: what happens next, what they can do already, pages that
explain instead of refusing; an organisation signed up twice is offered, and staff merge."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from audit.selectors import trail_entries
from companies import services as company_services
from companies.models import Operator
from companies.selectors import name_key, operator_duplicates, operators_named
from matchmaking import services as mm_services
from matchmaking.models import Meeting, MeetingRequest
from missions.models import Mission, OperatorRegistration
from tests.factories import (
    MeetingSessionFactory,
    MissionFactory,
    OperatorContactFactory,
    OperatorFactory,
    RegistrationFactory,
    participants,
)

from .test_operator_signup import _signup_data

pytestmark = pytest.mark.django_db


def _pending_operator(mission):
    contact = OperatorContactFactory(language="en", operator__needs="", operator__website="")
    RegistrationFactory(mission=mission, operator=contact.operator, status="pending")
    return contact


def test_a_pending_operator_reads_what_happens_next_and_what_to_do_meanwhile(client):
    mission = MissionFactory(title="Mission Abidjan", status=Mission.Status.OPEN)
    contact = _pending_operator(mission)
    client.force_login(contact)
    with translation.override("en"):
        page = client.get(reverse("portal:operator_home")).content.decode()
    assert "What happens next" in page
    assert "checks every organisation" in page and contact.email in page
    assert reverse("operators:profile") in page and "still missing: your needs" in page
    assert mission.get_absolute_url() in page
    # The menu says where it leads: the operator's missions, not "My meetings".
    assert "My missions" in page and "My meetings" not in page


def test_the_directory_explains_to_a_pending_operator_instead_of_a_bare_refusal(client):
    mission = MeetingSessionFactory().mission  # scheduling: the directory is open
    contact = _pending_operator(mission)
    client.force_login(contact)
    response = client.get(reverse("matchmaking:directory", args=[mission.slug]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Not open to you" in page and "Access denied" not in page
    assert "checking your organisation" in page and "receive an e-mail" in page
    assert reverse("accounts:home") in page
    # In French too.
    User.objects.filter(pk=contact.pk).update(language="fr")
    client.force_login(User.objects.get(pk=contact.pk))
    page = client.get(reverse("matchmaking:directory", args=[mission.slug])).content.decode()
    assert "vérifie l’inscription de votre organisation" in page


def test_a_confirmed_operator_before_scheduling_is_told_when_the_directory_opens(client):
    mission = MissionFactory(status=Mission.Status.SELECTION)
    contact = OperatorContactFactory(language="en")
    RegistrationFactory(mission=mission, operator=contact.operator, status="confirmed")
    client.force_login(contact)
    response = client.get(reverse("matchmaking:agenda", args=[mission.slug]))
    assert response.status_code == 403
    assert "opens when the agency starts scheduling" in response.content.decode()


def test_the_same_name_signed_up_again_is_offered_instead_of_a_duplicate(client):
    mission = MissionFactory()
    existing = OperatorFactory(name="Banque Lagune")
    url = reverse("missions:meet", args=[mission.slug])
    response = client.post(url, _signup_data(name="  BANQUE  lagune "))
    assert response.status_code == 409
    page = response.content.decode()
    assert 'id="same-name"' in page and existing.name in page
    assert reverse("account_request_login_code") in page
    assert Operator.objects.count() == 1 and not User.objects.filter(operator__isnull=False)
    # Confirmed: registered (staff merge it if it is the same).
    response = client.post(url, _signup_data(name="Banque Lagune", same_name="on"))
    assert response.status_code == 302
    assert Operator.objects.count() == 2


def test_names_match_whatever_the_case_accents_and_spaces():
    assert name_key("Banque Horizon") == name_key(" banque-HORIZÔN ") == name_key("BanqueHorizon")
    assert name_key("Banque Horizon") != name_key("Banque Horizons")
    OperatorFactory(name="Agence Comoé")
    assert [o.name for o in operators_named("agence  comoe")] == ["Agence Comoé"]
    assert operators_named("  ") == []


def test_staff_merge_two_registrations_of_one_organisation(client, staff):
    session = MeetingSessionFactory()
    mission = session.mission
    owner, contact = participants(mission)
    keep = contact.operator
    keep.name, keep.website = "Banque Lagune", ""
    keep.save()
    duplicate = OperatorFactory(name="banque lagune", website="https://lagune.example")
    second = OperatorContactFactory(operator=duplicate)
    other = MissionFactory(status=Mission.Status.OPEN)
    RegistrationFactory(mission=other, operator=duplicate, status="pending")
    MeetingRequest.objects.create(
        mission=mission, company=owner.company, operator=duplicate, side="company"
    )
    assert [[o.pk for o in g] for g in operator_duplicates()] == [[keep.pk, duplicate.pk]]

    client.force_login(staff)
    url = reverse("dashboard:operator_duplicates")
    assert "banque lagune" in client.get(url).content.decode()
    response = client.post(url, {"operator": [keep.pk, duplicate.pk], "keep": keep.pk})
    assert response.status_code == 302
    assert not Operator.objects.filter(pk=duplicate.pk).exists()
    second.refresh_from_db()
    assert second.operator_id == keep.pk
    assert OperatorRegistration.objects.get(mission=other).operator_id == keep.pk
    assert MeetingRequest.objects.get().operator_id == keep.pk
    keep.refresh_from_db()
    assert keep.website == "https://lagune.example"  # what the kept one lacked
    # The audit trail records the moves and the deletion, by the staff member.
    entries = list(trail_entries())
    assert any(e.actor_id == staff.pk and e.object_pk == str(duplicate.pk) for e in entries)
    assert operator_duplicates() == []


def test_a_merge_that_would_collide_is_refused_and_changes_nothing(staff):
    session = MeetingSessionFactory()
    mission = session.mission
    owner, contact = participants(mission)
    duplicate_contact = OperatorContactFactory(operator__name=contact.operator.name)
    RegistrationFactory(mission=mission, operator=duplicate_contact.operator, status="confirmed")
    mm_services.meeting_book(
        mission=mission,
        company=owner.company,
        operator=duplicate_contact.operator,
        slot=session.slots.first(),
        by=owner,
    )
    with translation.override("en"), pytest.raises(company_services.CompanyError, match="cannot"):
        company_services.operators_merge(
            keep=contact.operator, duplicate=duplicate_contact.operator, by=staff
        )
    assert Operator.objects.filter(pk=duplicate_contact.operator_id).exists()
    assert Meeting.objects.get().operator_id == duplicate_contact.operator_id
    duplicate_contact.refresh_from_db()
    assert duplicate_contact.operator_id != contact.operator_id
    with pytest.raises(company_services.CompanyError):
        company_services.operators_merge(
            keep=contact.operator, duplicate=contact.operator, by=staff
        )
