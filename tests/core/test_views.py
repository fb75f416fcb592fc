from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from outbox.models import Email

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["healthz_ready", "healthz"])
def test_readiness_reports_database_cache_broker_and_outbox(client, name):
    response = client.get(reverse(name))
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "outbox": "ok",
        "oldest_unsent_email_age": None,
    }
    assert "no-cache" in response["Cache-Control"]


def test_liveness_checks_nothing_but_the_process(client, settings):
    """A database or a mail server down makes the process not ready, never dead: an
    orchestrator must not restart it for that."""
    settings.HEALTH_CHECKS = {**settings.HEALTH_CHECKS, "broken": "tests.core.test_views.broken"}
    assert client.get(reverse("healthz_ready")).status_code == 503
    _email("old", "pending", 10**6)
    response = client.get(reverse("healthz_live"))
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readiness_fails_when_the_broker_is_unreachable(client, settings, monkeypatch):
    from config.celery import app

    settings.HEALTHZ_TIMEOUT = 1
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:9/0")  # nobody listens
    response = client.get(reverse("healthz_ready"))
    assert response.status_code == 503
    body = response.json()
    assert body["broker"].startswith("error: ") and body["database"] == body["cache"] == "ok"


def _email(key, status, age_seconds):
    email = Email.objects.create(
        key=key, to_email="ana@example.org", subject="Bonjour", text="…", status=status
    )
    Email.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - timedelta(seconds=age_seconds)
    )


@pytest.mark.parametrize("status", ["pending", "retrying"])
def test_healthz_reports_the_oldest_unsent_email_age(client, settings, status):
    settings.HEALTHZ_OUTBOX_MAX_AGE = 600
    _email("a", status, 300)
    _email("b", "pending", 20)
    # Sent, failed and obsolete messages wait for nothing.
    _email("c", "failed", 9000)
    Email.objects.filter(key="c").update(status="obsolete")
    _email("d", "failed", 9000)
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["outbox"]) == ("ok", "ok")
    assert 300 <= body["oldest_unsent_email_age"] < 310


def test_healthz_fails_over_the_threshold(client, settings):
    settings.HEALTHZ_OUTBOX_MAX_AGE = 600
    _email("a", "retrying", 700)
    response = client.get(reverse("healthz_ready"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["outbox"].startswith("error: an e-mail unsent for 70")
    assert body["database"] == body["cache"] == "ok"


def test_healthz_fails_when_a_check_raises(client, settings):
    settings.HEALTH_CHECKS = {**settings.HEALTH_CHECKS, "broken": "tests.core.test_views.broken"}
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broken"] == "error: ConnectionError"


def broken():
    raise ConnectionError("the service is down")


def test_language_switch_for_a_visitor_sets_the_cookie(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/missions/"})
    assert response.status_code == 302 and response["Location"] == "/missions/"
    assert response.cookies["django_language"].value == "en"
    assert "Missions" in client.get("/missions/").content.decode()
    assert 'lang="en"' in client.get("/").content.decode()


def test_language_switch_is_kept_on_the_account(client, member):
    client.force_login(member)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert User.objects.get(pk=member.pk).language == "en"
    # On another device (no cookie) the account's language wins.
    other = client.__class__()
    other.force_login(member)
    assert 'lang="en"' in other.get("/").content.decode()


def test_language_switch_rejects_unknown_language(client, member):
    client.force_login(member)
    response = client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert response.status_code == 302
    assert User.objects.get(pk=member.pk).language == "fr"


def test_language_switch_refuses_open_redirect(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_not_found_page_in_site_look(client):
    response = client.get("/missions/no-such-mission/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "Page introuvable" in body and "bootstrap.min.css" in body


def test_navigation_changes_with_role(client, member, operator_contact, staff):
    anonymous = client.get("/").content.decode()
    assert "Inscrivez votre entreprise" in anonymous and "Administration" not in anonymous
    client.force_login(member)
    assert "Mon entreprise" in client.get("/").content.decode()
    client.force_login(operator_contact)
    assert "Mes missions" in client.get("/").content.decode()
    client.force_login(staff)
    page = client.get("/").content.decode()
    assert "Administration" in page and "Inscrivez votre entreprise" not in page


def test_profile_edit_saves_and_reports_errors(client, member):
    client.force_login(member)
    response = client.post(
        reverse("accounts:profile"),
        {"full_name": "Leïla B.", "phone": "+212600000000", "language": "en"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.full_name, member.phone, member.language) == ("Leïla B.", "+212600000000", "en")
    response = client.post(
        reverse("accounts:profile"), {"full_name": "Leïla B.", "phone": "", "language": "de"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()  # English now: the user's choice
    member.refresh_from_db()
    assert member.language == "en"


def test_csrf_failure_page_in_site_look(member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(reverse("accounts:profile"), {"full_name": "X", "language": "fr"})
    body = response.content.decode()
    assert response.status_code == 403
    assert "Cette page a expiré" in body and "bootstrap.min.css" in body
