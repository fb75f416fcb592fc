"""``{% icon "pencil" %}``: an icon of the site's SVG sprite (``static/img/icons.svg``, the
Bootstrap Icons the templates use), in place of the icon font: a few kilobytes instead of a
hundred on the first visit. An icon that points (an arrow, a chevron) is mirrored in a
right-to-left page. Add an icon to the sprite before using it (a test checks)."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()

SPRITE = "img/icons.svg"
# Icons that point along the line of text: mirrored from right to left (site.css, ``.bi-flip``).
POINTING = {"arrow-left", "arrow-right", "chevron-left", "chevron-right", "box-arrow-right"}


@register.simple_tag
def icon(name: str, extra: str = "") -> str:
    classes = f"bi {'bi-flip ' if name in POINTING else ''}{extra}".strip()
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>',
        classes,
        static(SPRITE),
        name,
    )
