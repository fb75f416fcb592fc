import pytest
from celery import Celery
from django.conf import settings

from outbox import tasks

from .sink import SmtpSink


def broker_app(monkeypatch, db_index: int):
    """A Celery app on a Redis database of its own, emptied; the web side (the test process)
    queues the outbox's tasks on it (the test settings run them eagerly otherwise). Empty it
    again with ``flush``."""
    url = settings.REDIS_URL.rsplit("/", 1)[0] + f"/{db_index}"
    app = Celery(f"outbox-tests-{db_index}", broker=url, set_as_current=False)
    app.conf.update(task_serializer="json", accept_content=["json"])
    flush(app)
    monkeypatch.setattr(
        tasks.email_deliver_task, "delay", lambda key: app.send_task("outbox.deliver", args=[key])
    )
    monkeypatch.setattr(
        tasks.email_deliver_many_task,
        "delay",
        lambda keys: app.send_task("outbox.deliver_many", args=[keys]),
    )
    return app


def flush(app) -> None:
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()


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
