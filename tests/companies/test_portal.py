"""The firms' portal through its pages, and what one firm can never see or do to another."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from missions.models import Application
from tests.factories import (
    ApplicationFactory,
    CompanyMemberFactory,
    MissionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _apply_data(**extra):
    data = {
        "objectives": ["clients", "distributors"],
        "motivation": "Nous ciblons les banques ivoiriennes.",
        "delegates-TOTAL_FORMS": "3",
        "delegates-INITIAL_FORMS": "0",
        "delegates-MIN_NUM_FORMS": "1",
        "delegates-MAX_NUM_FORMS": "6",
        "delegates-0-full_name": "Nadia Alaoui",
        "delegates-0-role": "CEO",
        "delegates-1-full_name": "Omar Tazi",
        "delegates-1-role": "Directeur commercial",
        "delegates-2-full_name": "",
        "delegates-2-role": "",
    }
    return data | extra


def test_user_without_company_is_led_to_create_it(client, plain_user):
    client.force_login(plain_user)
    response = client.get(reverse("portal:home"))
    assert response["Location"] == reverse("companies:create")
    response = client.get(reverse("portal:apply", args=[MissionFactory().slug]))
    assert response["Location"].startswith(reverse("companies:create"))


def test_portal_lists_applications_and_open_missions(client, member):
    applied = MissionFactory(title="Mission Dakar")
    ApplicationFactory(mission=applied, company=member.company, status="approved")
    new_york = MissionFactory(title="Mission New York")
    client.force_login(member)
    body = client.get(reverse("portal:home")).content.decode()
    assert "Mission Dakar" in body and "Approuvée" in body
    assert "Mission New York" in body and reverse("portal:apply", args=[new_york.slug]) in body
    assert reverse("portal:apply", args=[applied.slug]) not in body  # already applied


def test_apply_then_edit_then_withdraw(client, member):
    mission = MissionFactory()
    client.force_login(member)
    response = client.post(reverse("portal:apply", args=[mission.slug]), _apply_data())
    application = Application.objects.get()
    assert response["Location"] == reverse("portal:application", args=[application.pk])
    assert [d.full_name for d in application.delegates.all()] == ["Nadia Alaoui", "Omar Tazi"]
    # Edit: one delegate less.
    data = _apply_data(
        **{"delegates-1-full_name": "", "delegates-1-role": "", "motivation": "Nouvelle"}
    )
    client.post(reverse("portal:application", args=[application.pk]), data)
    application.refresh_from_db()
    assert application.motivation == "Nouvelle" and application.delegate_count == 1
    # A second application to the same mission leads back to the first.
    assert client.get(reverse("portal:apply", args=[mission.slug]))["Location"] == reverse(
        "portal:application", args=[application.pk]
    )
    client.post(reverse("portal:withdraw", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == "withdrawn"


def test_apply_with_errors_keeps_the_input(client, member):
    client.force_login(member)
    data = _apply_data(objectives=[], **{"delegates-0-full_name": "", "delegates-1-full_name": ""})
    response = client.post(reverse("portal:apply", args=[MissionFactory().slug]), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "Nous ciblons les banques ivoiriennes." in body
    assert "Ce champ est obligatoire." in body
    assert not Application.objects.exists()


def test_firm_cannot_see_or_change_another_firms_application(client, member):
    other = ApplicationFactory(mission=MissionFactory())
    client.force_login(member)
    assert client.get(reverse("portal:application", args=[other.pk])).status_code == 404
    assert (
        client.post(reverse("portal:application", args=[other.pk]), _apply_data()).status_code
        == 404
    )
    assert client.post(reverse("portal:withdraw", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert (
        other.status == "submitted" and other.motivation != "Nous ciblons les banques ivoiriennes."
    )


def test_firm_cannot_see_or_change_another_firms_profile_or_members(client, member):
    other_owner = CompanyMemberFactory(email="owner@other.ma")
    other_colleague = UserFactory(
        email="colleague@other.ma", company=other_owner.company, company_role="member"
    )
    client.force_login(member)
    body = client.get(reverse("companies:edit")).content.decode()
    assert member.company.legal_name in body and other_owner.company.legal_name not in body
    members_page = client.get(reverse("companies:members")).content.decode()
    assert "owner@other.ma" not in members_page
    response = client.post(reverse("companies:member_remove", args=[other_colleague.pk]))
    assert response.status_code == 404
    other_colleague.refresh_from_db()
    assert other_colleague.company == other_owner.company


def test_owner_invites_a_colleague_who_joins(
    client, member, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("companies:members"), {"email": "Nouveau@Example.org"})
    assert mailoutbox[0].to == ["nouveau@example.org"]
    path = re.search(r"(/portal/invitations/[^\s/]+/)", mailoutbox[0].body).group(1)
    colleague = UserFactory(email="nouveau@example.org")
    client.force_login(colleague)
    client.post(path)
    colleague.refresh_from_db()
    assert (colleague.company, colleague.company_role) == (member.company, "member")
    # A used invitation cannot be used again.
    stranger = UserFactory(email="stranger@example.org")
    client.force_login(stranger)
    assert client.post(path).status_code == 400
    stranger.refresh_from_db()
    assert stranger.company is None


def test_invitation_only_for_its_address(
    client, member, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("companies:members"), {"email": "invited@example.org"})
    path = re.search(r"(/portal/invitations/[^\s/]+/)", mailoutbox[0].body).group(1)
    intruder = UserFactory(email="intruder@example.org")
    client.force_login(intruder)
    response = client.post(path)
    assert response.status_code == 400
    assert "invited@example.org" in response.content.decode()
    intruder.refresh_from_db()
    assert intruder.company is None


def test_only_the_owner_manages_members(client, member):
    colleague = UserFactory(
        email="colleague@example.org", company=member.company, company_role="member"
    )
    client.force_login(colleague)
    response = client.post(reverse("companies:members"), {"email": "x@example.org"})
    assert response.status_code == 400
    assert "Seul le titulaire" in response.content.decode()
    response = client.post(reverse("companies:member_remove", args=[member.pk]))
    assert response.status_code == 400
    member.refresh_from_db()
    assert member.company_id is not None


def test_owner_removes_a_member(client, member):
    colleague = UserFactory(
        email="colleague@example.org", company=member.company, company_role="member"
    )
    client.force_login(member)
    client.post(reverse("companies:member_remove", args=[colleague.pk]))
    colleague = User.objects.get(pk=colleague.pk)
    assert (colleague.company, colleague.company_role) == (None, "")


def test_portal_query_count_does_not_grow(client, member, queries):
    client.force_login(member)
    ApplicationFactory(company=member.company)
    MissionFactory()
    one = queries(lambda: client.get(reverse("portal:home")))
    for _ in range(49):
        ApplicationFactory(company=member.company)
        MissionFactory()
    assert queries(lambda: client.get(reverse("portal:home"))) == one


def test_members_page_query_count_does_not_grow(client, member, queries):
    from companies.models import CompanyInvitation

    client.force_login(member)
    UserFactory(company=member.company, company_role="member")
    CompanyInvitation.objects.create(company=member.company, email="a0@example.org", token="t0")
    one = queries(lambda: client.get(reverse("companies:members")))
    for i in range(1, 50):
        UserFactory(company=member.company, company_role="member")
        CompanyInvitation.objects.create(
            company=member.company, email=f"a{i}@example.org", token=f"t{i}"
        )
    assert queries(lambda: client.get(reverse("companies:members"))) == one
