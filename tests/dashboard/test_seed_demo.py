"""``seed_demo`` on an empty database: a demo that tells the story, built through the services.

Loading the demo takes tens of seconds, so each test loads it once and checks all it can."""

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from companies.models import Company, Operator
from dashboard.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from feedback.models import MeetingFeedback
from feedback.report import mission_report
from matchmaking.models import Meeting, MeetingRequest, MeetingSession
from missions.models import Application, Mission, OperatorRegistration, ProgrammeItem
from outbox.models import Email
from proposals.models import ScheduleProposal
from proposals.services import proposal_compute, proposal_start
from tests.totp import totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _counts() -> dict:
    models = (Mission, ProgrammeItem, MeetingSession, Company, Operator, User, Application,
              OperatorRegistration, MeetingRequest, Meeting, MeetingFeedback, Email)  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


def _staff_client(client):
    response = client.post(
        reverse("account_login"), {"login": "staff@marocexport.local", "password": DEMO_PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(DEMO_TOTP_SECRET)})
    assert response.status_code == 302
    return client


def test_seed_demo_tells_the_story_and_stays_idempotent(client, django_user_model, media, capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert f"secret {DEMO_TOTP_SECRET} " in out

    # The logins open the organisations they are named after.
    for email, page, name, not_shown in (
        ("owner@atlas-digital.ma", "/portal/", "Atlas Digital", "Oudaya Secure"),
        ("cio@banque-horizon.bf", "/operator/", "Banque Horizon", "Agence Comoé"),
    ):
        client.logout()
        assert client.login(email=email, password=DEMO_PASSWORD)
        body = client.get(page).content.decode()
        assert name in body and not_shown not in body, email
    user = User.objects.get(email="owner@atlas-digital.ma")
    assert user.company.display_name == "Atlas Digital" and user.company_role == "owner"
    assert User.objects.get(email="cio@banque-horizon.bf").operator.name == "Banque Horizon"
    client.logout()

    missions = {m.slug: m for m in Mission.objects.all()}
    assert {s: m.status for s, m in missions.items()} == {
        "ouagadougou-2027": "scheduling",
        "abidjan-2027": "scheduling",
        "dakar-nouakchott": "closed",
        "san-francisco-2027": "open",
    }

    # Mission content in three languages, real prose in each.
    for mission in missions.values():
        for field in ("title", "city", "description"):
            texts = [getattr(mission, f"{field}_{lang}") for lang in ("fr", "en", "ar")]
            assert all(texts) and len(set(texts[::2])) == 2, (mission.slug, field)
        assert not ProgrammeItem.objects.filter(mission=mission, title_ar="").exists()
        assert not mission.meeting_sessions.filter(place_ar__in=["", None]).exists()
    sf = missions["san-francisco-2027"]
    with translation.override("fr"):
        assert Mission.objects.get(pk=sf.pk).title == "Mission TIC marocaine à San Francisco"
    with translation.override("en"):
        assert Mission.objects.get(pk=sf.pk).title == "Moroccan ICT mission to San Francisco"

    # B2B days on working days, and the programme's B2B items at the hours of the slots.
    for session in MeetingSession.objects.select_related("mission").prefetch_related("slots"):
        assert session.day.weekday() < 5, (session.mission.slug, session.day)
        slots = sorted(session.slots.all(), key=lambda s: s.starts_at)
        item = ProgrammeItem.objects.get(
            mission=session.mission, kind="b2b", starts_at=slots[0].starts_at
        )
        assert slots[-1].ends_at <= item.ends_at
        assert item.ends_at.astimezone(session.mission.tzinfo).time() == session.end_time
    for item in ProgrammeItem.objects.select_related("mission"):
        assert item.starts_at.astimezone(item.mission.tzinfo).weekday() < 5

    # Complete profiles: logo and brochure stored like uploads, offer, references, web site;
    # every operator with a contact and needs.
    for company in Company.objects.all():
        assert company.offer and company.references and company.website
        assert default_storage.exists(company.logo.name) and company.logo.width == 400
        assert company.brochure.open("rb").read(5) == b"%PDF-"
        assert company.members.filter(company_role="owner").exists()
    assert not Operator.objects.filter(needs="").exists()
    assert not Operator.objects.annotate(n=Count("contacts")).filter(n=0).exists()

    # Abidjan: requests from both sides, with priorities and mutual wishes.
    abidjan = missions["abidjan-2027"]
    requests = MeetingRequest.objects.filter(mission=abidjan)
    assert requests.filter(side="company").count() >= 100
    assert requests.filter(side="operator").count() >= 50
    assert set(requests.values_list("priority", flat=True)) == {1, 2, 3}
    firm_wishes = set(requests.filter(side="company").values_list("company", "operator"))
    operator_wishes = set(requests.filter(side="operator").values_list("company", "operator"))
    assert len(firm_wishes & operator_wishes) >= 10

    # The closed mission: meetings held and missed, feedback at each stage, a report with
    # real figures, on the staff's page too.
    dakar = missions["dakar-nouakchott"]
    report = mission_report(mission=dakar)
    assert report.totals.held >= 50 and report.totals.no_show >= 3
    assert all(report.totals.answers[s] > 0 for s in ("after", "3_months", "6_months"))
    assert report.totals.deals > 0 and report.totals.deal_value > 0
    assert 0 < report.totals.confirmed < report.totals.planned
    page = _staff_client(client).get(reverse("dashboard:report", args=[dakar.slug]))
    assert page.status_code == 200
    body = page.content.decode()
    assert f'id="figure-held">{report.totals.held} ' in body

    # Twice: nothing more.
    before = _counts()
    call_command("seed_demo")
    assert _counts() == before
    assert "nothing changed" in capsys.readouterr().out


def test_seed_demo_gives_abidjan_a_schedule_of_100_meetings(media):
    call_command("seed_demo")
    mission = Mission.objects.get(slug="abidjan-2027")
    staff = User.objects.get(email="staff@marocexport.local")
    # As "Compute the best schedule" does, with a short time limit.
    proposal = proposal_start(mission=mission, by=staff, time_limit=20)
    proposal_compute(proposal_id=proposal.pk)
    proposal = ScheduleProposal.objects.get(pk=proposal.pk)
    assert proposal.status == "ready", proposal.error
    added = [r for r in proposal.result["meetings"] if r["change"] == "added"]
    assert len(added) >= 100
