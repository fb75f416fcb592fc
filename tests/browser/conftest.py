"""The whole product, served for a real browser: a dedicated PostgreSQL database, a gunicorn
server, a Celery worker on a Redis database and queue of its own, an SMTP sink the tests read,
and Debian's Chromium driven by Playwright.

The server and the worker are separate processes: they cannot see a test transaction, so they get
their own database (``maroc_browser_<pid>``), migrated here and dropped at the end. The tests
never touch that database through the ORM; they act and assert through the browser and the mail.

The server runs with ``DEBUG=1`` for one reason: it then serves the uploaded files (the firm's
logo) and the static files without a ``collectstatic``. Everything else a browser meets is the
production configuration: the Content-Security-Policy, the middleware, allauth, Redis sessions
and cache, e-mail through the Celery worker.
"""

import email
import email.policy
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
PASSWORD = "Browser-journey-2026!"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _missing() -> str:
    """Why the browser suite cannot run here, or an empty string."""
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return "browser tests need PostgreSQL: set DATABASE_URL=postgres://..."
    if not os.environ.get("REDIS_URL"):
        return "browser tests need Redis: set REDIS_URL"
    if not (os.access(CHROMIUM, os.X_OK) or shutil.which("chromium")):
        return "browser tests need Debian's chromium (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests need playwright (pip install -r requirements-dev.txt)"
    return ""


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if item.get_closest_marker("browser")]
    reason = _missing() if browser_items else ""
    if reason:
        for item in browser_items:
            item.add_marker(pytest.mark.skip(reason=reason))


# --- Small helpers ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(predicate, *, timeout: float, what: str, log: Path | None = None, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} not ready after {timeout:.0f}s\n{tail}")


# --- The SMTP sink ------------------------------------------------------------------------------


@dataclass
class Mail:
    to: list[str]
    subject: str
    text: str
    html: str
    message: email.message.EmailMessage

    def links(self) -> list[str]:
        return re.findall(r"https?://[^\s<>\"')]+", self.text)


@dataclass
class Mailbox:
    """Messages received by the local SMTP server, in arrival order."""

    messages: list[Mail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, raw: bytes, rcpt: list[str]) -> None:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        text = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
        mail = Mail(
            to=[r.lower() for r in rcpt],
            subject=str(msg["subject"]),
            text=text.get_content() if text else "",
            html=html.get_content() if html else "",
            message=msg,
        )
        with self.lock:
            self.messages.append(mail)

    def mark(self) -> int:
        """A point in the stream of messages, for ``wait_for(since=...)``."""
        with self.lock:
            return len(self.messages)

    def wait_for(
        self, *, to: str, subject: str = "", text: str = "", since: int = 0, timeout: float = 30
    ) -> Mail:
        """The newest message to ``to`` (received after the ``since`` mark) whose subject
        contains ``subject`` and whose text matches the regular expression ``text`` (polled:
        the message may leave from the web process or from the Celery worker)."""
        found: list[Mail] = []

        def arrived():
            with self.lock:
                found[:] = [
                    m
                    for m in self.messages[since:]
                    if to.lower() in m.to
                    and subject.lower() in m.subject.lower()
                    and re.search(text, m.text, flags=re.MULTILINE)
                ]
            return bool(found)

        try:
            _wait(arrived, timeout=timeout, what="e-mail", interval=0.25)
        except RuntimeError:
            with self.lock:
                seen = [(m.to, m.subject) for m in self.messages]
            raise AssertionError(
                f"no e-mail to {to} with {subject!r} in its subject and text matching {text!r} "
                f"after {timeout}s; "
                f"received: {seen}"
            ) from None
        return found[-1]


class _Handler:
    def __init__(self, mailbox: Mailbox):
        self.mailbox = mailbox

    async def handle_DATA(self, server, session, envelope):
        self.mailbox.add(envelope.original_content or envelope.content, envelope.rcpt_tos)
        return "250 OK"


# --- The stack ----------------------------------------------------------------------------------


