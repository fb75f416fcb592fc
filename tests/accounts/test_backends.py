"""Each request's user is read with a query built once (``UserManager.for_session``): the same
row as the ORM's, never a stale copy."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_session_user_is_the_row_the_orm_reads(member):
    User.objects.filter(pk=member.pk).update(last_login=timezone.now())  # a date: converted
    with CaptureQueriesContext(connection) as captured:
        user = User.objects.for_session(str(member.pk))
    assert len(captured.captured_queries) == 1
    expected = User.objects.get(pk=member.pk)
    for field in User._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(expected, field.attname), field.name
    assert timezone.is_aware(user.last_login)
    assert user.company == member.company and not user._state.adding
    assert User.objects.for_session("not a number") is None
    assert User.objects.for_session(str(member.pk + 1000)) is None


def test_a_change_to_the_user_row_shows_on_the_next_request(client, member):
    """Even a bulk update, which sends no signal (the members of a deleted firm are detached
    so), is seen at once: nothing of the user is kept between requests."""
    client.force_login(member)
    home = reverse("accounts:home")
    assert member.company.trade_name in client.get(home).content.decode()
    User.objects.filter(pk=member.pk).update(full_name="Renamed Member")
    assert "Renamed" in client.get(reverse("missions:list")).content.decode()
    User.objects.filter(pk=member.pk).update(is_active=False)
    response = client.get(home)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_a_password_change_elsewhere_ends_the_session(client, member):
    client.force_login(member)
    assert client.session[SESSION_KEY] == str(member.pk)
    member.set_password("a-new-password-2026")
    User.objects.filter(pk=member.pk).update(password=member.password)
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302 and SESSION_KEY not in client.session
