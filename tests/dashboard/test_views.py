"""The staff dashboard: from an empty site to a published mission, and its list pages."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from missions.models import Application, Mission, MissionTransition, ProgrammeItem
from tests.factories import ApplicationFactory, MissionFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def test_staff_creates_a_mission_and_opens_it(client, staff):
    client.force_login(staff)
    deadline = (timezone.now() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    start = date.today() + timedelta(days=60)
    from companies.models import Sector

    response = client.post(
        reverse("dashboard:mission_create"),
        {
            "title_fr": "Mission TIC Dakar",
            "title_en": "ICT mission to Dakar",
            "slug": "dakar-2027",
            "city_fr": "Dakar",
            "country": "SN",
            "timezone": "Africa/Dakar",
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=3)).isoformat(),
            "description_fr": "Rencontres B2B",
            "partners": "ASTEC",
            "sectors": [Sector.objects.first().pk],
            "capacity": "15",
            "application_deadline": deadline,
        },
    )
    assert response.status_code == 302
    mission = Mission.objects.get(slug="dakar-2027")
    assert mission.status == "draft" and mission.capacity == 15
    response = client.post(
        reverse("dashboard:mission_transition", args=[mission.slug]), {"to": "open"}
    )
    assert response.status_code == 302
    mission.refresh_from_db()
    assert mission.status == "open"
    page = client.get(reverse("dashboard:mission", args=[mission.slug])).content.decode()
    assert "Candidatures ouvertes" in page and staff.full_name in page  # history shows who


def test_mission_form_errors_are_clear(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("dashboard:mission_create"),
        {
            "title_en": "X",
            "slug": "x",
            "city_fr": "Dakar",
            "country": "SN",
            "timezone": "Mars/Olympus",
            "start_date": "2027-05-10",
            "end_date": "2027-05-01",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "n’est pas un fuseau horaire IANA" in body
    assert "Le dernier jour ne peut pas précéder le premier jour." in body
    assert not Mission.objects.exists()


def test_refused_transition_says_why(client, staff):
    mission = MissionFactory(status=Mission.Status.SELECTION)
    client.force_login(staff)
    response = client.post(
        reverse("dashboard:mission_transition", args=[mission.slug]), {"to": "scheduling"}
    )
    assert response.status_code == 400
    assert "Approuvez au moins une entreprise" in response.content.decode()
    assert not MissionTransition.objects.exists()


def test_programme_times_are_typed_in_the_missions_zone(client, staff):
    mission = MissionFactory(timezone="America/Los_Angeles", city="San Francisco", country="US")
    client.force_login(staff)
    client.post(
        reverse("dashboard:programme_add", args=[mission.slug]),
        {
            "kind": "seminar",
            "title_fr": "Atelier",
            "starts_at": "2027-11-15T09:00",
            "ends_at": "2027-11-15T10:30",
        },
    )
    item = ProgrammeItem.objects.get()
    assert item.starts_at.astimezone(timezone.UTC).strftime("%H:%M") == "17:00"  # PST is UTC-8
    edit = client.get(
        reverse("dashboard:programme_edit", args=[mission.slug, item.pk])
    ).content.decode()
    assert 'value="2027-11-15T09:00"' in edit
    response = client.post(
        reverse("dashboard:programme_add", args=[mission.slug]),
        {
            "kind": "seminar",
            "title_fr": "Inversé",
            "starts_at": "2027-11-15T11:00",
            "ends_at": "2027-11-15T10:00",
        },
    )
    assert (
        response.status_code == 400
        and "La fin doit venir après le début." in response.content.decode()
    )


def test_bulk_decision_and_capacity_message(client, staff):
    mission = MissionFactory(capacity=2)
    apps = ApplicationFactory.create_batch(3, mission=mission)
    client.force_login(staff)
    url = reverse("dashboard:applications", args=[mission.slug])
    response = client.post(
        url, {"selected": [a.pk for a in apps], "decision": "approved", "note": ""}
    )
    assert response.status_code == 400
    assert "dépasserait la capacité de 2" in response.content.decode()
    client.post(
        url, {"selected": [a.pk for a in apps[:2]], "decision": "approved", "note": "Bienvenue"}
    )
    assert Application.objects.filter(status="approved").count() == 2


def test_applications_filter_and_sort(client, staff):
    mission = MissionFactory()
    ApplicationFactory(mission=mission, company__legal_name="Zellige Soft", status="approved")
    ApplicationFactory(mission=mission, company__legal_name="Atlas Pay", status="submitted")
    client.force_login(staff)
    url = reverse("dashboard:applications", args=[mission.slug])
    body = client.get(url, {"sort": "company"}).content.decode()
    assert body.index("Atlas Pay") < body.index("Zellige Soft")
    body = client.get(url, {"sort": "-company"}).content.decode()
    assert body.index("Zellige Soft") < body.index("Atlas Pay")
    body = client.get(url, {"status": "approved"}).content.decode()
    assert "Zellige Soft" in body and "Atlas Pay" not in body
    body = client.get(url, {"q": "atlas"}).content.decode()
    assert "Atlas Pay" in body and "Zellige Soft" not in body


def test_registrations_confirm(client, staff):
    mission = MissionFactory()
    regs = RegistrationFactory.create_batch(2, mission=mission)
    client.force_login(staff)
    client.post(
        reverse("dashboard:registrations", args=[mission.slug]),
        {"selected": [regs[0].pk], "decision": "confirmed"},
    )
    regs[0].refresh_from_db(), regs[1].refresh_from_db()
    assert (regs[0].status, regs[1].status) == ("confirmed", "pending")


@pytest.mark.parametrize(
    "url_name", ["dashboard:index", "dashboard:applications", "dashboard:registrations"]
)
def test_staff_list_pages_query_count_does_not_grow(client, staff, queries, url_name):
    client.force_login(staff)
    mission = MissionFactory(slug="m")
    ApplicationFactory(mission=mission)
    RegistrationFactory(mission=mission)
    url = reverse(url_name, args=[] if url_name == "dashboard:index" else ["m"])
    one = queries(lambda: client.get(url))
    for _ in range(49):
        ApplicationFactory(mission=mission)
        RegistrationFactory(mission=mission)
        MissionFactory()
    assert queries(lambda: client.get(url)) == one


def test_bulk_decision_ignores_garbage_ids(client, staff):
    mission = MissionFactory()
    application = ApplicationFactory(mission=mission)
    client.force_login(staff)
    response = client.post(
        reverse("dashboard:applications", args=[mission.slug]),
        {"selected": ["abc", "1; DROP TABLE", str(application.pk)], "decision": "rejected"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "rejected"
    response = client.post(
        reverse("dashboard:applications", args=[mission.slug]),
        {"selected": ["abc"], "decision": "approved"},
    )
    assert response.status_code == 400
    assert "Sélectionnez au moins une candidature." in response.content.decode()


def test_unicode_digits_in_ids_are_ignored_not_a_500(client, staff):
    mission = MissionFactory()
    client.force_login(staff)
    response = client.post(
        reverse("dashboard:applications", args=[mission.slug]),
        {"selected": ["²", "٣"], "decision": "approved"},
    )
    assert response.status_code == 400


def test_mission_time_zone_is_locked_once_times_are_planned(client, staff):
    from tests.factories import ProgrammeItemFactory

    mission = MissionFactory(slug="tz")
    ProgrammeItemFactory(mission=mission)
    client.force_login(staff)
    data = {
        "title_fr": mission.title,
        "slug": "tz",
        "city_fr": mission.city,
        "country": "CI",
        "timezone": "Europe/Paris",
        "start_date": mission.start_date.isoformat(),
        "end_date": mission.end_date.isoformat(),
        "capacity": "20",
    }
    response = client.post(reverse("dashboard:mission_edit", args=["tz"]), data)
    assert response.status_code == 400
    assert "fuseau horaire" in response.content.decode()
    mission.refresh_from_db()
    assert mission.timezone == "Africa/Abidjan"


def test_company_deletion_keeps_its_members_consistent(member):
    from companies.services import company_delete

    company_delete(company=member.company)
    member.refresh_from_db()
    assert (member.company, member.company_role) == (None, "")
