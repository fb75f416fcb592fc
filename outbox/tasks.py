"""The outbox's Celery tasks. Both are idempotent: a task run twice sends nothing twice."""

from celery import shared_task
from django.conf import settings

from .delivery import deliver, due_keys


@shared_task(name="outbox.deliver", ignore_result=True)
def email_deliver_task(key: str) -> str:
    outcome = deliver(key)
    if outcome.result == "retry" and not settings.CELERY_TASK_ALWAYS_EAGER:
        # The delay stays below the broker's visibility timeout (checked by the settings).
        email_deliver_task.apply_async(args=[key], countdown=outcome.delay)
    if outcome.fallback:  # a phone message refused for good: its SMS or e-mail replacement
        email_deliver_task.delay(outcome.fallback)
    return outcome.result


@shared_task(name="outbox.deliver_many", ignore_result=True)
def email_deliver_many_task(keys: list[str]) -> list[str]:
    """The messages of one event (a booking's confirmations to both sides) in one broker
    message: publishing took a tenth of a booking's time, once per recipient. Each message is
    still delivered, retried and recovered by the sweep on its own (``deliver`` records every
    failure on its row)."""
    return [email_deliver_task(key) for key in keys]


def _queue_empty(task) -> bool:
    """Whether the broker holds no task waiting for a worker (Redis: the list's length)."""
    with task.app.connection_for_read() as connection:
        queue = task.app.conf.task_default_queue
        try:
            return connection.default_channel.queue_declare(queue, passive=True).message_count == 0
        except connection.channel_errors:  # Redis keeps no empty list: nothing is waiting
            return True


@shared_task(name="outbox.sweep", ignore_result=True, bind=True)
def outbox_sweep_task(self) -> int:
    """Queue again what a lost broker message or a killed worker left behind (Celery beat)."""
    empty = True if settings.CELERY_TASK_ALWAYS_EAGER else _queue_empty(self)
    keys = due_keys(queue_empty=empty)
    for key in keys:
        email_deliver_task.delay(key)
    return len(keys)
