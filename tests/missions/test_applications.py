from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from missions import services
from missions.models import Application, Mission
from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    CompanyMemberFactory,
    MissionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # The rules' messages are matched in English here; their French is checked through the pages.
    with translation.override("en"):
        yield


DELEGATES = [
    {"full_name": "Nadia Alaoui", "role": "CEO"},
    {"full_name": "Omar Tazi", "role": "CTO"},
]


def _submit(mission, member, **overrides):
    kwargs = {
        "mission": mission,
        "company": member.company,
        "by": member,
        "objectives": ["clients", "investors"],
        "motivation": "Trouver des distributeurs.",
        "delegates": DELEGATES,
    } | overrides
    return services.application_submit(**kwargs)


def test_application_submit_records_delegates_and_tells_members(
    member, mailoutbox, django_capture_on_commit_callbacks
):
    colleague = UserFactory(
        email="colleague@example.org", company=member.company, company_role="member", language="en"
    )
    mission = MissionFactory(title="Mission Abidjan")
    with django_capture_on_commit_callbacks(execute=True):
        application = _submit(mission, member)
    assert application.status == "submitted"
    assert [d.full_name for d in application.delegates.all()] == ["Nadia Alaoui", "Omar Tazi"]
    assert application.objectives == ["clients", "investors"]
    by_recipient = {m.to[0]: m for m in mailoutbox}
    assert set(by_recipient) == {member.email, colleague.email}
    assert (
        by_recipient[member.email].subject == "[Maroc Export] Candidature reçue : Mission Abidjan"
    )
    assert (
        by_recipient[colleague.email].subject
        == "[Maroc Export] Application received: Mission Abidjan"
    )
    html = by_recipient[member.email].alternatives[0].content
    assert "Mission Abidjan" in html and "<html" in html


def test_application_refused_after_deadline(member):
    mission = MissionFactory(application_deadline=timezone.now() - timedelta(minutes=1))
    with pytest.raises(services.MissionError, match="deadline has passed"):
        _submit(mission, member)
    assert not Application.objects.exists()


def test_application_refused_when_mission_not_open(member):
    with pytest.raises(services.MissionError, match="not open for applications"):
        _submit(MissionFactory(status=Mission.Status.SELECTION), member)


def test_application_one_per_firm_and_mission(member):
    mission = MissionFactory()
    _submit(mission, member)
    with pytest.raises(services.MissionError, match="already applied"):
        _submit(mission, member)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(mission=mission, company=member.company, motivation="x")
    assert Application.objects.count() == 1


def test_application_requires_objective_and_delegate(member):
    mission = MissionFactory()
    with pytest.raises(services.MissionError, match="objective"):
        _submit(mission, member, objectives=["holidays"])
    with pytest.raises(services.MissionError, match="delegate"):
        _submit(mission, member, delegates=[{"full_name": "  ", "role": ""}])


def test_application_only_by_members_of_the_company(member):
    outsider = CompanyMemberFactory()
    with pytest.raises(services.MissionError, match="Only members"):
        _submit(MissionFactory(), outsider, company=member.company)


