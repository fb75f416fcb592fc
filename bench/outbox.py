"""Benchmark of the e-mail outbox (issue 6): 10,000 meeting confirmations (HTML, text and a
calendar invitation each) through Redis, two Celery worker processes, Celery beat and a local
SMTP sink, with one worker killed (SIGKILL) half-way. Prints messages per second, the time to
drain the queue, duplicates and losses (both must be 0).

    python -m bench.outbox            # needs PostgreSQL and Redis (see BENCH_* below)
"""

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg2
import redis
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
DB = os.environ.get("BENCH_OUTBOX_DB", "maroc_bench_outbox")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
BROKER = os.environ.get("BENCH_OUTBOX_REDIS_URL", "redis://127.0.0.1:6379/11")
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "10000"))
SMTP_PORT = int(os.environ.get("BENCH_SMTP_PORT", "8025"))
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DATABASE_URL": f"{PG}/{DB}",
    "REDIS_URL": BROKER,
    "EMAIL_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
    "CELERY_TASK_ALWAYS_EAGER": "False",
    "PYTHONPATH": str(ROOT),
}


class Sink:
    """Counts every message the SMTP server accepts, by Message-ID."""

    def __init__(self):
        self.ids: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        for line in envelope.content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                with self.lock:
                    self.ids[line.split(b":", 1)[1].strip().decode()] += 1
                break
        return "250 OK"

    def counts(self) -> tuple[int, int]:
        with self.lock:
            return sum(self.ids.values()), len(self.ids)


def _run(*args):
    subprocess.run(args, cwd=ROOT, env=ENV, check=True)


def prepare() -> None:
    redis.Redis.from_url(BROKER).flushdb()
    connection = psycopg2.connect(f"{PG}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{DB}"')
    connection.close()
    _run(sys.executable, "manage.py", "migrate", "--noinput", "-v", "0")
    _run(sys.executable, "-m", "bench.seed", "--firms", "20", "--operators", "100",
         "--meetings", "400", "--slug", "bench-outbox")  # fmt: skip


def rows_and_keys() -> list[str]:
    """10,000 confirmation messages, as the booking service writes them, for 400 meetings."""
    os.environ.update(ENV)
    import django

    django.setup()
    from matchmaking.models import Meeting
    from outbox.models import Email
    from outbox.serialization import encode

    meetings = list(Meeting.objects.select_related("mission")[:400])
    rows = []
    for i in range(MESSAGES):
        meeting = meetings[i % len(meetings)]
        rows.append(
            Email(
                key=f"meeting_booked:{meeting.pk}:0:reader{i}@example.org",
                mission=meeting.mission,
                to_email=f"reader{i}@example.org",
                language="fr" if i % 3 else "en",
                template="meeting_booked",
                context=encode({"meeting": meeting, "mission": meeting.mission}),
                attachments=[["meeting_invite", encode({"meeting": meeting, "method": "REQUEST"})]],
            )
        )
    Email.objects.bulk_create(rows, batch_size=2000)
    return [row.key for row in rows]


def start(*args, log) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", *args],
        cwd=ROOT,
        env=ENV,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def main() -> None:
    prepare()
    keys = rows_and_keys()
    from celery import Celery

    from outbox.models import Email

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    producer = Celery("bench", broker=BROKER, set_as_current=False)
    producer.conf.update(task_serializer="json")
    log = tempfile.NamedTemporaryFile(prefix="bench-outbox-", suffix=".log", delete=False)
    schedule = Path(tempfile.mkdtemp()) / "beat-schedule"
    started = time.monotonic()
    with producer.producer_or_acquire() as conn:
        for key in keys:
            producer.send_task("outbox.deliver", args=[key], producer=conn)
    queued = time.monotonic() - started
    workers = [
        start("worker", "--pool=solo", "-n", f"bench{n}@localhost", "--without-gossip",
              "--without-mingle", "--loglevel=WARNING", log=log)
        for n in (1, 2)
    ]  # fmt: skip
    beat = start("beat", "--loglevel=WARNING", "-s", str(schedule), log=log)
    killed_at = None
    try:
        deadline = time.monotonic() + 15 * 60
        while time.monotonic() < deadline:
            total, unique = sink.counts()
            if killed_at is None and unique >= MESSAGES // 2:
                os.kill(workers[0].pid, signal.SIGKILL)
                killed_at = time.monotonic() - started
                print(f"killed worker 1 after {unique} messages, at {killed_at:.1f} s", flush=True)
            if Email.objects.filter(status="sent").count() == MESSAGES and unique == MESSAGES:
                break
            time.sleep(0.5)
        drained = time.monotonic() - started
        time.sleep(3)  # room for a late duplicate
        total, unique = sink.counts()
        failed = Email.objects.filter(status="failed").count()
    finally:
        for process in (*workers, beat):
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=60)
        controller.stop()
    print(f"messages: {MESSAGES} (queued in {queued:.1f} s); workers: 2 (solo pool), one killed")
    print(f"drained in {drained:.1f} s: {unique / drained:.0f} messages per second")
    print(f"duplicates: {total - unique}; lost: {MESSAGES - unique}; failed rows: {failed}")
    print(f"worker log: {log.name}")


if __name__ == "__main__":
    main()
