"""Every state change needs the CSRF token: a POST without one answers 403 and changes nothing,
on every URL of the matrix, sent by a visitor and by the role the page is for (a session cookie
alone is not enough)."""

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.models import User

from .test_matrix import URLS, _url
from .world import ROLES, changes, snapshot


def _role_of(row) -> str:
    """A role that passes the page's access check: one whose POST may change something, else
    one the page answers."""
    answered = [r for r in ROLES if (row.post or row.get)[r] in (200, 302, 400, 409)]
    return next(r for r in [*row.changes, *answered, "staff"] if r != "anonymous")


def _refusals(name: str) -> tuple[int, ...]:
    """403, but for the API: it reads no cookie, only a bearer token that a browser never
    attaches by itself, so a forged cross-site POST has no key (401, or 405/404 where nothing
    takes a POST); CSRF is then not the guard, and the API is exempt from it."""
    return (401, 403, 404, 405) if name.startswith("api:") else (403,)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n in URLS if "[" not in n))
def test_post_without_csrf_token_is_refused(world, name):
    url = _url(world, name, URLS[name].kwargs)
    problems = []
    with transaction.atomic():
        for role in ("anonymous", _role_of(URLS[name])):
            client = world.client(role, enforce_csrf_checks=True)
            # Data a real form would send: the refusal must come before any of it is read.
            response = client.post(url, {"action": "accept", "reason": "x", "to": "open"})
            if response.status_code not in _refusals(name):
                problems.append(f"{role}: {response.status_code}")
        if changed := changes(world.baseline, snapshot()):
            problems.append(f"the tables changed: {changed}")
        transaction.set_rollback(True)
    assert not problems, f"{url}\n" + "\n".join(problems)


@pytest.mark.django_db
def test_post_with_the_token_of_the_page_goes_through(world):
    """The other half: the token the page hands out is accepted (the forms carry it)."""
    client = world.client("firm", enforce_csrf_checks=True)
    page = client.get(reverse("accounts:profile"))
    token = page.context["csrf_token"]
    assert f'name="csrfmiddlewaretoken" value="{token}"' in page.content.decode()
    response = client.post(
        reverse("accounts:profile"),
        {"csrfmiddlewaretoken": token, "full_name": "Amina A.", "language": "fr"},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=world.users["firm"].pk).full_name == "Amina A."
