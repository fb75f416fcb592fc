from django.conf import settings
from django.core.checks import Error, register


@register()
def retry_below_visibility_timeout(app_configs, **kwargs):
    """A retry delay past the broker's visibility timeout would run the task twice."""
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    if timeout <= settings.OUTBOX_RETRY_MAX_DELAY:
        return [
            Error(
                "OUTBOX_RETRY_MAX_DELAY must stay below the broker's visibility timeout "
                f"({settings.OUTBOX_RETRY_MAX_DELAY} >= {timeout}).",
                id="outbox.E001",
            )
        ]
    return []
