"""Right-to-left text with left-to-right values inside: ``{% load bidi %}``.

In an Arabic page an e-mail address, a phone or ICE number, a time or a range of times is a run
of "weak" characters that the Unicode bidirectional algorithm reorders by its neighbours:
``09:30–10:00`` comes out as ``10:00–09:30``, ``+212 6 12 34 56 78`` as ``78 56 34 12 6 212+``.
Isolating the value in its own left-to-right run keeps it as written:

- ``{{ user.email|bdi }}`` in HTML: ``<bdi dir="ltr">…</bdi>``;
- ``{{ badge.name|bdi:"auto" }}``: a name in the direction of its own first letter, in every
  language (an Arabic name on a French badge, a Latin one on an Arabic badge). The direction is
  written out: WeasyPrint, which prints the badges, has no automatic one;
- ``{{ start|time:"H:i"|ltr }}`` in plain text (e-mails, calendar text): the Unicode isolates
  LEFT-TO-RIGHT ISOLATE … POP DIRECTIONAL ISOLATE around the value;
- ``{% arrow %}``: "→" from left to right, "←" from right to left (old → new reads the other way).

Both filters leave the value untouched in a left-to-right language, so French and English pages
are byte for byte what they were.
"""

import unicodedata

from django import template
from django.utils import translation
from django.utils.html import format_html

register = template.Library()

LRI, PDI, RLM = "\u2066", "\u2069", "\u200f"


def text_direction(text: str) -> str:
    """``rtl`` or ``ltr``, from the first letter with a strong direction (``ltr`` if none)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def rtl_text(text: str) -> str:
    """Plain text read from right to left (an e-mail in Arabic). A mail client takes each
    paragraph's direction from its first letter: a line that holds Arabic but begins with a name
    or a number gets a RIGHT-TO-LEFT MARK first, so that it is set from the right like the rest.
    A line with no Arabic (a link, a sign-in code) is left as it is: it is copied, not read."""
    lines = []
    for line in text.split("\n"):
        has_rtl = any(unicodedata.bidirectional(c) in ("R", "AL") for c in line)
        lines.append(f"{RLM}{line}" if has_rtl and text_direction(line) == "ltr" else line)
    return "\n".join(lines)


@register.filter
def bdi(value, mode: str = "ltr"):
    """The value in a left-to-right isolate (HTML), in a right-to-left language only; with
    ``"auto"``, in an isolate of its own direction, whatever the language."""
    if value in (None, ""):
        return value
    if mode == "auto":
        return format_html('<bdi dir="{}">{}</bdi>', text_direction(str(value)), value)
    if not translation.get_language_bidi():
        return value
    return format_html('<bdi dir="ltr">{}</bdi>', value)


@register.filter
def ltr(value):
    """The value between Unicode isolates (plain text), in a right-to-left language only."""
    if value in (None, "") or not translation.get_language_bidi():
        return value
    return f"{LRI}{value}{PDI}"


@register.simple_tag
def arrow() -> str:
    """An arrow that points the way the text reads: from the old value to the new one."""
    return "←" if translation.get_language_bidi() else "→"
