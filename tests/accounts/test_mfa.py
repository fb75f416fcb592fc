"""Two-factor authentication (allauth.mfa): required for staff before the dashboard and the
admin, asked for at every login once set up, open to company members and operator contacts."""

import base64
import re

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.translation import gettext

from accounts.selectors import user_has_second_factor
from accounts.services import AccountError, user_totp_add
from tests.factories import STAFF_TOTP_SECRET, StaffFactory
from tests.totp import totp_code

pytestmark = pytest.mark.django_db

SET_IT_UP = (
    "Staff accounts need two-factor authentication: set up an authenticator app or a security "
    "key to continue."
)


def _login(client, user, password):
    """A real login, then the password again: allauth asks for it before a factor changes."""
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302


def test_totp_code_matches_rfc_6238():
    # RFC 6238 appendix B, SHA-1, secret "12345678901234567890", 8 digits.
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp_code(secret, at=59, digits=8) == "94287082"
    assert totp_code(secret, at=1111111109, digits=8) == "07081804"


@pytest.mark.parametrize("path", ["/staff/", "/staff/missions/new/", "/admin/", "/admin/auth/"])
def test_staff_without_second_factor_is_sent_to_set_it_up(client, path):
    staff = StaffFactory(second_factor=False)
    client.force_login(staff)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_index")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [gettext(SET_IT_UP)]
    # The two-factor page itself opens.
    page = client.get(reverse("mfa_index"))
    assert page.status_code == 200
    assert reverse("mfa_activate_totp") in page.content.decode()


def test_staff_with_second_factor_reach_the_dashboard_and_admin(client, staff):
    client.force_login(staff)
    assert client.get("/staff/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_staff_set_up_totp_then_reach_the_dashboard(client, password):
    staff = StaffFactory(second_factor=False)
    _login(client, staff, password)
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert user_has_second_factor(user=staff)
    assert client.get("/staff/").status_code == 200


def test_staff_login_asks_for_the_code_before_the_dashboard(client, staff, password):
    response = client.post(reverse("account_login"), {"login": staff.email, "password": password})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # The password alone opens nothing: the dashboard still asks for a login.
    dashboard = client.get("/staff/")
    assert dashboard.status_code == 302
    assert dashboard["Location"].startswith(reverse("account_login"))
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(STAFF_TOTP_SECRET)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)
    assert client.get("/staff/").status_code == 200


def test_staff_login_by_code_also_asks_for_the_second_factor(
    client, staff, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_request_login_code"), {"email": staff.email})
    code = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", mailoutbox[0].body, re.MULTILINE).group(1)
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("who", ["member", "operator_contact"])
def test_members_and_contacts_may_turn_on_totp(client, request, who, password):
    user = request.getfixturevalue(who)
    _login(client, user, password)
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).count() == 1
    # Not required of them: their pages opened before and still do.
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_members_are_not_required_a_second_factor(client, member):
    client.force_login(member)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    # The account pages lead to the two-factor settings, in French.
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert f'href="{reverse("mfa_index")}">Authentification à deux facteurs</a>' in profile


def test_user_totp_add_refuses_a_second_app(staff):
    with pytest.raises(AccountError):
        user_totp_add(user=staff, secret=STAFF_TOTP_SECRET)
