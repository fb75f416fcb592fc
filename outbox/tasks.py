"""The outbox's Celery tasks. Both are idempotent: a task run twice sends nothing twice."""

from celery import shared_task
from django.conf import settings

from .delivery import deliver, due_keys


@shared_task(name="outbox.deliver", ignore_result=True)
def email_deliver(key: str) -> str:
    outcome = deliver(key)
    if outcome.result == "retry" and not settings.CELERY_TASK_ALWAYS_EAGER:
        # The delay stays below the broker's visibility timeout (checked by the settings).
        email_deliver.apply_async(args=[key], countdown=outcome.delay)
    return outcome.result


@shared_task(name="outbox.sweep", ignore_result=True)
def outbox_sweep() -> int:
    """Queue again what a lost broker message or a killed worker left behind (Celery beat)."""
    keys = due_keys()
    for key in keys:
        email_deliver.delay(key)
    return len(keys)
