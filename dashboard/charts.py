"""Charts of the cockpit as server-made SVG: pure functions, numbers in, markup out.

No Django import (like the optimiser), so that they are tested alone. The pages' Content-Security
Policy forbids inline style and script: the SVG carries its geometry in attributes and its
colours through classes of ``static/css/site.css``. Every chart is decorative for a screen
reader (``aria-hidden``): the page puts the same numbers in a table beside it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 640
LABEL_WIDTH = 220
VALUE_WIDTH = 88
BAR_HEIGHT = 18
GAP = 8
LABEL_CHARS = 32


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    # A second value drawn thinly under the first (``grouped_bars``): wishes under meetings.
    other: int | None = None


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _scale(bars: Sequence[Bar]) -> float:
    top = max([b.value for b in bars] + [b.other or 0 for b in bars] + [1])
    return (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / top


def _svg(height: int, body: list[str], css: str) -> str:
    return (
        f'<svg class="chart {css}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-hidden="true" focusable="false">' + "".join(body) + "</svg>"
    )


def _label(y: float, text: str) -> str:
    return (
        f'<text class="chart-label" x="{LABEL_WIDTH - 6}" y="{y:.1f}" text-anchor="end" '
        f'dominant-baseline="middle">{escape(_short(text))}<title>{escape(text)}</title></text>'
    )


def _value(x: float, y: float, value: int | str) -> str:
    return (
        f'<text class="chart-value" x="{x + 4:.1f}" y="{y:.1f}" '
        f'dominant-baseline="middle">{escape(str(value))}</text>'
    )


def bar_chart(bars: Sequence[Bar], *, css: str = "") -> str:
    """Horizontal bars, one per row, longest value full width; empty string without data."""
    if not bars:
        return ""
    scale = _scale(bars)
    body = []
    for i, bar in enumerate(bars):
        y = GAP + i * (BAR_HEIGHT + GAP)
        length = bar.value * scale
        middle = y + BAR_HEIGHT / 2
        body += [
            _label(middle, bar.label),
            f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" '
            f'height="{BAR_HEIGHT}" rx="2"/>',
            _value(LABEL_WIDTH + length, middle, bar.value),
        ]
    return _svg(GAP + len(bars) * (BAR_HEIGHT + GAP), body, css)


def grouped_bars(bars: Sequence[Bar], *, css: str = "") -> str:
    """Two bars per row: ``value`` (thick) over ``other`` (thin, hatched by its class), for
    "meetings against wishes"; each value is written at the end of its bar."""
    if not bars:
        return ""
    scale = _scale(bars)
    thin = BAR_HEIGHT // 2
    row = BAR_HEIGHT + thin + GAP
    body = []
    for i, bar in enumerate(bars):
        y = GAP + i * row
        first, second = bar.value * scale, (bar.other or 0) * scale
        body += [
            _label(y + (BAR_HEIGHT + thin) / 2, bar.label),
            f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{y}" width="{first:.1f}" '
            f'height="{BAR_HEIGHT}" rx="2"/>',
            _value(LABEL_WIDTH + first, y + BAR_HEIGHT / 2, bar.value),
            f'<rect class="chart-bar-other" x="{LABEL_WIDTH}" y="{y + BAR_HEIGHT}" '
            f'width="{second:.1f}" height="{thin}"/>',
            _value(LABEL_WIDTH + second, y + BAR_HEIGHT + thin / 2, bar.other or 0),
        ]
    return _svg(GAP + len(bars) * row, body, css)


def funnel(stages: Sequence[Sequence[Bar]], *, css: str = "") -> str:
    """The funnel in stages (firms, operators, requests, meetings): each stage's bars in one
    colour, each bar after the first with its share of the stage's first bar."""
    bars = [bar for stage in stages for bar in stage]
    if not bars:
        return ""
    scale = _scale(bars)
    body = []
    y = 0
    for n, stage in enumerate(stages):
        head = stage[0].value if stage else 0
        for i, bar in enumerate(stage):
            y += GAP
            length = bar.value * scale
            middle = y + BAR_HEIGHT / 2
            share = f" ({round(100 * bar.value / head)}%)" if head and i else ""
            body += [
                _label(middle, bar.label),
                f'<rect class="chart-bar chart-stage-{n % 4}" x="{LABEL_WIDTH}" y="{y}" '
                f'width="{length:.1f}" height="{BAR_HEIGHT}" rx="2"/>',
                _value(LABEL_WIDTH + length, middle, f"{bar.value}{share}"),
            ]
            y += BAR_HEIGHT
        y += GAP  # a wider gap between stages
    return _svg(y + GAP, body, css)
