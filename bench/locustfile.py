"""Load scenarios of bench/load.py: the minimal view, the public mission page, the directory, the
booking page (GET), the booking itself (POST), a firm's agenda, the staff cockpit and the login
page. Sessions and ids come from the seed (BENCH_SEED file)."""

import json
import os
import random
import re
from http.cookiejar import Cookie
from urllib.parse import urlparse

from locust import FastHttpUser, constant, task

SEED = json.load(open(os.environ["BENCH_SEED"]))
SLUG = SEED["slug"]
SLOT_RE = re.compile(r'name="slot" value="(\d+)"')
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class _Base(FastHttpUser):
    abstract = True
    # Saturation: every user sends its next request as soon as the answer comes back.
    wait_time = constant(0)

    def login(self, pool):
        """Sign in with a session made by the seed (the login page is not what is measured)."""
        host = urlparse(self.host).hostname
        self.client.cookiejar.set_cookie(
            Cookie(
                0,
                "sessionid",
                random.choice(SEED[pool]),
                None,
                False,
                host,
                False,
                False,
                "/",
                True,
                False,
                None,
                False,
                None,
                None,
                {},
            )
        )


class HelloUser(_Base):
    @task
    def hello(self):
        self.client.get("/bench/hello", name="hello")


class BookingPageUser(_Base):
    def on_start(self):
        self.login("operator_sessions")

    @task
    def page(self):
        firm = random.choice(SEED["firms"])
        self.client.get(f"/m/{SLUG}/with/{firm}/", name="booking page")


class BookingPostUser(_Base):
    def on_start(self):
        self.login("operator_sessions")

    @task
    def book(self):
        firm = random.choice(SEED["firms"])
        url = f"/m/{SLUG}/with/{firm}/"
        page = self.client.get(url, name="booking page (before post)")
        slots, token = SLOT_RE.findall(page.text or ""), CSRF_RE.search(page.text or "")
        if not slots or not token:
            return  # already meeting this firm: nothing to book
        with self.client.post(
            f"{url}book/",
            data={"slot": random.choice(slots), "csrfmiddlewaretoken": token.group(1)},
            name="booking post",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            # 302: booked; 409: someone was faster, with a clear message. Both are answers.
            if response.status_code in (302, 409):
                response.success()


class AgendaUser(_Base):
    def on_start(self):
        self.login("firm_sessions")

    @task
    def agenda(self):
        self.client.get(f"/m/{SLUG}/agenda/", name="agenda")


class MissionPageUser(_Base):
    @task
    def page(self):
        self.client.get(f"/missions/{SLUG}/", name="mission page")


class DirectoryUser(_Base):
    def on_start(self):
        self.login("operator_sessions")

    @task
    def directory(self):
        self.client.get(f"/m/{SLUG}/directory/", name="directory")


class CockpitUser(_Base):
    def on_start(self):
        self.login("staff_sessions")

    @task
    def cockpit(self):
        self.client.get(f"/staff/missions/{SLUG}/cockpit/", name="cockpit")


class LoginUser(_Base):
    @task
    def login_page(self):
        self.client.get("/accounts/login/", name="login")
