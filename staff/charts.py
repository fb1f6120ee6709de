"""Horizontal bar charts drawn on the server as SVG (no chart library in the browser).

A chart is a list of bars (label, value, shown text): the shown text is what the data table
beside it says too, so that chart and table cannot disagree. Readable in black and white:
bars are dark with an outline, every bar carries its number as text, and a hidden or missing
value draws no bar but says so in words (never colour alone)."""

from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
LABEL_WIDTH = 210
VALUE_WIDTH = 130
BAR_HEIGHT = 22
GAP = 8
TOP = 4


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: hidden or missing, no bar drawn
    shown: str  # the text shown at the bar and in the table


def _attr(text: str) -> str:
    return escape(str(text), {'"': "&quot;"})


def _clip(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(*, chart_id: str, title: str, desc: str, bars: list[Bar]) -> SafeString:
    """An accessible SVG: role="img", labelled by its <title> and described by its <desc>."""
    largest = max((bar.value for bar in bars if bar.value), default=0)
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP * 2 + max(len(bars), 1) * (BAR_HEIGHT + GAP)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" id="{_attr(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'preserveAspectRatio="xMinYMin meet">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(desc)}</desc>',
    ]
    for index, bar in enumerate(bars):
        y = TOP + index * (BAR_HEIGHT + GAP)
        middle = y + BAR_HEIGHT / 2
        length = round(room * bar.value / largest, 1) if bar.value and largest else 0
        parts.append(f'<g class="bar" data-label="{_attr(bar.label)}" data-value="{_attr(bar.shown)}">')
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle}" text-anchor="end" dominant-baseline="middle" '
            f'class="bar-label">{escape(_clip(bar.label))}</text>'
        )
        if length:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" '
                f'class="bar-rect" fill="#1f1f1f" stroke="#000" stroke-width="1"/>'
            )
        else:  # zero, hidden or missing: a thin dashed outline marks the place
            parts.append(
                f'<line x1="{LABEL_WIDTH}" y1="{y + 2}" x2="{LABEL_WIDTH}" y2="{y + BAR_HEIGHT - 2}" '
                f'stroke="#000" stroke-width="2" stroke-dasharray="3 2"/>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6}" y="{middle}" dominant-baseline="middle" '
            f'class="bar-value">{escape(bar.shown)}</text>'
        )
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
