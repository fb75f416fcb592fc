"""Load benchmark of the busiest pages (issues 4 and 8): the public mission page, the directory,
the booking page and the booking itself, the agenda, the staff cockpit and the login page.

Seeds a mission of 60 firms, 600 operators and 4,000 meetings on PostgreSQL, serves it with
gunicorn, and drives each page with locust, next to a minimal "hello" view (the ceiling of this
machine): requests per second at saturation (the median of BENCH_REPEATS turns, each page in
turns with hello, since this machine's speed drifts; skipped without locust or with
BENCH_SATURATION=0: no longer a target), then latency percentiles at an offered load of
BENCH_RATE requests per second (100; the booking BENCH_BOOKING_RATE, 20) for two minutes
(BENCH_RATE_SECONDS), after a warm-up of 40 requests by one reader (the workers' start-up, not
measured; every other reader's first visit is). It also counts the SQL queries of
the booking page and the agenda for a mission of 10 meetings and one of 4,000. Run it with
`make bench-load` (BENCH_PAGES=booking for the four pages of issue 4 only, or the pages'
short names separated by commas: BENCH_PAGES=directory,agenda); it prints its figures.
"""

import csv
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg2
import redis

from bench import openloop

ROOT = Path(__file__).resolve().parent.parent
DB = os.environ.get("BENCH_DB", "maroc_bench")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PORT = int(os.environ.get("BENCH_PORT", "8020"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
SATURATION_USERS = int(os.environ.get("BENCH_USERS", "24"))
SATURATION_SECONDS = int(os.environ.get("BENCH_SATURATION_SECONDS", "20"))
RATE_SECONDS = int(os.environ.get("BENCH_RATE_SECONDS", "120"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
RATE = int(os.environ.get("BENCH_RATE", "100"))
BOOKING_RATE = int(os.environ.get("BENCH_BOOKING_RATE", "20"))
SATURATION = (
    os.environ.get("BENCH_SATURATION", "1") != "0"
    and importlib.util.find_spec("locust") is not None
)
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DATABASE_URL": f"{PG}/{DB}",
    "PYTHONPATH": str(ROOT),
}
ENV["EMAIL_URL"] = "dummymail://"  # confirmations are built but not printed or sent
# The cache (sessions, page data) is shared by the gunicorn workers, as in production.
ENV["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
SCENARIOS = [
    ("hello", "HelloUser", "hello"),
    ("mission page", "MissionPageUser", "mission page"),
    ("directory", "DirectoryUser", "directory"),
    ("booking page (GET)", "BookingPageUser", "booking page"),
    ("agenda", "AgendaUser", "agenda"),
    ("cockpit (staff)", "CockpitUser", "cockpit"),
    ("login page", "LoginUser", "login"),
    ("booking (POST)", "BookingPostUser", "booking post"),
]
if os.environ.get("BENCH_PAGES") == "booking":
    SCENARIOS = [s for s in SCENARIOS if s[1] in ("HelloUser", "BookingPageUser", "AgendaUser",
                                                   "BookingPostUser")]  # fmt: skip
elif os.environ.get("BENCH_PAGES"):
    SCENARIOS = [s for s in SCENARIOS if s[2] in os.environ["BENCH_PAGES"].split(",")]


def _base():
    return f"http://127.0.0.1:{PORT}"


# user class -> (urls, cookies) for the open-loop phase, from the seed
OPEN_LOOP = {
    "HelloUser": lambda seed: ([f"{_base()}/bench/hello"], []),
    "BookingPageUser": lambda seed: (
        [f"{_base()}/m/{seed['slug']}/with/{firm}/" for firm in seed["firms"]],
        [f"sessionid={s}" for s in seed["operator_sessions"]],
    ),
    "AgendaUser": lambda seed: (
        [f"{_base()}/m/{seed['slug']}/agenda/"],
        [f"sessionid={s}" for s in seed["firm_sessions"]],
    ),
    "MissionPageUser": lambda seed: ([f"{_base()}/missions/{seed['slug']}/"], []),
    "DirectoryUser": lambda seed: (
        [f"{_base()}/m/{seed['slug']}/directory/"],
        [f"sessionid={s}" for s in seed["operator_sessions"]],
    ),
    "CockpitUser": lambda seed: (
        [f"{_base()}/staff/missions/{seed['slug']}/cockpit/"],
        [f"sessionid={s}" for s in seed["staff_sessions"]],
    ),
    "LoginUser": lambda seed: ([f"{_base()}/accounts/login/"], []),
    "BookingPostUser": lambda seed: (
        [f"{_base()}/m/{seed['slug']}/with/{firm}/" for firm in seed["firms"]],
        [f"sessionid={s}" for s in seed["operator_sessions"]],
    ),
}


def run(*args, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=ENV, check=True, **kwargs)


def fresh_database():
    redis.Redis.from_url(ENV["REDIS_URL"]).flushdb()
    connection = psycopg2.connect(f"{PG}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DB}"')
        cursor.execute(f'CREATE DATABASE "{DB}"')
    connection.close()


def query_counts(small: dict, big: dict) -> list[tuple[str, int, int]]:
    code = r"""
import json, sys
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.core.cache import cache
result = []
for seed in json.loads(sys.argv[1]):
    counts = {}
    for name, cookie_pool, path in (
        ("booking page (GET)", "operator_sessions", "/m/{slug}/with/{firm}/"),
        ("agenda", "firm_sessions", "/m/{slug}/agenda/"),
    ):
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies["sessionid"] = seed[cookie_pool][0]
        url = path.format(slug=seed["slug"], firm=seed["firms"][-1])
        cache.clear()  # cold: nothing cached, the worst case
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as warm:
            client.get(url)
        counts[name] = [len(captured.captured_queries), len(warm.captured_queries)]
    result.append(counts)
print(json.dumps(result))
"""
    out = run(
        sys.executable, "-c", code, json.dumps([small, big]), capture_output=True, text=True
    ).stdout
    small_counts, big_counts = json.loads(out.strip().splitlines()[-1])
    return [(name, small_counts[name], big_counts[name]) for name in small_counts]


def locust(user_class: str, seed_file: str, *, users: int, seconds: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        prefix = f"{tmp}/stats"
        env = {**ENV, "BENCH_SEED": seed_file}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "-u",
                str(users),
                "-r",
                str(users),
                "-t",
                f"{seconds}s",
                "--host",
                f"http://127.0.0.1:{PORT}",
                "--csv",
                prefix,
                "--only-summary",
                "--loglevel",
                "WARNING",
                user_class,
            ],
            cwd=ROOT,
            env=env,
            check=False,
            capture_output=True,
        )
        with open(f"{prefix}_stats.csv") as handle:
            return {row["Name"]: row for row in csv.DictReader(handle)}


def saturation_of(user_class: str, name: str, seed_file: str) -> tuple[float, int]:
    """Requests per second at saturation, and failed requests."""
    row = locust(user_class, seed_file, users=SATURATION_USERS, seconds=SATURATION_SECONDS)
    if name not in row:  # nothing left to book
        return 0.0, 0
    return float(row[name]["Requests/s"]), int(row[name]["Failure Count"])


def wait_until_up():
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/bench/hello", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def main():
    print(f"Machine: {os.cpu_count()} cores; gunicorn {WORKERS} sync workers; PostgreSQL {PG}/{DB}")
    fresh_database()
    run(sys.executable, "manage.py", "migrate", "--noinput", "-v", "0")
    run(sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0")
    with tempfile.TemporaryDirectory() as tmp:
        big_file, small_file = f"{tmp}/big.json", f"{tmp}/small.json"
        run(sys.executable, "-m", "bench.seed", "--slug", "bench-4000", "--out", big_file)
        run(
            sys.executable,
            "-m",
            "bench.seed",
            "--slug",
            "bench-10",
            "--firms",
            "5",
            "--operators",
            "20",
            "--meetings",
            "10",
            "--out",
            small_file,
        )
        big, small = json.load(open(big_file)), json.load(open(small_file))
        counts = query_counts(small, big)
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",  # the product's own settings (preloaded application)
                "config/gunicorn.conf.py",
                "config.wsgi:application",
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{PORT}",
                "--log-level",
                "warning",
                "--access-logfile",  # written, as in production, but not to this terminal
                "/dev/null",
            ],
            cwd=ROOT,
            env=ENV,
        )
        try:
            wait_until_up()
            rows = []
            for label, user_class, name in SCENARIOS:
                # This machine's speed drifts by a quarter within an hour: each page is measured
                # in turns with hello, and the medians of the turns are compared.
                hellos, pages, failures = [], [], 0
                # Bookings fill the mission: the booking is measured in one turn only.
                turns = 1 if user_class == "BookingPostUser" else REPEATS
                for _ in range(turns if SATURATION else 0):
                    hellos.append(saturation_of("HelloUser", "hello", big_file)[0])
                    if user_class != "HelloUser":
                        rps, failed = saturation_of(user_class, name, big_file)
                        pages.append(rps)
                        failures += failed
                ceiling = statistics.median(hellos) if hellos else None
                saturation = statistics.median(pages) if pages else ceiling
                urls, cookies = OPEN_LOOP[user_class](big)
                # Warm-up, not measured: each worker's first requests import and compile what
                # the page needs. One reader only, so every other reader's first visit (its own
                # cached parts to build) is in the measured run.
                openloop.run(urls, rate=20, seconds=2, cookies=cookies[:1])
                steady = openloop.run(
                    urls,
                    rate=BOOKING_RATE if user_class == "BookingPostUser" else RATE,
                    seconds=RATE_SECONDS,
                    cookies=cookies,
                    book=user_class == "BookingPostUser",
                )
                rows.append((label, saturation, failures, steady, ceiling))
        finally:
            server.terminate()
            server.wait(timeout=30)

    print()
    print(
        f"Saturation: locust (closed loop), median of {REPEATS} turns, each page in turns with "
        "hello (its ceiling); not measured without locust. Latency: open loop at "
        f"{RATE} requests/s offered, the booking at {BOOKING_RATE} (bench/openloop.py)."
    )
    print(
        "| page | saturation req/s | hello, same turns | share of hello | offered req/s "
        "| served req/s | p50 ms | p95 ms | p99 ms | errors |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, saturation, failures, steady, ceiling in rows:
        errors = failures + steady["errors"]
        offered = BOOKING_RATE if label.startswith("booking (POST)") else RATE
        measured = (
            f"{saturation:.0f} | {ceiling:.0f} | {saturation / ceiling:.0%}"
            if ceiling
            else "— | — | —"
        )
        print(
            f"| {label} | {measured} | {offered} | {steady['rate']:.1f} | {steady['p50']:.0f} | "
            f"{steady['p95']:.0f} | {steady['p99']:.0f} | {errors} |"
        )
    print()
    print(
        "| page | queries, 10 meetings (cold / cached) | queries, 4,000 meetings (cold / cached) |"
    )
    print("|---|---|---|")
    for name, few, many in counts:
        print(f"| {name} | {few[0]} / {few[1]} | {many[0]} / {many[1]} |")


if __name__ == "__main__":
    main()
