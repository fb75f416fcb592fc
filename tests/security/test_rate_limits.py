"""Rate limits on the doors an attacker knocks at: sign-up (allauth's and the operators' one-page
sign-up on a mission), login-code requests, password resets and code guessing. allauth counts in
the cache (cleared before each test by tests/conftest.py). Login failures and the spoofed
X-Forwarded-For are in tests/accounts/test_auth_flows.py."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from outbox.models import Email
from tests.factories import MissionFactory
from tests.missions.test_operator_signup import _signup_data

pytestmark = pytest.mark.django_db

TOO_MANY = "Trop de tentatives de connexion échouées"


def test_signup_is_rate_limited_per_address(client):
    # ACCOUNT_RATE_LIMITS["signup"] is 20/m/ip: invalid posts count too.
    for i in range(20):
        response = client.post(reverse("account_signup"), {"email": f"x{i}@example.org"})
        assert response.status_code == 200
    response = client.post(reverse("account_signup"), {"email": "last@example.org"})
    assert response.status_code == 429
    assert not User.objects.exists()


def test_operator_signup_on_a_mission_is_rate_limited(client):
    """The one-page sign-up creates an account and e-mails a code: the same limit as allauth's
    sign-up, or anyone could mail codes to any address in a loop."""
    mission = MissionFactory()
    url = reverse("missions:meet", args=[mission.slug])
    for i in range(20):
        response = client.post(url, _signup_data(email=f"op{i}@lagune.ci", name=f"Lagune {i}"))
        assert response.status_code == 302, i
        client.logout()  # each sign-up starts a login: begin again as a visitor
    response = client.post(url, _signup_data(email="op20@lagune.ci", name="Lagune 20"))
    assert response.status_code == 429
    assert not User.objects.filter(email="op20@lagune.ci").exists()


def test_login_code_requests_are_limited_per_address(operator_contact):
    # 3/m per e-mail address, whatever the session: the fourth request is refused, sends nothing.
    url, data = reverse("account_request_login_code"), {"email": operator_contact.email}
    for _ in range(3):
        assert Client().post(url, data).status_code == 302
    sent = Email.objects.filter(to_email=operator_contact.email).count()
    response = Client().post(url, data)
    assert response.status_code == 200 and TOO_MANY in response.content.decode()
    assert Email.objects.filter(to_email=operator_contact.email).count() == sent == 3


def test_password_reset_requests_are_limited_per_address(client, member):
    for _ in range(5):
        client.post(reverse("account_reset_password"), {"email": member.email})
    assert Email.objects.filter(to_email=member.email).count() == 5
    response = client.post(reverse("account_reset_password"), {"email": member.email})
    assert response.status_code in (200, 429)
    assert Email.objects.filter(to_email=member.email).count() == 5


def test_login_code_stops_after_five_wrong_guesses(client, operator_contact, mailoutbox):
    client.post(reverse("account_request_login_code"), {"email": operator_contact.email})
    for _ in range(5):
        client.post(reverse("account_confirm_login_code"), {"code": "ZZZZZZ"})
    # The pending login is gone: back to the start, and nobody is signed in.
    response = client.get(reverse("account_confirm_login_code"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
