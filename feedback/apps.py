from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    """What came of the meetings: the participants' feedback and outcomes after the mission,
    and the mission report for the agency's management."""

    name = "feedback"
    verbose_name = _("Feedback and outcomes")
