from django import template
from django.conf import settings
from django.urls import reverse

from matchmaking.attendance import attendance_token

register = template.Library()


@register.simple_tag
def attendance_url(meeting, recipient) -> str:
    """The reader's own link to confirm they will attend (see attendance.attendance_confirm)."""
    token = attendance_token(meeting, recipient.email)
    return settings.SITE_URL.rstrip("/") + reverse("matchmaking:attend", args=[token])
