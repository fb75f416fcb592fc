"""The smaller things a newcomer met (issue 15): the e-mails page in staff's words, e-mail links
on the served port, a proposal page that tells its state, an empty proposal not offered, an
empty agenda that links to the directory, plurals, French colons, optional delegate rows, a used
attendance link, and the admin in French and in the mission's time."""

import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from matchmaking import services
from matchmaking.attendance import attendance_token
from outbox.models import Email
from proposals import services as proposals
from tests.factories import (
    MeetingFactory,
    MeetingSessionFactory,
    MissionFactory,
    StaffFactory,
    participants,
)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _book(session, owner, contact, index=0):
    return services.meeting_book(
        mission=session.mission,
        company=owner.company,
        operator=contact.operator,
        slot=session.slots.order_by("starts_at")[index],
        by=owner,
    )


def test_the_emails_page_names_kinds_and_states_in_french(client, staff):
    session = MeetingSessionFactory()
    owner, contact = participants(session.mission)
    meeting = _book(session, owner, contact)
    Email.objects.filter(template="meeting_booked").update(
        status="sent", sent_at=meeting.created_at
    )
    client.force_login(staff)
    page = client.get(reverse("dashboard:mission_emails", args=[session.mission.slug]))
    text = page.content.decode()
    assert re.search(r"Envoyé</div><div[^>]*data-status=\"sent\">2<", text)
    assert "Envoyée le" not in text and "worker" not in text
    assert "Rendez-vous réservé" in text and "meeting_booked" not in text
    assert 'class="table table-sm align-middle table-stack"' in text  # one card a row on phones
    assert 'data-label="Destinataire"' in text


