import pytest

from .sink import SmtpSink


@pytest.fixture
def smtp(settings):
    """A real SMTP server; the project's mailer points at it for the test."""
    sink = SmtpSink().start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": sink.port, "timeout": 5},
        }
    }
    yield sink
    sink.stop()
