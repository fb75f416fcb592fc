"""Transport and browser policies: HTTPS, HSTS and cookie flags with production settings, and
no template of a page with inline script or style (the Content-Security-Policy forbids them;
the matrix checks the header and the HTML of every page it opens)."""

import json
import re
from pathlib import Path

import pytest
from django.test import Client

from tests.test_project import PRODUCTION_ENV, _manage

ROOT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("prod_probe.py")


def test_production_settings_send_hsts_and_secure_cookies(tmp_path):
    env = {**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    result = _manage("shell", "-c", PROBE.read_text(), env_overrides=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["http"] == [301, "https://b2b.marocexport.ma/missions/"]
    status, hsts = report["https"]
    assert status == 200
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    for name in ("csrf", "language", "session"):
        assert report[name]["secure"] is True, name
        assert report[name]["samesite"] == "Lax", name
    assert report["session"]["httponly"] is True  # no script reads the session cookie


# Pages only: e-mails (templates/emails) and the print-outs rendered to PDF (dashboard/print)
# are never served as HTML to a browser.
EXEMPT = ("templates/emails/", "templates/dashboard/print/")
INLINE = re.compile(
    r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>"  # inline script
    r"|<style\b|\sstyle\s*="  # inline style
    r"|\son[a-z]+\s*=\s*[\"']"  # event handler attributes (onclick=...)
    r"|javascript:",
    re.IGNORECASE,
)


def test_no_page_template_holds_inline_script_or_style():
    found = [
        f"{path.relative_to(ROOT)}: {match}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        if not str(path.relative_to(ROOT)).startswith(EXEMPT)
        for match in INLINE.findall(path.read_text())
    ]
    assert not found, "\n".join(found)


@pytest.mark.django_db
def test_server_error_page_keeps_the_policy(monkeypatch):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr("missions.views.missions_public", broken)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    assert "script-src 'self'" in response["Content-Security-Policy"]
    body = response.content.decode()
    assert not INLINE.search(body) and "boom" not in body
