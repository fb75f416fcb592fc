"""What missions tell the apps above them, which they never import."""

from django.dispatch import Signal

# A firm or an operator leaves a mission's matchmaking (no longer approved or confirmed). Sent
# inside the transaction of the change, with the keyword arguments ``mission``, ``reason``
# ("firm-left" or "operator-left") and ``company`` or ``operator``; matchmaking cancels the
# party's coming meetings.
participant_left = Signal()
