from django import template
from django.utils.translation import pgettext

register = template.Library()

BADGES = {
    "draft": "secondary", "open": "success", "selection": "info", "scheduling": "primary",
    "published": "primary", "running": "warning", "closed": "dark", "cancelled": "danger",
    "submitted": "info", "approved": "success", "waitlisted": "warning", "rejected": "danger",
    "withdrawn": "secondary", "pending": "info", "confirmed": "success", "sent": "success",
    "retrying": "warning", "failed": "danger", "obsolete": "secondary", "met": "success",
    "accepted": "success", "declined": "secondary",
}  # fmt: skip


@register.filter
def badge(status: str) -> str:
    """The Bootstrap colour of a status badge: ``{{ obj.status|badge }}``."""
    return BADGES.get(str(status), "secondary")


@register.simple_tag(takes_context=True)
def sort_url(context, key: str) -> str:
    """The current list URL sorted by ``key``, toggling the direction if already sorted by it."""
    query = context["request"].GET.copy()
    current = query.get("sort", "")
    query["sort"] = f"-{key}" if current == key else key
    return f"?{query.urlencode()}"


@register.simple_tag
def colon() -> str:
    """The colon after a label as the reader's language writes it: ``{% translate "Reason" %}{%
    colon %}`` gives "Motif :" (a no-break space before it in French), "Reason:" in English."""
    return pgettext("colon after a label", ":")
