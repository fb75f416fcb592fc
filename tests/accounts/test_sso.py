"""Single sign-on for staff through OpenID Connect, against a local fake identity provider
(discovery, token and userinfo endpoints on 127.0.0.1)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.factories import STAFF_TOTP_SECRET, StaffFactory
from tests.security.test_matrix import _csp_problems
from tests.totp import totp_code

pytestmark = pytest.mark.django_db


class FakeProvider(ThreadingHTTPServer):
    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.userinfo: dict = {}
        self.token_requests: list[dict] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    def _json(self, data):
        body = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        base = self.server.url
        if self.path == "/.well-known/openid-configuration":
            self._json(
                {
                    "issuer": base,
                    "authorization_endpoint": f"{base}/authorize",
                    "token_endpoint": f"{base}/token",
                    "userinfo_endpoint": f"{base}/userinfo",
                    "jwks_uri": f"{base}/jwks",
                }
            )
        elif self.path == "/userinfo":
            assert self.headers["Authorization"] == "Bearer access-123"
            self._json(self.server.userinfo)
        else:
            self.send_error(404)

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        form = parse_qs(self.rfile.read(length).decode())
        self.server.token_requests.append(form)
        self._json({"access_token": "access-123", "token_type": "Bearer", "expires_in": 300})

    def log_message(self, *args):
        pass


@pytest.fixture
def provider(settings):
    server = FakeProvider()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "agency",
                    "name": "Agence SSO",
                    "client_id": "maroc-export",
                    "secret": "s3cret",
                    "settings": {"server_url": server.url, "scope": ["openid", "email"]},
                }
            ],
        }
    }
    yield server
    server.shutdown()
    server.server_close()


def _sign_in(client, provider, **claims):
    """The browser's round trip: our login starts it, the provider sends back a code."""
    provider.userinfo = {"sub": "agency-42", "email_verified": True, **claims}
    start = client.post(reverse("openid_connect_login", kwargs={"provider_id": "agency"}))
    assert start.status_code == 302
    authorize = urlsplit(start["Location"])
    assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == f"{provider.url}/authorize"
    query = parse_qs(authorize.query)
    assert query["client_id"] == ["maroc-export"] and query["code_challenge_method"] == ["S256"]
    return client.get(
        reverse("openid_connect_callback", kwargs={"provider_id": "agency"}),
        {"code": "code-1", "state": query["state"][0]},
    )


def test_the_login_page_offers_single_sign_on_when_configured(client, provider):
    response = client.get(reverse("account_login"))
    body = response.content.decode()
    assert "Agence SSO" in body
    assert reverse("openid_connect_login", kwargs={"provider_id": "agency"}) in body
    assert _csp_problems(response) == []
    # The button leads to a page that starts the login with a POST (no login CSRF).
    start = client.get(reverse("openid_connect_login", kwargs={"provider_id": "agency"}))
    assert start.status_code == 200 and _csp_problems(start) == []
    assert 'method="post"' in start.content.decode()


def test_no_single_sign_on_by_default(client, django_assert_num_queries):
    with django_assert_num_queries(0):  # providers are read from the settings only
        body = client.get(reverse("account_login")).content.decode()
    assert "/accounts/oidc/" not in body


def test_staff_sign_in_then_give_their_second_factor(client, provider):
    staff = StaffFactory(email="salma@marocexport.ma")
    response = _sign_in(client, provider, email="Salma@MarocExport.ma")
    assert provider.token_requests[0]["code"] == ["code-1"]
    assert "code_verifier" in provider.token_requests[0]
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(STAFF_TOTP_SECRET)})
    assert client.session["_auth_user_id"] == str(staff.pk)
    assert client.get("/staff/").status_code == 200
    # The provider's account is now tied to the staff account.
    assert staff.socialaccount_set.get().uid == "agency-42"


@pytest.mark.parametrize("who", ["member", "operator_contact"])
def test_single_sign_on_refuses_everyone_but_staff(client, provider, request, who):
    user = request.getfixturevalue(who)
    response = _sign_in(client, provider, email=user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert "_auth_user_id" not in client.session
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("L’authentification unique est réservée au personnel")
    assert not user.socialaccount_set.exists()


def test_single_sign_on_creates_no_account(client, provider, django_user_model):
    before = django_user_model.objects.count()
    response = _sign_in(client, provider, email="nouveau@marocexport.ma")
    assert response["Location"] == reverse("account_login")
    assert django_user_model.objects.count() == before


def test_an_unverified_address_signs_nobody_in(client, provider):
    StaffFactory(email="salma@marocexport.ma")
    response = _sign_in(client, provider, email="salma@marocexport.ma", email_verified=False)
    assert response["Location"] == reverse("account_login")
    assert "_auth_user_id" not in client.session
