from datetime import timedelta

import pytest
from django.utils import timezone

from api.services import token_create


@pytest.fixture
def make_token(staff):
    """``make_token("missions:read", ...)``: the secret of a new token with those scopes."""

    def make(*scopes, days=30, name="CRM"):
        _token, raw = token_create(
            name=name,
            scopes=list(scopes),
            expires_at=timezone.now() + timedelta(days=days),
            by=staff,
        )
        return raw

    return make


@pytest.fixture
def api_get(client):
    def get(url, token=None, **params):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.get(url, params, headers=headers)

    return get


@pytest.fixture
def api_post(client):
    def post(url, data, token=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.post(url, data, content_type="application/json", headers=headers)

    return post