@pytest.mark.skipif(not shutil.which("make"), reason="needs make")
def test_make_run_derives_the_links_of_emails_from_its_port():
    def dry_run(*args):
        out = subprocess.run(
            ["make", "-n", "run", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        return next(line for line in out.splitlines() if "runserver" in line)

    assert "SITE_URL=http://localhost:8123 " in dry_run("PORT=8123")
    assert "runserver 127.0.0.1:8123" in dry_run("PORT=8123")
    assert "SITE_URL=https://b2b.example " in dry_run("SITE_URL=https://b2b.example")


def test_a_ready_proposal_page_says_so_and_an_empty_one_is_not_offered(
    client, django_capture_on_commit_callbacks
):
    session = MeetingSessionFactory()
    mission = session.mission
    owner, contact = participants(mission)
    staff_en = StaffFactory(language="en")
    client.force_login(staff_en)
    url = reverse("dashboard:schedule", args=[mission.slug])
    # Nothing requested: the optimiser finds nothing to add. Without a worker (make run), the
    # proposal is computed before its page opens: the page says it is ready, nothing else.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"time_limit": 5})
    text = client.get(response["Location"]).content.decode()
    assert "Ready for review" in text
    assert "computing" not in text.lower() and "is working" not in text
    assert 'id="nothing-to-publish"' in text and ">Publish<" not in text
    proposal = mission.schedule_proposals.get()
    with pytest.raises(proposals.ProposalError, match="nothing to publish"):
        proposals.proposal_publish(proposal=proposal, by=staff_en)
    # With a request, the proposal adds a meeting and is offered for publishing.
    services.request_create(
        participant=services.Participant(
            mission=mission,
            side="company",
            company=owner.company,
            application=owner.company.applications.get(),
        ),
        counterpart=contact.operator,
        priority=3,
        message="",
        by=owner,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"time_limit": 5})
    text = client.get(response["Location"]).content.decode()
    assert ">Publish<" in text and 'id="nothing-to-publish"' not in text


def test_an_empty_agenda_links_to_the_directory(client):
    mission = MeetingSessionFactory().mission
    owner, _contact = participants(mission)
    client.force_login(owner)
    page = client.get(reverse("matchmaking:agenda", args=[mission.slug])).content.decode()
    directory = reverse("matchmaking:directory", args=[mission.slug])
    assert re.search(rf'<a href="{directory}">Parcourez l’annuaire', page)


def test_french_labels_take_a_space_before_their_colon():
    meeting = MeetingFactory()
    context = {"meeting": meeting, "mission": meeting.mission}
    with translation.override("fr"):
        french = render_to_string("emails/_meeting_facts.txt", context)
    with translation.override("en"):
        english = render_to_string("emails/_meeting_facts.txt", context)
    assert "Quand\u00a0:" in french and "Quand:" not in french
    assert "When:" in english and "When\u00a0:" not in english


def test_no_message_writes_its_plural_with_brackets():
    catalogue = polib.pofile(str(ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    brackets = [e.msgid for e in catalogue if "(s)" in e.msgid or "(s)" in e.msgstr]
    brackets += [
        e.msgid for e in catalogue for s in e.msgstr_plural.values() if "(s)" in s
    ]  # the plural forms too
    assert brackets == []


def test_optional_delegate_rows_are_not_marked_required(client, member):
    mission = MissionFactory()
    client.force_login(member)
    url = reverse("portal:apply", args=[mission.slug])
    formset = client.get(url).context["formset"]
    required = [[f.field.required for f in form] for form in formset.forms]
    # Name and role on the first row; the languages are optional on every row.
    assert required == [[True, True, False, False], [False] * 4, [False] * 4]
    # A second delegate half named is asked for the rest.
    data = {
        "objectives": ["clients"],
        "motivation": "Rencontrer des banques.",
        "delegates-TOTAL_FORMS": "3",
        "delegates-INITIAL_FORMS": "0",
        "delegates-MIN_NUM_FORMS": "1",
        "delegates-MAX_NUM_FORMS": "6",
        "delegates-0-full_name": "Yasmine Alaoui",
        "delegates-0-role": "Directrice",
        "delegates-1-full_name": "Karim Bennani",
        "delegates-1-role": "",
        "delegates-2-full_name": "",
        "delegates-2-role": "",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert response.context["formset"].forms[1].errors == {"role": ["Ce champ est obligatoire."]}
    data["delegates-1-role"] = "Directeur technique"
    response = client.post(url, data)
    assert response.status_code == 302
    names = list(member.company.applications.get().delegates.values_list("full_name", flat=True))
    assert sorted(names) == ["Karim Bennani", "Yasmine Alaoui"]


def test_a_used_attendance_link_shows_the_answer_not_its_button(client):
    session = MeetingSessionFactory()
    owner, contact = participants(session.mission)
    meeting = _book(session, owner, contact)
    url = reverse("matchmaking:attend", args=[attendance_token(meeting, contact.email)])
    assert "I confirm" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode() or (
        "Je confirme" in client.get(url).content.decode()
    )
    client.post(url)
    page = client.get(url).content.decode()
    assert 'id="already-confirmed"' in page and "a déjà confirmé sa présence" in page
    assert "<form" not in page.split('id="main"')[-1].split("</main>")[0]


def test_the_admin_speaks_french_and_shows_meetings_in_the_missions_time(client):
    session = MeetingSessionFactory(mission__timezone="Asia/Tokyo")
    owner, contact = participants(session.mission)
    meeting = _book(session, owner, contact)
    client.force_login(StaffFactory(is_superuser=True))
    text = client.get(reverse("admin:matchmaking_meeting_changelist")).content.decode()
    headings = re.findall(r'<div class="text"><a role="button"[^>]*>(.*?)</a></div>', text)
    assert headings == [
        "Mission", "Entreprise marocaine", "Opérateur", "Horaire (heure locale de la mission)",
        "Table", "Statut", "Origine", "Verrouillé",
    ]  # fmt: skip
    assert "09:00–09:30 (Asia/Tokyo (JST))" in text
    assert meeting.slot.starts_at.hour == 0  # 09:00 in Tokyo is midnight UTC
    assert settings.TIME_ZONE != "Asia/Tokyo"