def test_application_update_until_deadline(member):
    mission = MissionFactory()
    application = _submit(mission, member)
    services.application_update(
        application=application,
        by=member,
        objectives=["partners"],
        motivation="Nouveau",
        delegates=[{"full_name": "Seule Personne", "role": "DG"}],
    )
    application.refresh_from_db()
    assert application.objectives == ["partners"] and application.delegate_count == 1
    Mission.objects.filter(pk=mission.pk).update(
        application_deadline=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(services.MissionError, match="deadline"):
        services.application_update(
            application=application,
            by=member,
            objectives=["clients"],
            motivation="x",
            delegates=DELEGATES,
        )


def test_approving_past_capacity_is_refused(staff):
    mission = MissionFactory(capacity=2)
    apps = ApplicationFactory.create_batch(3, mission=mission)
    with pytest.raises(services.MissionError, match="exceed the capacity of 2"):
        services.applications_decide(applications=apps, decision="approved", by=staff)
    assert not Application.objects.filter(status="approved").exists()  # all or nothing
    services.applications_decide(applications=apps[:2], decision="approved", by=staff)
    with pytest.raises(services.MissionError, match="0 place"):
        services.applications_decide(applications=apps[2:], decision="approved", by=staff)
    services.applications_decide(
        applications=apps[2:], decision="waitlisted", by=staff, note="Liste d'attente"
    )
    assert Application.objects.get(pk=apps[2].pk).status == "waitlisted"


def test_withdrawing_an_approved_firm_promotes_the_first_waitlisted(
    staff, django_capture_on_commit_callbacks, mailoutbox
):
    mission = MissionFactory(capacity=1)
    approved_member = CompanyMemberFactory()
    approved = ApplicationFactory(mission=mission, company=approved_member.company)
    second, first = ApplicationFactory(mission=mission), ApplicationFactory(mission=mission)
    first_owner = UserFactory(
        email="first@example.org", company=first.company, company_role="owner"
    )
    services.applications_decide(applications=[approved], decision="approved", by=staff)
    services.applications_decide(applications=[first], decision="waitlisted", by=staff)
    services.applications_decide(applications=[second], decision="waitlisted", by=staff)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_withdraw(application=approved, by=approved_member)
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses == {approved.pk: "withdrawn", first.pk: "approved", second.pk: "waitlisted"}
    assert [m.to for m in mailoutbox] == [[first_owner.email]]
    assert "Vous faites partie de la délégation" in mailoutbox[0].subject


def test_rejecting_an_approved_firm_also_frees_its_place(staff):
    mission = MissionFactory(capacity=1)
    approved, waiting = ApplicationFactory(mission=mission), ApplicationFactory(mission=mission)
    services.applications_decide(applications=[approved], decision="approved", by=staff)
    services.applications_decide(applications=[waiting], decision="waitlisted", by=staff)
    services.applications_decide(applications=[approved], decision="rejected", by=staff)
    assert Application.objects.get(pk=waiting.pk).status == "approved"


def test_decision_emails_in_each_members_language(
    staff, django_capture_on_commit_callbacks, mailoutbox
):
    company = CompanyFactory()
    UserFactory(email="fr@example.org", company=company, company_role="owner", language="fr")
    UserFactory(email="en@example.org", company=company, company_role="member", language="en")
    application = ApplicationFactory(company=company, mission=MissionFactory(title="SF 2027"))
    with django_capture_on_commit_callbacks(execute=True):
        services.applications_decide(
            applications=[application], decision="rejected", by=staff, note="Profil trop éloigné"
        )
    by_recipient = {m.to[0]: m for m in mailoutbox}
    assert by_recipient["fr@example.org"].subject == "[Maroc Export] Votre candidature : SF 2027"
    assert by_recipient["en@example.org"].subject == "[Maroc Export] Your application: SF 2027"
    assert "Profil trop éloigné" in by_recipient["en@example.org"].body
    assert "not selected this time" in by_recipient["en@example.org"].body


def test_same_decision_twice_sends_nothing_twice(
    staff, django_capture_on_commit_callbacks, mailoutbox
):
    member = CompanyMemberFactory()
    application = ApplicationFactory(company=member.company)
    with django_capture_on_commit_callbacks(execute=True):
        services.applications_decide(applications=[application], decision="approved", by=staff)
        services.applications_decide(applications=[application], decision="approved", by=staff)
    assert len(mailoutbox) == 1


def test_withdrawn_application_cannot_be_decided(staff):
    application = ApplicationFactory(status="withdrawn")
    with pytest.raises(services.MissionError, match="withdrawn"):
        services.applications_decide(applications=[application], decision="approved", by=staff)


def test_batch_rejection_does_not_promote_a_firm_of_the_same_batch(staff):
    mission = MissionFactory(capacity=1)
    approved, waiting_in_batch, waiting_other = (
        ApplicationFactory(mission=mission) for _ in range(3)
    )
    services.applications_decide(applications=[approved], decision="approved", by=staff)
    services.applications_decide(applications=[waiting_in_batch], decision="waitlisted", by=staff)
    services.applications_decide(applications=[waiting_other], decision="waitlisted", by=staff)
    services.applications_decide(
        applications=[approved, waiting_in_batch], decision="rejected", by=staff
    )
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses == {
        approved.pk: "rejected",
        waiting_in_batch.pk: "rejected",
        waiting_other.pk: "approved",
    }


def test_moving_the_approved_firm_to_the_waitlist_does_not_approve_it_again(staff):
    mission = MissionFactory(capacity=1)
    approved = ApplicationFactory(mission=mission)
    services.applications_decide(applications=[approved], decision="approved", by=staff)
    services.applications_decide(applications=[approved], decision="waitlisted", by=staff)
    assert Application.objects.get(pk=approved.pk).status == "waitlisted"
