"""The project as a whole: production settings, migrations, the compose file, CI and README."""

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, env_overrides=None, settings="config.settings"):
    # The subprocess starts from the machine's environment, less what the test settings set.
    cleared = {"DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT", "SECURE_COOKIES", "EMAIL_URL"}
    env = {k: v for k, v in os.environ.items() if k not in cleared}
    env.update({"DJANGO_SETTINGS_MODULE": settings, **(env_overrides or {})})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_ENV = {
    "DEBUG": "False",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "b2b.marocexport.ma",
    "CSRF_TRUSTED_ORIGINS": "https://b2b.marocexport.ma",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
}


def test_check_deploy_has_no_warning_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_settings_refuse_to_start_without_secret_key():
    result = _manage("check", env_overrides={"DEBUG": "False"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_makemigrations_finds_nothing_to_make():
    result = _manage("makemigrations", "--check", "--dry-run", settings="config.settings_test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_docker_compose_names_the_six_services_with_health_checks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis", "mailpit"}
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no health check"
    assert "gunicorn" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A config worker")
    assert services["beat"]["command"].startswith("celery -A config beat")
    env = services["web"]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert env["EMAIL_URL"] == "smtp://mailpit:1025"
    assert services["worker"]["environment"] == env  # one configuration for every process
    assert services["web"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "8025:8025" in services["mailpit"]["ports"]  # the web inbox
    assert "http://127.0.0.1:8000/healthz/ready" in services["web"]["healthcheck"]["test"]


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    commands = re.findall(r"^make [a-z-]+$", readme, re.MULTILINE)
    assert commands[:2] == ["make run", "make test"], "the two commands open the README"
    assert re.search(r"^make test$", ci, re.MULTILINE)


def _audit_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("ci_audit", ROOT / ".ci" / "audit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ci_audits_the_lock_with_the_first_service_that_answers(monkeypatch, capsys):
    """`make audit` (in CI) runs pip-audit --strict on the lock through PyPI or else OSV,
    passing its exit status on (a vulnerability fails CI)."""
    assert re.search(r"^make audit$", (ROOT / ".ci" / "run").read_text(), re.MULTILINE)
    audit = _audit_module()
    calls = []
    monkeypatch.setattr(audit, "pypi", lambda name, version: (False, "pypi: HTTP 404"))
    monkeypatch.setattr(audit, "osv", lambda name, version: (True, "osv: HTTP 200"))
    monkeypatch.setattr(audit.subprocess, "call", lambda command: calls.append(command) or 1)
    assert audit.main() == 1  # pip-audit found a vulnerability: the command fails
    [command] = calls
    assert "--strict" in command and "--require-hashes" in command
    assert command[command.index("--vulnerability-service") + 1] == "osv"
    assert command[-1].endswith("requirements.txt")


def test_ci_audit_says_when_it_cannot_check(monkeypatch, capsys):
    audit = _audit_module()
    monkeypatch.setattr(audit, "pypi", lambda name, version: (False, "pypi: HTTP 404"))
    monkeypatch.setattr(audit, "osv", lambda name, version: (False, "osv: URLError"))
    monkeypatch.setattr(audit.subprocess, "call", lambda command: pytest.fail("no service"))
    monkeypatch.delenv("AUDIT_REQUIRED", raising=False)
    assert audit.main() == 0
    out = capsys.readouterr().out
    assert out.startswith("NOT AUDITED") and "pypi: HTTP 404" in out and "osv: URLError" in out
    monkeypatch.setenv("AUDIT_REQUIRED", "1")
    assert audit.main() == 1


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_translation_catalogue_is_complete(language):
    """Every string of the interface has its French and its Arabic translation, none fuzzy, every
    plural form filled, and the compiled catalogue holds the same translations as its source."""
    po = polib.pofile(ROOT / "locale" / language / "LC_MESSAGES" / "django.po")
    mo = polib.mofile(ROOT / "locale" / language / "LC_MESSAGES" / "django.mo")
    assert len(po) > 100
    assert not po.untranslated_entries(), [e.msgid for e in po.untranslated_entries()][:5]
    # Both catalogues hold the same strings: one is not refreshed without the other.
    other = polib.pofile(
        ROOT / "locale" / ("ar" if language == "fr" else "fr") / "LC_MESSAGES" / "django.po"
    )
    assert {e.msgid for e in po if not e.obsolete} == {e.msgid for e in other if not e.obsolete}
    forms = int(re.search(r"nplurals=(\d+)", po.metadata["Plural-Forms"]).group(1))
    assert forms == {"fr": 3, "ar": 6}[language]
    for entry in po:
        if entry.msgid_plural:
            assert len(entry.msgstr_plural) == forms and all(entry.msgstr_plural.values()), (
                entry.msgid
            )
    assert not po.fuzzy_entries(), [e.msgid for e in po.fuzzy_entries()][:5]
    if shutil.which("msgfmt"):
        check = subprocess.run(
            ["msgfmt", "--check", "-o", "/dev/null", str(po.fpath)], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stderr
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    stale = [
        e.msgid
        for e in po
        if not e.obsolete and compiled.get((e.msgctxt, e.msgid)) != (e.msgstr, e.msgstr_plural)
    ]
    assert not stale, f"django.mo is out of date (make messages): {stale[:5]}"


@pytest.mark.django_db
def test_content_security_policy_forbids_inline_script(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    body = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), "inline script in the page"
    assert " style=" not in body and "<style" not in body, "inline style in the page"
