from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    """Schedule proposals: the optimiser (``scheduling/``) run on a mission, reviewed by staff,
    then published as meetings through matchmaking's rules."""

    name = "proposals"
    verbose_name = _("Schedule proposals")
