"""What the outbox tells the apps above it."""

from django.dispatch import Signal

# A mobile number's holder asked to stop the short messages (a STOP reply, the stop link):
# ``number`` (E.164), ``source`` (how). accounts turns the channel off for that number.
phone_stopped = Signal()
