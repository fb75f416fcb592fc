"""Operations: errors reach the tracker without personal data, logs as JSON lines."""

import gzip
import json
import os
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from core.observability import MASK, scrub_event

ROOT = Path(__file__).resolve().parents[2]


class FakeSentry(ThreadingHTTPServer):
    """A local receiver of Sentry's envelope endpoint (``POST /api/<project>/envelope/``)."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.envelopes: list[tuple[str, bytes]] = []

    @property
    def dsn(self) -> str:
        return f"http://publickey@127.0.0.1:{self.server_address[1]}/42"

    def events(self) -> list[dict]:
        """The error events received (an envelope is JSON lines: header, item header, item)."""
        found = []
        for _path, body in self.envelopes:
            lines = body.split(b"\n")
            for header, payload in zip(lines[1::2], lines[2::2], strict=False):
                if json.loads(header).get("type") == "event":
                    found.append(json.loads(payload))
        return found


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        self.server.envelopes.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_sentry():
    server = FakeSentry()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _run(*args: str, **env) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",  # the static files are not collected here (the 500 page names them)
        "SENTRY_ENVIRONMENT": "ci",
        "SECRET_KEY": "observability-tests-only-0123456789",
        "DATABASE_URL": "sqlite://:memory:",
        "REDIS_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "True",
        **env,
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sentry_receives_view_and_task_errors_without_email(fake_sentry):
    result = _run("-m", "tests.core.sentry_app", SENTRY_DSN=fake_sentry.dsn, LOG_LEVEL="CRITICAL")
    assert result.returncode == 0, result.stderr[-3000:]
    assert {path for path, _body in fake_sentry.envelopes} == {"/api/42/envelope/"}
    events = fake_sentry.events()
    errors = {
        (value["type"], value["value"])
        for event in events
        for value in event["exception"]["values"]
    }
    assert ("ValueError", f"no firm for {MASK}") in errors
    assert ("RuntimeError", f"cannot deliver to {MASK}") in errors
    view = next(e for e in events if e["exception"]["values"][-1]["type"] == "ValueError")
    request = view["request"]
    assert request["url"] == "https://testserver/boom/"
    assert request["query_string"] == f"email={MASK}"
    assert request["headers"]["X-Contact"] == MASK
    assert "cookies" not in request and request["headers"]["Cookie"] == "[Filtered]"
    assert "user" not in view and "203.0.113.7" not in json.dumps(view)
    assert view["environment"] == "ci"
    task = next(e for e in events if e["exception"]["values"][-1]["type"] == "RuntimeError")
    assert task["exception"]["values"][-1]["mechanism"]["type"] == "celery"
    # No address anywhere, in any form, in anything that left.
    for _path, body in fake_sentry.envelopes:
        text = body.decode()
        assert "ana.benali" not in text and "atlas-digital" not in text, text[:2000]


def test_without_dsn_nothing_is_sent(fake_sentry):
    result = _run("-m", "tests.core.sentry_app", SENTRY_DSN="", LOG_LEVEL="CRITICAL")
    assert result.returncode == 0, result.stderr[-3000:]
    assert fake_sentry.envelopes == []


def test_scrub_event_masks_addresses_everywhere():
    event = {
        "user": {"email": "a@b.ma", "ip_address": "10.0.0.1"},
        "message": "Key (email)=(Ana.B+x@example.org) already exists.",
        "request": {"query_string": "email=ana%40example.org&x=1"},
        "breadcrumbs": {"values": [{"message": "sent to ana@example.org", "data": {"n": 1}}]},
    }
    assert scrub_event(event) == {
        "message": f"Key (email)=({MASK}) already exists.",
        "request": {"query_string": f"email={MASK}&x=1"},
        "breadcrumbs": {"values": [{"message": f"sent to {MASK}", "data": {"n": 1}}]},
    }


def test_log_format_json_writes_one_object_per_line():
    script = (
        "import django, logging; django.setup(); "
        "logging.getLogger('missions').warning('mission %s opened', 'dakar-2027'); "
        "logging.getLogger('outbox').error('smtp down', exc_info=ZeroDivisionError('x'))"
    )
    result = _run("-c", script, LOG_FORMAT="json")
    lines = [json.loads(line) for line in result.stderr.strip().splitlines()]
    assert [(r["level"], r["logger"], r["message"]) for r in lines] == [
        ("WARNING", "missions", "mission dakar-2027 opened"),
        ("ERROR", "outbox", "smtp down"),
    ]
    assert "ZeroDivisionError: x" in lines[1]["exc_info"]
    assert lines[0]["time"].endswith("+00:00")


def test_plain_logs_by_default():
    result = _run(
        "-c", "import django, logging; django.setup(); logging.getLogger('m').warning('hi')"
    )
    assert result.stderr.strip().endswith("WARNING m hi")
