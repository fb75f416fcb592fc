from celery import current_app as app
from django.conf import settings
from django.core.checks import Error, register


@register()
def retry_below_visibility_timeout(app_configs, **kwargs):
    """A task stays unacknowledged for its countdown plus its run time: past the broker's
    visibility timeout it would be handed out twice."""
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    longest = settings.OUTBOX_RETRY_MAX_DELAY + app.conf.task_time_limit
    if longest >= timeout:
        return [
            Error(
                "OUTBOX_RETRY_MAX_DELAY plus the task time limit must stay below the broker's "
                f"visibility timeout ({longest} >= {timeout}).",
                id="outbox.E001",
            )
        ]
    return []
