from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from outbox.signals import phone_stopped

        from .services import mobile_stopped_receiver

        phone_stopped.connect(mobile_stopped_receiver)
