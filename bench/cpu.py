"""CPU time and SQL queries per request of a page, measured in one process with Django's test
client (`time.process_time`), optionally under cProfile. Uses a mission seeded by `bench.seed`
and the sessions it printed (saved as JSON).

    DATABASE_URL=... REDIS_URL=... python -m bench.cpu seed.json booking hello
    python -m bench.cpu seed.json booking --profile tottime

Per page it prints the warm cost (the same reader again, N times) and the cost of N readers'
first visits (a cold cache for each reader's own entries).
"""

import cProfile
import json
import os
import pstats
import sys
import time

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("EMAIL_URL", "dummymail://")

import django
import redis

django.setup()

COMMANDS = [0]  # Redis commands sent (the cache and the sessions)
_execute = redis.Redis.execute_command


def _counted(self, *args, **options):
    COMMANDS[0] += 1
    return _execute(self, *args, **options)


redis.Redis.execute_command = _counted

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

N = int(os.environ.get("N", "30"))
PROFILED = os.environ.get("PROFILED", "warm")  # or "first visits"
ROUNDS = int(os.environ.get("ROUNDS", "5"))  # warm: the fastest and the median of these rounds
PAGES = {  # name -> (path, sessions of the seed)
    "hello": ("/bench/hello", None),
    "hello-signed-in": ("/bench/hello", "operator_sessions"),  # the middleware's floor
    "mission": ("/missions/{slug}/", None),
    "directory": ("/m/{slug}/directory/", "operator_sessions"),
    "booking": ("/m/{slug}/with/{firm}/", "operator_sessions"),
    "agenda": ("/m/{slug}/agenda/", "firm_sessions"),
}


def measure(seed: dict, name: str, profile: str = "") -> None:
    path, pool = PAGES[name]
    sessions = seed[pool][:N] if pool else [None] * N
    client = Client(HTTP_HOST="127.0.0.1")

    def get(i: int) -> None:
        if sessions[i]:
            client.cookies["sessionid"] = sessions[i]
        response = client.get(
            path.format(slug=seed["slug"], firm=seed["firms"][i % len(seed["firms"])])
        )
        assert response.status_code == 200, (name, response.status_code)

    rounds = []
    client.get("/bench/hello")  # imports the URLs and the views: not the page's cost
    cache.clear()
    for label in ["first visits"] + ["warm"] * ROUNDS:
        profiler = cProfile.Profile() if profile and label == PROFILED else None
        COMMANDS[0] = 0
        with CaptureQueriesContext(connection) as queries:
            if profiler:
                profiler.enable()
            start = time.process_time()
            for i in range(len(sessions)):
                get(i)
            cpu = (time.process_time() - start) / len(sessions) * 1000
            if profiler:
                profiler.disable()
        count = len(queries.captured_queries) / len(sessions)
        commands = COMMANDS[0] / len(sessions)
        if label == "warm":
            rounds.append(cpu)
        else:
            print(
                f"{name} | {label} | {cpu:.1f} ms CPU | {count:.1f} queries | {commands:.1f} Redis"
            )
        if profiler:
            pstats.Stats(profiler).sort_stats(profile).print_stats(40)
            profile = ""
    rounds.sort()
    print(
        f"{name} | warm | {rounds[0]:.1f} ms CPU (median {rounds[len(rounds) // 2]:.1f}) "
        f"| {count:.1f} queries | {commands:.1f} Redis",
        flush=True,
    )


if __name__ == "__main__":
    args = sys.argv[1:]
    profile = ""
    if "--profile" in args:
        at = args.index("--profile")
        profile = args[at + 1]
        del args[at : at + 2]
    with open(args[0]) as f:
        seed = json.load(f)
    for page in args[1:]:
        measure(seed, page, profile)
