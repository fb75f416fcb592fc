from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    name = "matchmaking"
    verbose_name = _("Matchmaking")

    def ready(self):
        from missions.signals import participant_left

        from . import (
            calendar,  # noqa: F401  (registers the e-mail attachments)
            freshness,
            services,
            short_messages,  # noqa: F401  (registers the short messages)
        )

        freshness.connect()
        participant_left.connect(services.meetings_cancel_for_departure_receiver)
