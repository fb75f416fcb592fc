from celery import current_app as app
from django.conf import settings
from django.core.checks import Error, Warning, register


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


@register()
def phone_providers_known(app_configs, **kwargs):
    """WHATSAPP_URL and SMS_URL name a provider that phones.py knows, with its credentials;
    a real WhatsApp provider needs the app's secret, or every receipt would be refused."""
    from urllib.parse import urlsplit

    from .phones import PROVIDERS

    errors = []
    for name in ("WHATSAPP_URL", "SMS_URL"):
        url = urlsplit(getattr(settings, name))
        kind = url.scheme.removesuffix("+http")
        if kind not in PROVIDERS:
            errors.append(
                Error(
                    f"{name} names an unknown provider {url.scheme!r}: use one of "
                    f"{', '.join(sorted(PROVIDERS))}.",
                    id="outbox.E002",
                )
            )
        elif kind not in ("console", "memory") and not (url.username and url.password):
            errors.append(
                Error(f"{name} lacks its account and token (user and password).", id="outbox.E003")
            )
    if urlsplit(settings.WHATSAPP_URL).scheme.startswith("meta") and not (
        settings.WHATSAPP_APP_SECRET
    ):
        errors.append(
            Warning(
                "WHATSAPP_APP_SECRET is empty: WhatsApp's receipts and STOP replies are refused.",
                id="outbox.W001",
            )
        )
    return errors
