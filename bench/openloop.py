"""An open-loop load generator: requests leave at a fixed rate whatever the answers' speed, as
real users arrive, so that the latencies include any queueing in the server (a closed loop of
users that wait for each answer would slow down with the server and hide it).

    python -m bench.openloop URL --rate 50 --seconds 60 [--cookie sessionid=...]...
"""

import argparse
import http.client
import json
import random
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode, urlparse


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


SLOT_RE = re.compile(r'name="slot" value="(\d+)"')
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _request(url: str, method: str = "GET", cookie: str = "", body: str = ""):
    parts = urlparse(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, parts.path, body=body or None, headers=headers)
    response = connection.getresponse()
    text = response.read().decode("utf-8", "replace")
    connection.close()
    return response, text


def run(
    urls: list[str], *, rate: float, seconds: float, cookies: list[str], book: bool = False
) -> dict:
    """GET the URLs at ``rate``; with ``book``, each request is a booking: the page is read
    first (untimed), then its form is posted with a free slot, and the POST is timed. A 409
    (someone was faster; the page says so) is an answer, not an error."""
    latencies, errors, lock = [], [], threading.Lock()

    def one(url: str, cookie: str):
        try:
            body = ""
            if book:
                page, text = _request(url, cookie=cookie)
                slots, token = SLOT_RE.findall(text), CSRF_RE.search(text)
                csrf = page.getheader("Set-Cookie", "").split("csrftoken=")[-1].split(";")[0]
                if not slots or not token:
                    return
                cookie = f"{cookie}; csrftoken={csrf}"
                body = urlencode(
                    {"slot": random.choice(slots), "csrfmiddlewaretoken": token.group(1)}
                )
                url = f"{url}book/"
            started = time.perf_counter()
            response, _text = _request(url, "POST" if book else "GET", cookie, body)
            elapsed = (time.perf_counter() - started) * 1000
            ok = response.status < 400 or (book and response.status == 409)
        except OSError as exc:
            ok, elapsed, response = False, 0.0, exc
        with lock:
            (latencies if ok else errors).append(
                elapsed if ok else str(getattr(response, "status", response))
            )

    total = int(rate * seconds)
    with ThreadPoolExecutor(max_workers=256) as pool:
        start = time.perf_counter()
        for i in range(total):
            due = start + i / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            pool.submit(one, random.choice(urls), random.choice(cookies) if cookies else "")
    wall = time.perf_counter() - start
    return {
        "sent": total,
        "rate": total / wall,
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "errors": len(errors),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--cookie", action="append", default=[])
    parser.add_argument("--book", action="store_true")
    args = parser.parse_args()
    print(
        json.dumps(
            run(
                args.urls, rate=args.rate, seconds=args.seconds, cookies=args.cookie, book=args.book
            )
        )
    )
