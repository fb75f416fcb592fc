"""Parts of the participants' pages that the busiest pages show on every request: rendered
once per process when they are the same for many readers (the tabs), in Python when a template
loop cost too much (the free slots)."""

from datetime import date
from functools import lru_cache
from itertools import groupby
from operator import attrgetter

from django import template
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@lru_cache(maxsize=1024)
def _tabs(language: str, slug: str, side: str, tab: str) -> str:
    # ``language`` is the active one: it only keys the memo.
    context = {"slug": slug, "side": side, "tab": tab}
    return render_to_string("matchmaking/_tabs.html", context)


@register.simple_tag
def mission_tabs(mission, participant, tab: str):
    """The tabs of a participant's pages of the mission (directory, requests, agenda,
    availability), ``tab`` being the current one."""
    return mark_safe(_tabs(get_language(), mission.slug, participant.side, tab))  # noqa: S308


@lru_cache(maxsize=1024)
def _day_heading(language: str, day: date) -> str:
    # ``language`` is the active one: it only keys the memo.
    return date_format(day, "l j F Y")


@register.simple_tag
def slot_picker(free: list, mission) -> SafeString:
    """The free slots (``selectors.free_slots``) as submit buttons named "slot", one row per
    day of the mission, or a line that says there is none. Built in Python: the booking page
    shows up to a few hundred of them on every request, and a template loop dominated its cost.
    Ids and labels ("09:00–09:30") are made from numbers; the rest is escaped."""
    if not free:
        return format_html(
            '<p class="text-body-secondary">{}</p>', _("No free time slot is shared by both sides.")
        )
    language, html = get_language(), []
    for day, items in groupby(free, key=attrgetter("day")):  # in order of time
        html.append(
            f'<h3 class="h6 mt-3">{escape(_day_heading(language, day))}</h3>'
            '<div class="d-flex flex-wrap gap-2">'
        )
        html.extend(
            '<button class="btn btn-outline-primary slot-button" type="submit" name="slot" '
            f'value="{int(item.pk)}">{escape(item.label)}</button>'
            for item in items
        )
        html.append("</div>")
    zone = _("Local time of the mission (%(zone)s).") % {"zone": mission.timezone}
    html.append(format_html('<p class="small text-body-secondary mt-2">{}</p>', zone))
    return mark_safe("".join(html))  # noqa: S308
