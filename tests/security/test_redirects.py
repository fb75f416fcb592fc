"""No open redirect: a ``next`` (or a Referer) pointing at another site sends the user home or
to their space, never away, after a password login, a code login, a logout or a language
switch."""

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

EVIL = [
    "https://evil.example/",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "http://testserver@evil.example/",
    " //evil.example",
    "javascript:alert(1)",
]


def _stays_here(location: str) -> bool:
    return location.startswith("/") and not location.startswith(("//", "/\\"))


@pytest.mark.parametrize("target", EVIL)
def test_password_login_ignores_a_foreign_next(client, member, password, target):
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": password, "next": target}
    )
    assert response.status_code == 302
    assert _stays_here(response["Location"]), response["Location"]
    assert "_auth_user_id" in client.session


def test_password_login_follows_a_local_next(client, member, password):
    response = client.post(
        reverse("account_login"),
        {"login": member.email, "password": password, "next": "/portal/members/"},
    )
    assert response["Location"] == "/portal/members/"


@pytest.mark.parametrize("target", EVIL[:3])
def test_code_login_ignores_a_foreign_next(
    operator_contact, target, mailoutbox, django_capture_on_commit_callbacks
):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{reverse('account_request_login_code')}?next={target}",
            {"email": operator_contact.email, "next": target},
        )
    assert response.status_code == 302
    code = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", mailoutbox[-1].body, re.MULTILINE).group(1)
    response = client.post(
        f"{reverse('account_confirm_login_code')}?next={target}", {"code": code, "next": target}
    )
    assert response.status_code == 302
    assert _stays_here(response["Location"]), response["Location"]
    assert int(client.session["_auth_user_id"]) == operator_contact.pk


@pytest.mark.parametrize("target", EVIL)
def test_logout_ignores_a_foreign_next(client, member, target):
    client.force_login(member)
    response = client.post(reverse("account_logout"), {"next": target})
    assert response.status_code == 302
    assert _stays_here(response["Location"]), response["Location"]


@pytest.mark.parametrize("target", EVIL)
def test_language_switch_ignores_a_foreign_next_or_referer(client, member, target):
    response = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert _stays_here(response["Location"]), response["Location"]
    client.force_login(member)
    response = client.post(reverse("set_language"), {"language": "fr"}, HTTP_REFERER=target)
    assert _stays_here(response["Location"]), response["Location"]
