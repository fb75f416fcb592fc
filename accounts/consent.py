"""The wording a participant agrees to when they opt in to short messages, by version: a new
wording gets a new version, and the old ones stay here, since consents recorded name them."""

from django.utils.translation import gettext_lazy as _

CONSENT_WORDINGS = {
    "2026-12": _(
        "I agree that Maroc Export sends me, at this number and by the channel chosen, the "
        "confirmations, changes and reminders of my B2B meetings. Reply STOP to any message, or "
        "use the link it carries, to stop them."
    ),
}
CONSENT_VERSION = "2026-12"  # the wording shown now
