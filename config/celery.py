"""The Celery application: JSON only, late acknowledgement, one task prefetched at a time.

Without REDIS_URL the settings make every task run eagerly in the calling process, so the
embedded default needs no broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("maroc_export")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    # A task is acknowledged once it has finished, and given back to the queue if its worker
    # dies: a killed worker never loses a message. Tasks must therefore be idempotent.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_soft_time_limit=5 * 60,
    task_time_limit=6 * 60,
    broker_connection_retry_on_startup=True,
    task_ignore_result=True,
    worker_hijack_root_logger=False,
    timezone="UTC",
    beat_schedule={
        "outbox-sweep": {"task": "outbox.sweep", "schedule": 60.0},
        "webhooks-sweep": {"task": "webhooks.sweep", "schedule": 60.0},
        "meeting-reminders": {"task": "matchmaking.reminders", "schedule": 15 * 60.0},
        "meeting-feedback": {"task": "feedback.requests", "schedule": 60 * 60.0},
        "meeting-starts": {"task": "onsite.starts_settle", "schedule": 60.0},
    },
)
app.autodiscover_tasks()
