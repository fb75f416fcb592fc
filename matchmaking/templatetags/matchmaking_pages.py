"""The free slots of the booking page, built in Python: a template loop over a few hundred
buttons dominated the page's cost."""

from itertools import groupby
from operator import attrgetter

from django import template
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from matchmaking.selectors import active_contacts

register = template.Library()


@register.simple_tag
def slot_picker(free: list, mission) -> SafeString:
    """The free slots (``selectors.free_slots``) as submit buttons named "slot", one row per
    day of the mission, or a line that says there is none. Built in Python: the booking page
    shows up to a few hundred of them on every request, and a template loop dominated its cost.
    Ids and labels ("09:00–09:30") are made from numbers; the rest is escaped. A label reads
    left to right in an Arabic page too (``dir="ltr"``), or it would show "09:30–09:00"."""
    if not free:
        return format_html(
            '<p class="text-body-secondary">{}</p>', _("No free time slot is shared by both sides.")
        )
    html = []
    for day, items in groupby(free, key=attrgetter("day")):  # in order of time
        html.append(
            f'<h3 class="h6 mt-3">{escape(date_format(day, "l j F Y"))}</h3>'
            '<div class="d-flex flex-wrap gap-2">'
        )
        html.extend(
            '<button dir="ltr" class="btn btn-outline-primary slot-button" type="submit" '
            f'name="slot" value="{int(item.pk)}">{escape(item.label)}</button>'
            for item in items
        )
        html.append("</div>")
    zone = _("Local time of the mission (%(zone)s).") % {"zone": mission.timezone}
    html.append(format_html('<p class="small text-body-secondary mt-2">{}</p>', zone))
    return mark_safe("".join(html))  # noqa: S308


@register.filter
def contacts(operator) -> list:
    """The operator's contacts who can still log in (prefetched by the page's selector)."""
    return active_contacts(operator)
