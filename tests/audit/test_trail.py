"""The audit trail: who changed what on missions, decisions and meetings, readable by staff."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from audit.apps import TRAILED
from matchmaking.models import Meeting
from missions.models import Application, Mission
from tests.factories import (
    ApplicationFactory,
    CompanyMemberFactory,
    MeetingSessionFactory,
    MissionFactory,
    OperatorContactFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db


def _entries(model, pk):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_pk=str(pk)
    ).order_by("pk")


def test_a_decision_is_recorded_with_its_author(client, staff):
    application = ApplicationFactory()
    client.force_login(staff)
    response = client.post(
        reverse("dashboard:applications", args=[application.mission.slug]),
        {"selected": [application.pk], "decision": "approved", "note": "Bienvenue"},
    )
    assert response.status_code == 302
    decision = _entries(Application, application.pk).last()
    assert decision.action == LogEntry.Action.UPDATE
    assert decision.actor == staff
    assert decision.changes_dict["status"] == ["submitted", "approved"]
    assert decision.changes_dict["decision_note"] == ["", "Bienvenue"]
    assert decision.changes_dict["decided_by"] == [None, staff.pk]
    # The trail shows it to staff, with the author and the status's label.
    page = client.get(reverse("audit:trail"))
    row = next(r for r in page.context["rows"] if r.entry.pk == decision.pk)
    assert row.kind == "Candidature"
    assert ("Statut", "Déposée", "Approuvée") in [(c.field, c.old, c.new) for c in row.changes]
    assert str(staff) in [c.new for c in row.changes]  # decided by: the name, not an id
    decided_at = timezone.localtime(Application.objects.get().decided_at)
    assert date_format(decided_at, "SHORT_DATETIME_FORMAT") in [c.new for c in row.changes]
    body = page.content.decode()
    assert staff.email in body and "Bienvenue" in body


def test_a_mission_transition_is_recorded_with_its_author(client, staff):
    mission = MissionFactory(status=Mission.Status.DRAFT)
    client.force_login(staff)
    client.post(reverse("dashboard:mission_transition", args=[mission.slug]), {"to": "open"})
    entry = _entries(Mission, mission.pk).last()
    assert (entry.actor, entry.changes_dict["status"]) == (staff, ["draft", "open"])


def test_a_meeting_booked_by_a_firm_is_recorded_with_its_author(client):
    mission = MissionFactory(status=Mission.Status.SCHEDULING)
    member = CompanyMemberFactory()
    contact = OperatorContactFactory()
    ApplicationFactory(mission=mission, company=member.company, status="approved")
    RegistrationFactory(mission=mission, operator=contact.operator, status="confirmed")
    slot = MeetingSessionFactory(mission=mission).slots.order_by("starts_at").first()
    client.force_login(member)
    client.post(
        reverse("matchmaking:book", args=[mission.slug, contact.operator_id]), {"slot": slot.pk}
    )
    meeting = Meeting.objects.get()
    entry = _entries(Meeting, meeting.pk).get()
    assert (entry.action, entry.actor) == (LogEntry.Action.CREATE, member)
    assert entry.changes_dict["slot"] == [None, slot.pk]


def test_changes_without_a_request_have_no_author():
    application = ApplicationFactory()
    Application.objects.get(pk=application.pk).save()  # nothing changed: nothing recorded
    entry = _entries(Application, application.pk).get()
    assert (entry.action, entry.actor) == (LogEntry.Action.CREATE, None)


def test_every_followed_model_is_registered():
    from auditlog.registry import auditlog
    from django.apps import apps

    assert {m._meta.label for m in auditlog.get_models()} >= set(TRAILED)
    assert all(apps.get_model(label) for label in TRAILED)


def test_the_trail_filters_by_kind_and_search(client, staff):
    ApplicationFactory(company__legal_name="Zellige Soft")
    MissionFactory(title="Mission Dakar")
    client.force_login(staff)
    url = reverse("audit:trail")
    kinds = {r.kind for r in client.get(url, {"kind": "missions.mission"}).context["rows"]}
    assert kinds == {"Mission"}
    found = client.get(url, {"q": "Zellige"}).context["rows"]
    assert [r.kind for r in found] == ["Candidature"]
    # An unknown kind shows everything rather than failing; a NUL is a bad request.
    assert client.get(url, {"kind": "nothing"}).status_code == 200
    assert client.get(url, {"kind": "nothing", "q": "\x00"}).status_code == 400


def test_the_trail_reads_a_constant_number_of_queries(client, staff, queries):
    client.force_login(staff)
    url = reverse("audit:trail")
    ApplicationFactory(decided_by=staff, status="approved")
    client.get(url)  # warms the content types
    one = queries(lambda: client.get(url))
    for _ in range(20):
        ApplicationFactory(decided_by=staff, status="approved")
    assert LogEntry.objects.count() > 40
    assert queries(lambda: client.get(url)) == one


def test_the_trail_is_for_staff_only(client, member):
    client.force_login(member)
    assert client.get(reverse("audit:trail")).status_code == 403