@dataclass
class Stack:
    base_url: str
    mailbox: Mailbox
    env: dict
    logs: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    def manage(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout


def _database_urls() -> tuple[str, str, str]:
    """(maintenance URL, URL of the browser database, its name)."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    name = f"maroc_browser_{os.getpid()}"
    return (
        urlunsplit(parts._replace(path="/postgres")),
        urlunsplit(parts._replace(path=f"/{name}")),
        name,
    )


def _admin_sql(url: str, sql: str) -> None:
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def _redis_url() -> str:
    """A Redis database away from the other tests': not the one in REDIS_URL, nor 13, which the
    outbox worker tests empty. (The Celery queue has a name of its own too: see settings.py.)"""
    parts = urlsplit(os.environ["REDIS_URL"])
    choices = [n for n in (8, 9, 10, 11, 14, 15) if f"/{n}" != parts.path]
    return urlunsplit(parts._replace(path=f"/{choices[os.getpid() % len(choices)]}"))


SETUP_SCRIPT = """
import os

from allauth.account.models import EmailAddress
from accounts.models import User
from accounts.services import user_make_staff

for email, name, language in [
    ("staff-fr@browser.test", "Salma Staff", "fr"),
    ("staff-en@browser.test", "Sam Staff", "en"),
    ("staff-ar@browser.test", "Samira Staff", "ar"),
]:
    user = User.objects.create_user(
        email=email, password=os.environ["BROWSER_PASSWORD"], full_name=name, language=language
    )
    user_make_staff(user=user)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
"""


def _start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    handle = log.open("w")
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own server)
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="package")
def stack():
    reason = _missing()
    if reason:
        pytest.skip(reason)
    from aiosmtpd.controller import Controller

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    logs = ARTIFACTS / "logs"
    logs.mkdir(exist_ok=True)
    media = Path(tempfile.mkdtemp(prefix="maroc-browser-media-"))
    maintenance_url, database_url, database = _database_urls()
    _admin_sql(maintenance_url, f'DROP DATABASE IF EXISTS "{database}"')
    _admin_sql(maintenance_url, f'CREATE DATABASE "{database}"')

    mailbox = Mailbox()
    smtp_port = _free_port()
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(_Handler(mailbox), hostname="127.0.0.1", port=smtp_port)
    controller.start()

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.browser.settings",
        "BROWSER_CELERY_QUEUE": f"browser-{os.getpid()}",
        "DEBUG": "1",
        "SECRET_KEY": "browser-tests-only-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": database_url,
        "REDIS_URL": _redis_url(),
        "CACHE_KEY_PREFIX": f"browser-{os.getpid()}",
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "EMAIL_TIMEOUT": "10",
        "SITE_URL": base_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "False",
        "SECURE_COOKIES": "False",
        "MEDIA_ROOT": str(media),
        "CONN_MAX_AGE": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "BROWSER_PASSWORD": PASSWORD,
    }
    stack = Stack(base_url=base_url, mailbox=mailbox, env=env, logs=logs)
    processes = []
    try:
        stack.manage("migrate", "--noinput")
        stack.manage("shell", "-c", SETUP_SCRIPT)
        bin_dir = Path(sys.executable).parent
        server_log, worker_log = logs / "server.log", logs / "worker.log"
        processes.append(
            _start(
                [
                    str(bin_dir / "gunicorn"),
                    "--config=config/gunicorn.conf.py",
                    "config.wsgi:application",
                    f"--bind=127.0.0.1:{port}",
                    "--workers=2",
                    "--threads=4",
                    "--timeout=60",
                    "--access-logfile=-",
                ],
                env,
                server_log,
            )
        )
        processes.append(
            _start(
                [
                    str(bin_dir / "celery"),
                    "-A",
                    "config",
                    "worker",
                    "--pool=threads",
                    "--concurrency=2",
                    "-n",
                    f"browser-{os.getpid()}@localhost",
                    "--without-gossip",
                    "--without-mingle",
                    f"--queues=browser-{os.getpid()}",
                    "--loglevel=INFO",
                ],
                env,
                worker_log,
            )
        )
        _wait(
            lambda: _healthy(base_url + "/healthz"),
            timeout=60,
            what="gunicorn",
            log=server_log,
        )
        _wait(
            lambda: " ready." in worker_log.read_text(errors="replace"),
            timeout=60,
            what="celery worker",
            log=worker_log,
        )
        yield stack
    finally:
        for process in processes:
            _stop(process)
        controller.stop()
        with suppress(Exception):
            _admin_sql(maintenance_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(media, ignore_errors=True)


# --- The browser --------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser(stack):
    from playwright.sync_api import sync_playwright

    executable = CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=["--no-sandbox"]
        )
        yield browser
        browser.close()


def new_context(browser, stack, *, language: str, phone: bool = False, timezone: str = "UTC"):
    """A fresh browser profile speaking ``language``; ``phone`` for a 390x844 touch screen."""
    context = browser.new_context(
        base_url=stack.base_url,
        locale={"fr": "fr-FR", "en": "en-US", "ar": "ar-MA"}[language],
        timezone_id=timezone,
        viewport=PHONE if phone else DESKTOP,
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=2 if phone else 1,
    )
    context.set_default_timeout(15_000)
    return context


def assert_fits_the_viewport(page) -> None:
    """Nothing sticks out sideways, to the right or (right to left) to the left: the page needs
    no horizontal scrolling."""
    width, inner, left = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth,"
        " Math.min(0, ...[...document.querySelectorAll('body *')].map("
        "e => e.getBoundingClientRect()).filter(r => r.width > 0).map(r => Math.floor(r.left)))]"
    )
    assert width <= inner, f"{page.url} is {width}px wide on a {inner}px screen"
    assert left >= 0, f"{page.url} has content {-left}px beyond its left edge"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:120]


@contextmanager
def screenshot_on_failure(page, name: str):
    """Run a step; if it fails, save a screenshot of the page and name the file in the error."""
    try:
        yield
    except Exception as exc:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{_slug(name)}.png"
        from playwright.sync_api import Error as PlaywrightError

        try:
            page.screenshot(path=str(path), full_page=True)
            where = f"screenshot: {path}"
        except PlaywrightError as shot_error:  # a dead page must not hide the real failure
            where = f"no screenshot ({shot_error})"
        url = ""
        with suppress(Exception):
            url = page.url
        raise AssertionError(f"step {name!r} failed at {url}; {where}\n{exc}") from exc


def login(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("form:has(input[name=password]) [type=submit]").first.click()
