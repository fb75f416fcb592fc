"""Run by test_headers.py in a process with production settings: prints, as JSON, what a browser
would get (redirect to HTTPS, HSTS, cookie flags). Only the static files storage differs from
production (no collectstatic here), and the session cookie is made by the session middleware on
a session that needs no database."""

import json

from django.conf import settings
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import override_settings

PLAIN = "django.contrib.staticfiles.storage.StaticFilesStorage"
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": PLAIN}}).enable()


def flags(cookie):
    return {key: cookie[key] for key in ("secure", "httponly", "samesite")} if cookie else None


client = Client(HTTP_HOST="b2b.marocexport.ma")
report = {}
response = client.get("/missions/")
report["http"] = [response.status_code, response.get("Location", "")]
response = client.get("/accounts/login/", secure=True)
report["https"] = [response.status_code, response.get("Strict-Transport-Security", "")]
report["csrf"] = flags(response.cookies.get(settings.CSRF_COOKIE_NAME))
response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, secure=True)
report["language"] = flags(response.cookies.get(settings.LANGUAGE_COOKIE_NAME))

request = RequestFactory().get("/", secure=True)
request.session = SessionStore()
request.session["_auth_user_id"] = "1"
response = SessionMiddleware(lambda r: HttpResponse()).process_response(request, HttpResponse())
report["session"] = flags(response.cookies.get(settings.SESSION_COOKIE_NAME))
print(json.dumps(report))
