"""Celery tasks of the webhooks; both idempotent (a delivery row is sent at most once)."""

from celery import shared_task
from django.conf import settings

from outbox.tasks import _queue_empty

from .delivery import deliver, due_keys


@shared_task(name="webhooks.deliver", ignore_result=True)
def webhook_deliver_task(key: str) -> str:
    outcome = deliver(key)
    if outcome.result == "retry" and not settings.CELERY_TASK_ALWAYS_EAGER:
        webhook_deliver_task.apply_async(args=[key], countdown=outcome.delay)
    return outcome.result


@shared_task(name="webhooks.sweep", ignore_result=True, bind=True)
def webhooks_sweep_task(self) -> int:
    """Queue again what a lost broker message or a killed worker left behind (Celery beat)."""
    empty = True if settings.CELERY_TASK_ALWAYS_EAGER else _queue_empty(self)
    keys = due_keys(queue_empty=empty)
    for key in keys:
        webhook_deliver_task.delay(key)
    return len(keys)
