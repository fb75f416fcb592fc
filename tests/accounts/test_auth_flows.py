"""The allauth flows through the real views: sign-up and verification, login by code,
password reset, the admin behind the same login, in French and in English."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User
from outbox.models import Email

pytestmark = pytest.mark.django_db

LINK_RE = re.compile(r"https?://[^/\s]+(/accounts/[^\s]+)")


def _link(message) -> str:
    return LINK_RE.search(message.body).group(1)


def test_signup_sends_verification_and_link_logs_in(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "full_name": "Nadia El Amrani",
                "email": "Nadia@Atlas-Soft.ma",
                "password1": "une-phrase-secrete-longue",
                "password2": "une-phrase-secrete-longue",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get()
    assert (user.email, user.full_name, user.language) == (
        "nadia@atlas-soft.ma",
        "Nadia El Amrani",
        "fr",
    )
    assert not EmailAddress.objects.get(user=user).verified
    assert "_auth_user_id" not in client.session  # verification is mandatory

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["nadia@atlas-soft.ma"]
    assert message.subject.startswith("[Maroc Export]")
    assert "Confirmez" in message.subject or "confirm" in message.subject.lower()

    assert "Maroc Export B2B" in message.body and "testserver" not in message.body.split("http")[0]
    assert message.body.startswith("Bonjour,")
    # Through the outbox: sent, and the secret link no longer kept once it has left.
    row = Email.objects.get(to_email="nadia@atlas-soft.ma")
    assert (row.status, row.sensitive, row.text, row.html) == ("sent", True, "", "")
    assert message.extra_headers["Message-ID"] == row.message_id
    confirm_url = _link(message)
    page = client.get(confirm_url)
    assert "nadia@atlas-soft.ma" in page.content.decode()
    response = client.post(confirm_url)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert int(client.session["_auth_user_id"]) == user.pk


def test_signup_unverified_user_cannot_log_in(
    client, mailoutbox, password, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    UserFactory(email="late@example.org", verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_login"), {"login": "late@example.org", "password": password}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert mailoutbox[-1].to == ["late@example.org"]


def test_signup_errors_are_translated_and_keep_input(client):
    response = client.post(
        reverse("account_signup"),
        {
            "full_name": "Karim",
            "email": "karim@example.org",
            "password1": "abc",
            "password2": "abd",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "karim@example.org" in body and 'value="Karim"' in body
    assert "Ce mot de passe est trop court" in body
    assert not User.objects.exists()


def test_login_by_code_for_an_operator(
    client, mailoutbox, operator_contact, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_request_login_code"), {"email": "operator@example.org"}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_confirm_login_code")
    code = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", mailoutbox[0].body, re.MULTILINE).group(1)
    assert mailoutbox[0].to == ["operator@example.org"]

    wrong = client.post(reverse("account_confirm_login_code"), {"code": "ZZZZZZ"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == operator_contact.pk


def test_login_by_code_does_not_reveal_unknown_addresses(client, mailoutbox):
    response = client.post(reverse("account_request_login_code"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_confirm_login_code")


def test_password_reset_through_the_emailed_link(
    client, mailoutbox, member, password, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "MEMBER@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["member@example.org"]
    key_url = _link(mailoutbox[0])
    set_url = client.get(key_url)["Location"]  # allauth moves the key out of the URL
    response = client.post(
        set_url, {"password1": "nouveau-mot-de-passe-9", "password2": "nouveau-mot-de-passe-9"}
    )
    assert response.status_code == 302
    client.logout()
    assert client.login(email="member@example.org", password="nouveau-mot-de-passe-9")
    assert not client.login(email="member@example.org", password=password)


def test_password_reset_same_answer_for_unknown_address(client, mailoutbox, member):
    known = client.post(reverse("account_reset_password"), {"email": "member@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "ghost@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])


def test_login_failures_are_rate_limited(client, member):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "member@example.org", "password": "wrong"})
    response = client.post(
        reverse("account_login"), {"login": "member@example.org", "password": "wrong"}
    )
    assert "Trop de tentatives de connexion échouées" in response.content.decode()


def test_rate_limit_ignores_spoofed_forwarded_for(client, member):
    # With no trusted proxy declared, X-Forwarded-For is ignored: changing it does not reset the
    # per-address counter.
    for i in range(31):
        response = client.get(reverse("account_login"), HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
        response = client.post(
            reverse("account_login"),
            {"login": f"x{i}@example.org", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{i}",
        )
    assert response.status_code == 429


def test_admin_login_goes_through_allauth(client, member, staff, password):
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    client.force_login(member)
    assert client.get("/admin/login/").status_code == 403
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", ["Connexion", "Mot de passe oublié"]), ("en", ["Sign In", "Forgot your password?"])],
)
def test_login_page_in_both_languages(client, language, expected):
    client.cookies["django_language"] = language
    body = client.get(reverse("account_login")).content.decode()
    for text in expected:
        assert text in body
    assert f'<html lang="{language}"' in body
    assert "bootstrap.min.css" in body  # our look, not allauth's bare default
    assert "form-control" in body


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "Inscrivez votre entreprise"), ("en", "Register your company")],
)
def test_signup_page_in_both_languages(client, language, expected):
    client.cookies["django_language"] = language
    body = client.get(reverse("account_signup")).content.decode()
    assert expected in body
    assert 'name="full_name"' in body
