from django.conf import settings
from django.core.checks import Error, register


@register()
def retry_below_visibility_timeout(app_configs, **kwargs):
    """A retried delivery waits in the broker for its countdown: past the visibility timeout it
    would be handed out twice (as ``outbox.checks``)."""
    from config.celery import app

    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    longest = settings.WEBHOOK_RETRY_MAX_DELAY + app.conf.task_time_limit
    if longest >= timeout:
        return [
            Error(
                "WEBHOOK_RETRY_MAX_DELAY plus the task time limit must stay below the broker's "
                f"visibility timeout ({longest} >= {timeout}).",
                id="webhooks.E001",
            )
        ]
    return []
