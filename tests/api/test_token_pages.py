"""Staff make, see and revoke API tokens in the dashboard; the secret is shown once."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext

from api.models import ApiToken

pytestmark = pytest.mark.django_db

URL = "/staff/api-tokens/"


def _form(**extra):
    day = timezone.localdate() + timedelta(days=30)
    return {"name": "CRM de l'agence", "scopes": ["missions:read"], "expires_on": day, **extra}


def test_staff_create_a_token_shown_once(client, staff):
    client.force_login(staff)
    response = client.post(URL, _form(scopes=["missions:read", "contacts:read"]))
    page = response.content.decode()
    token = ApiToken.objects.get()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    raw = page.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert raw.startswith(f"mxp_{token.prefix}_")
    assert token.scopes == ["missions:read", "contacts:read"] and token.created_by == staff
    assert raw not in client.get(URL).content.decode()  # never again
    assert (
        client.get("/api/v1/firms", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"scopes": ["contacts:read"]},
            "Contact data is read with the participants: choose “Read missions” too.",
        ),
        ({"scopes": []}, "This field is required."),
        ({"expires_on": timezone.localdate()}, "The expiry must be in the future."),
        (
            {"expires_on": timezone.localdate() + timedelta(days=800)},
            "A token lasts at most two years.",
        ),
    ],
)
def test_a_bad_token_form_is_refused_with_a_reason(client, staff, data, message):
    client.force_login(staff)
    response = client.post(URL, _form(**data))
    assert response.status_code == 400 and not ApiToken.objects.exists()
    assert escape(gettext(message)) in response.content.decode()


def test_staff_revoke_a_token_and_it_stops_working(client, staff):
    client.force_login(staff)
    page = client.post(URL, _form()).content.decode()
    raw = page.split('readonly value="')[1].split('"')[0]
    token = ApiToken.objects.get()
    assert (
        client.get("/api/v1/missions", headers={"Authorization": f"Bearer {raw}"}).status_code
        == 200
    )
    response = client.post(f"{URL}{token.pk}/revoke/")
    assert response.status_code == 303
    token.refresh_from_db()
    assert token.revoked_at and token.revoked_by == staff
    refused = client.get("/api/v1/missions", headers={"Authorization": f"Bearer {raw}"})
    assert refused.status_code == 401
    detail = client.get(f"{URL}{token.pk}/").content.decode()
    assert "/api/v1/missions" in detail and "401" in detail  # the uses, refused one included
    again = client.post(f"{URL}{token.pk}/revoke/", follow=True)
    assert escape(gettext("This token is already revoked.")) in again.content.decode()


def test_only_staff_see_tokens(client, member):
    client.force_login(member)
    assert client.get(URL).status_code == 403
    assert client.post(URL, _form()).status_code == 403
    assert not ApiToken.objects.exists()


def test_the_token_list_takes_the_same_queries_for_one_token_and_many(
    client, staff, queries, make_token
):
    client.force_login(staff)
    make_token("missions:read")
    one = queries(lambda: client.get(URL))
    for _ in range(5):
        make_token("outcomes:read")
    assert queries(lambda: client.get(URL)) == one
