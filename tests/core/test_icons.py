"""The icons: every icon a template names is in the SVG sprite, and no page loads the icon font."""

import re
from pathlib import Path

from django.template import Context, Template

ROOT = Path(__file__).resolve().parents[2]
SPRITE = (ROOT / "static" / "img" / "icons.svg").read_text()
DECISION_ICONS = {"person-check", "building-check", "calendar-check", "envelope-exclamation"}


def _symbols() -> set[str]:
    return set(re.findall(r'<symbol id="([a-z0-9-]+)"', SPRITE))


def test_every_icon_named_in_a_template_is_in_the_sprite():
    named = set()
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        named |= set(re.findall(r'\{% icon "([a-z0-9-]+)"', text))
        assert 'class="bi bi-' not in text, f"{path}: an icon of the font"
        assert "bootstrap-icons" not in text, path
    cockpit = (ROOT / "dashboard" / "cockpit.py").read_text()
    assert all(f'"{name}"' in cockpit for name in DECISION_ICONS)
    assert len(named) >= 15
    assert named | DECISION_ICONS <= _symbols(), (named | DECISION_ICONS) - _symbols()


def test_icon_tag_draws_from_the_sprite():
    html = Template('{% load icons %}{% icon "pencil" "me-1" %}').render(Context())
    assert html == (
        '<svg class="bi me-1" aria-hidden="true" focusable="false">'
        '<use href="/static/img/icons.svg#pencil"></use></svg>'
    )
