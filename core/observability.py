"""Error tracking (Sentry, or a self-hosted GlitchTip, which speaks the same protocol) and JSON
log lines. Imported by the settings: nothing here may import a model.

No personal data leaves for the tracker: the SDK sends no user, cookie, header value, request
body or local variable (``send_default_pii`` off, ``include_local_variables`` off, request bodies
never), and ``scrub_event`` masks every e-mail address left in what it does send (an exception's
message, a log line kept as a breadcrumb, a URL's query string)."""

import logging
import re
from typing import Any

EMAIL_RE = re.compile(r"[\w.!#$%'*+/?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# URL-encoded addresses (``?email=ana%40example.org``).
ENCODED_EMAIL_RE = re.compile(r"[\w.!#$'*+/?^`{|}~-]+%40[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
MASK = "[e-mail]"


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return ENCODED_EMAIL_RE.sub(MASK, EMAIL_RE.sub(MASK, value))
    if isinstance(value, dict):
        return {_scrub(key): _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """``before_send`` and ``before_send_transaction``: every string of the event, masked."""
    event.pop("user", None)
    return _scrub(event)


def scrub_breadcrumb(crumb: dict, hint: dict | None = None) -> dict:
    return _scrub(crumb)


def sentry_init(
    *, dsn: str, environment: str, release: str, traces_sample_rate: float = 0.0
) -> None:
    """Errors of the web process and of the Celery workers (and beat) go to ``dsn``."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[
            DjangoIntegration(),
            CeleryIntegration(monitor_beat_tasks=False),
            # Warnings and up become breadcrumbs, errors logged become events.
            LoggingIntegration(level=logging.WARNING, event_level=logging.ERROR),
        ],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        traces_sample_rate=traces_sample_rate,
    )


def logging_config(*, log_format: str, level: str) -> dict:
    """Django's LOGGING: plain lines for people, or one JSON object per line (``json``) for a log
    collector (Loki, CloudWatch, Elasticsearch...), with the time, level, logger and message, and
    the exception's traceback as a field."""
    if log_format == "json":
        formatter = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(process)d %(threadName)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601, UTC
        }
    else:
        formatter = {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "filters": {
            "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
            "error_mail_rate": {"()": "core.logging.ErrorMailRate"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "main"},
            # Django's report of a server error, to ADMINS, rate limited (see core/logging.py).
            "error_reports": {
                "level": "ERROR",
                "filters": ["require_debug_false", "error_mail_rate"],
                "class": "django.utils.log.AdminEmailHandler",
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django": {"handlers": ["error_reports"], "level": "INFO"},
            "django.db.backends": {"level": "WARNING"},
        },
    }
