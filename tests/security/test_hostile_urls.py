"""Hostile values in the URLs that carry a token or a slug (issue 19, finding 4), the rate limit
of error reports, and the server header."""

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import CompanyMemberFactory, StaffFactory

ROOT = Path(__file__).resolve().parents[2]

HOSTILE = {
    "nul": "abc\x00def",
    "overlong": "a" * 5000,
    "non-ascii": "café-ß-日本",
    "space": "a b",
    "percent-nul": "abc%00",
}


def _routes(resolver=None, prefix=""):
    """Every URL pattern of the site as (route, converters), nested includes resolved."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.pattern.converters


def _with_parameters():
    routes = [
        (route, converters)
        for route, converters in _routes()
        if any(type(c).__name__ in ("TokenConverter", "SlugConverter") for c in converters.values())
    ]
    assert len(routes) > 25  # every mission page, the links of e-mails, the calendar feed
    return routes


def _fill(route: str, converters: dict, hostile_name: str, hostile: str) -> str:
    path = route
    for name, converter in converters.items():
        kind = type(converter).__name__
        value = hostile if kind in ("TokenConverter", "SlugConverter") else "1"
        path = path.replace(f"<{converter_name(converter)}:{name}>", value)
    return "/" + path


def converter_name(converter) -> str:
    return {"TokenConverter": "token", "SlugConverter": "slug", "IntConverter": "int"}[
        type(converter).__name__
    ]


def test_no_token_in_a_url_is_a_free_string():
    """The project's URLs (the admin's are Django's, behind the staff login)."""
    loose = [
        route
        for route, converters in _routes()
        if not route.startswith("admin/")
        and any(type(c).__name__ == "StringConverter" for c in converters.values())
    ]
    assert loose == []


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "staff", "member"])
def test_hostile_tokens_and_slugs_are_404_never_500(client, who):
    if who == "staff":
        client.force_login(StaffFactory())
    elif who == "member":
        client.force_login(CompanyMemberFactory())
    client.raise_request_exception = False
    failures = []
    for route, converters in _with_parameters():
        for name, value in HOSTILE.items():
            path = _fill(route, converters, name, value)
            for method in (client.get, client.post):
                status = method(path).status_code
                if status >= 500 or status == 200:
                    failures.append(f"{method.__name__.upper()} {route} [{name}]: {status}")
    assert failures == []


@pytest.mark.django_db
def test_the_reported_urls_answer_404(client):
    client.force_login(CompanyMemberFactory())
    client.raise_request_exception = False
    assert client.get("/calendar/abc%00def.ics").status_code == 404
    assert client.get("/portal/invitations/abc%00/").status_code == 404
    assert client.get("/attend/abc%00/").status_code == 404
    assert client.get("/feedback/abc%00/").status_code == 404


# --- Error reports are rate limited -------------------------------------------------------------


def _report(kind: int) -> None:
    """A server error as Django logs it; ``kind`` picks the line that raises."""
    code = compile("\n" * kind + "raise RuntimeError('boom')", "views.py", "exec")
    try:
        exec(code)  # noqa: S102 - a fixed string: errors raised from distinct lines
    except RuntimeError:
        logging.getLogger("django.request").error("Internal Server Error: /x/", exc_info=True)


@pytest.fixture
def admins(settings):
    settings.ADMINS = ["ops@example.org"]
    cache.clear()
    yield
    cache.clear()


def test_the_same_error_is_mailed_once(admins):
    for _ in range(50):
        _report(1)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ops@example.org"]


def test_distinct_errors_are_mailed_up_to_the_hourly_cap(admins):
    for kind in range(60):
        _report(kind)
    assert len(mail.outbox) == 20


# --- Smaller findings ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_names_no_server(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    env.pop("REDIS_URL", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-c", "config/gunicorn.conf.py", "config.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        headers = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/no-such-page/") as r:
                    headers = r.headers
            except urllib.error.HTTPError as exc:
                headers = exc.headers
            except OSError:
                time.sleep(0.1)
                continue
            break
        assert headers is not None, "gunicorn did not answer"
        assert "Server" not in headers
        assert headers["Date"]
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.django_db
def test_a_nul_in_a_query_string_is_a_400_everywhere(client):
    """Searches and filters read as they come (the directory, the API's mission filter) never
    reach the database with a NUL."""
    client.force_login(StaffFactory())
    for path in ("/missions/?q=a%00b", "/staff/?q=%00", "/api/v1/missions?changed_since=%00"):
        assert client.get(path).status_code == 400, path
