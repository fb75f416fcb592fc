"""Parts of the participants' pages that are the same for many readers, rendered once per
process: the busiest pages show them on every request."""

from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

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


@lru_cache(maxsize=16)
def _blank_request_fields(language: str) -> str:
    from matchmaking.forms import RequestForm

    return render_to_string("matchmaking/_request_fields.html", {"form": RequestForm()})


@register.simple_tag
def request_fields(form):
    """The fields of a meeting request: a blank form is the same for everyone."""
    if form.is_bound:
        return render_to_string("matchmaking/_request_fields.html", {"form": form})
    return mark_safe(_blank_request_fields(get_language()))  # noqa: S308
