"""The admin, as one namespace: staff only (it checks staff itself), behind allauth's login;
every change list opens for a superuser over the world's rows."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils.html import escape

from accounts.models import User

pytestmark = pytest.mark.django_db

ADMIN_PAGES = ["/admin/", "/admin/missions/mission/", "/admin/accounts/user/"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_answers_staff_only(world, path):
    for role in ("anonymous", "firm", "other_firm", "operator", "other_operator"):
        client = world.client(role)
        response = client.get(path)
        assert response.status_code == 302, (path, role)
        # Non-staff are sent to the admin login, which allauth guards (403 for the signed in).
        follow = client.get(response["Location"])
        assert follow.status_code == (302 if role == "anonymous" else 403), (path, role)
    assert world.client("staff").get(path).status_code == 200


def test_every_admin_changelist_opens_for_staff(world):
    User.objects.filter(pk=world.users["staff"].pk).update(is_superuser=True)
    client = world.client("staff")
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
        name = escape(str(model._meta.verbose_name)).lower()  # as the page writes it
        assert name in response.content.decode().lower(), url
