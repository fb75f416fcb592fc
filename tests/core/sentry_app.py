"""Run by ``test_observability.py`` in a process of its own, with SENTRY_DSN set, so that the
settings start the SDK as in production: a view and a Celery task fail, with an e-mail address
in the exception's message, in the query string, in a header, a cookie and the task's arguments.
"""

import contextlib
import io
import os

import django
from django.http import HttpResponse
from django.urls import path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

import sentry_sdk  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.test import override_settings  # noqa: E402

from config.celery import app  # noqa: E402

ADDRESS = "ana.benali@atlas-digital.ma"


def failing_view(request):
    email = request.GET["email"]
    raise ValueError(f"no firm for {email}")


def fine_view(request):
    return HttpResponse("ok")


urlpatterns = [path("boom/", failing_view), path("fine/", fine_view)]


@app.task(name="tests.sentry_boom")
def sentry_boom_task(*, email: str) -> None:
    raise RuntimeError(f"cannot deliver to {email}")


with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
    # Through the WSGI application, as gunicorn calls it (the SDK wraps it).
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/boom/",
        "QUERY_STRING": "email=" + ADDRESS.replace("@", "%40"),
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "443",
        "HTTP_HOST": "testserver",
        "HTTP_X_CONTACT": ADDRESS,
        "HTTP_COOKIE": f"contact={ADDRESS}",
        "REMOTE_ADDR": "203.0.113.7",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }
    statuses = []
    b"".join(get_wsgi_application()(environ, lambda status, headers: statuses.append(status)))
    assert statuses == ["500 Internal Server Error"], statuses
# Eager here (no broker), through Celery's own tracer, which the SDK wraps as in a worker; the
# exception then reaches the caller too.
with contextlib.suppress(RuntimeError):
    sentry_boom_task.delay(email=ADDRESS)
sentry_sdk.flush(timeout=10)
print("done")
