import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_cache(client):
    response = client.get(reverse("healthz"))
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


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
    assert "Mes rendez-vous" in client.get("/").content.decode()
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
