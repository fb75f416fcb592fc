import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from companies.models import Company, Operator
from dashboard.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from matchmaking.models import Meeting
from missions.models import Application, Delegate, Mission, OperatorRegistration
from tests.totp import totp_code

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Mission.objects.count(),
        Company.objects.count(),
        Operator.objects.count(),
        User.objects.count(),
    )


def test_seed_demo_staff_has_the_printed_authenticator_secret(capsys, client):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert f"secret {DEMO_TOTP_SECRET} " in out
    staff = User.objects.get(email="staff@marocexport.local")
    response = client.post(
        reverse("account_login"), {"login": staff.email, "password": DEMO_PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(DEMO_TOTP_SECRET)})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_seed_demo_creates_the_seed_missions_and_logins(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    missions = {m.slug: m for m in Mission.objects.all()}
    assert set(missions) == {"ouagadougou-2027", "abidjan-2027", "san-francisco-2027"}
    ouaga = missions["ouagadougou-2027"]
    assert (ouaga.city, ouaga.country.code, ouaga.timezone) == (
        "Ouagadougou",
        "BF",
        "Africa/Ouagadougou",
    )
    assert (ouaga.start_date.isoformat(), ouaga.end_date.isoformat()) == (
        "2027-03-05",
        "2027-03-09",
    )
    sf = missions["san-francisco-2027"]
    assert (sf.timezone, sf.start_date.day, sf.end_date.day, sf.start_date.month) == (
        "America/Los_Angeles",
        13,
        17,
        11,
    )
    assert missions["abidjan-2027"].timezone == "Africa/Abidjan"
    assert ouaga.programme.count() == 5
    assert Company.objects.count() == 20 and Operator.objects.count() == 180
    firms = {
        slug: Application.objects.filter(mission__slug=slug).count()
        for slug in ("ouagadougou-2027", "abidjan-2027", "san-francisco-2027")
    }
    assert firms == {"ouagadougou-2027": 13, "abidjan-2027": 20, "san-francisco-2027": 10}
    operators = {
        slug: OperatorRegistration.objects.filter(mission__slug=slug).count()
        for slug in ("ouagadougou-2027", "abidjan-2027", "san-francisco-2027")
    }
    assert operators == {"ouagadougou-2027": 60, "abidjan-2027": 80, "san-francisco-2027": 40}
    assert Meeting.objects.filter(mission=ouaga).count() == 7
    assert ouaga.meeting_sessions.count() == 4 and ouaga.slots.count() == 28
    abidjan = missions["abidjan-2027"]
    assert abidjan.status == "scheduling"
    assert abidjan.applications.filter(status="approved").count() == 20 == abidjan.capacity
    assert not Delegate.objects.filter(application__delegates__isnull=True).exists()
    assert Delegate.objects.filter(application__mission=abidjan).count() > 20  # some send two
    staff = User.objects.get(email="staff@marocexport.local")
    assert staff.is_staff and staff.groups.filter(name="Agency staff").exists()
    assert User.objects.get(email="owner@atlas-digital.ma").role == User.Role.COMPANY
    assert User.objects.get(email="cio@banque-horizon.bf").role == User.Role.OPERATOR
    for email in ("staff@marocexport.local", "owner@atlas-digital.ma", "cio@banque-horizon.bf"):
        assert email in out


def test_seed_demo_twice_changes_nothing(client, capsys):
    call_command("seed_demo")
    before = _counts()
    call_command("seed_demo")
    assert _counts() == before
    assert "nothing changed" in capsys.readouterr().out
    assert client.login(email="staff@marocexport.local", password="demo-maroc-export")
