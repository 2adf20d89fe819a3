"""Small accessible SVG charts drawn on the server: no script, no inline style (the CSP forbids
both); colours come from classes in reports.css. Every chart carries a title and a description,
and each bar its own <title>, so a screen reader can read it; the page shows the numbers as a
table beside it."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import count

from markupsafe import Markup, escape

_ids = count(1)
# About the width of a character of the charts' 13 px labels, in the chart's own units.
_CHAR_WIDTH = 7.5
_BOLD_WIDTH = 8.2  # the values, bold
_SMALL_WIDTH = 6.0  # the values set smaller (.chart-value-small, 10 px)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    # Shown after the bar; the value formatted, by default.
    text: str | None = None
    # A CSS class for the bar (e.g. "bar-low" below a goal).
    tone: str = ""


def _fmt(value: float) -> str:
    return f"{value:g}"


def bar_chart(
    title: str,
    bars: Sequence[Bar],
    *,
    maximum: float | None = None,
    description: str = "",
    label_width: int = 150,
    width: int = 440,
    row: int = 26,
    formatter: Callable[[float], str] = _fmt,
    rtl: bool = False,
) -> Markup:
    """Horizontal bars, one row each: the label, the bar, the value. Right to left (`rtl`), the
    chart is mirrored: the label on the right, the bar growing to the left."""
    uid = next(_ids)
    top = maximum if maximum is not None else max((b.value for b in bars), default=0) or 1
    height = max(row * len(bars), row) + 8
    plot = width - label_width - 70

    def x_of(x: float, size: float = 0.0) -> float:
        """Where a point (or a box `size` wide) starts on the page, mirrored right to left."""
        return width - x - size if rtl else x

    parts = [
        f'<svg class="chart chart-bars" role="img" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="chart-{uid}-title chart-{uid}-desc" {_direction(rtl)} '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-{uid}-title">{escape(title)}</title>',
        f'<desc id="chart-{uid}-desc">{escape(description)}</desc>',
    ]
    if not bars:
        parts.append(f'<text class="chart-empty" x="{x_of(0):g}" y="{row - 8}">–</text>')
    for index, bar in enumerate(bars):
        y = index * row + 4
        length = 0.0 if top <= 0 else max(0.0, min(1.0, bar.value / top)) * plot
        text = bar.text if bar.text is not None else formatter(bar.value)
        label = bar.label if len(bar.label) <= 18 else bar.label[:17] + "…"
        tone = f" {escape(bar.tone)}" if bar.tone else ""
        parts.append(
            f"<g><title>{escape(bar.label)}: {escape(text)}</title>"
            # "end" and "start" follow the chart's direction: the label ends next to the bar,
            # the value starts after it.
            f'<text class="chart-label" x="{x_of(label_width - 8):g}" y="{y + row * 0.62:.1f}" '
            f'text-anchor="end">{escape(label)}</text>'
            f'<rect class="chart-track" x="{x_of(label_width, plot):g}" y="{y + 4}" '
            f'width="{plot}" height="{row - 10}" rx="3"/>'
            f'<rect class="chart-bar{tone}" x="{x_of(label_width, length):.1f}" y="{y + 4}" '
            f'width="{length:.1f}" height="{row - 10}" rx="3"/>'
            f'<text class="chart-value" x="{x_of(label_width + length + 6):.1f}" '
            f'y="{y + row * 0.62:.1f}">{escape(text)}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text in it went through escape())


def column_chart(
    title: str,
    bars: Sequence[Bar],
    *,
    maximum: float | None = None,
    description: str = "",
    width: int = 440,
    height: int = 180,
    formatter: Callable[[float], str] = _fmt,
    rtl: bool = False,
) -> Markup:
    """Vertical columns over time (a trend by week): the label under, the value above. Right to
    left (`rtl`), time runs from right to left."""
    uid = next(_ids)
    top = maximum if maximum is not None else max((b.value for b in bars), default=0) or 1
    plot_height = height - 44
    slot = width / max(len(bars), 1)
    column = min(48.0, slot * 0.7)
    parts = [
        f'<svg class="chart chart-columns" role="img" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="chart-{uid}-title chart-{uid}-desc" {_direction(rtl)} '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-{uid}-title">{escape(title)}</title>',
        f'<desc id="chart-{uid}-desc">{escape(description)}</desc>',
        f'<line class="chart-axis" x1="0" y1="{plot_height + 20}" x2="{width}" '
        f'y2="{plot_height + 20}"/>',
    ]
    # Labels too wide for their slot (a quarter's weeks) are shown every few columns, counted
    # back from the latest; each column's <title> and the table beside still name it.
    room = max((len(bar.label) for bar in bars), default=0) * _CHAR_WIDTH + 6
    every = max(1, math.ceil(room / slot))
    # Values too wide for their column ("88 %" a week of a quarter) are set smaller.
    texts = [bar.text if bar.text is not None else formatter(bar.value) for bar in bars]
    small = max((len(text) for text in texts), default=0) * _BOLD_WIDTH + 6 > slot
    value_class = "chart-value chart-value-small" if small else "chart-value"
    value_width = _SMALL_WIDTH if small else _BOLD_WIDTH
    for index, bar in enumerate(bars):
        x = index * slot + (slot - column) / 2
        if rtl:
            x = width - x - column
        size = 0.0 if top <= 0 else max(0.0, min(1.0, bar.value / top)) * plot_height
        y = plot_height + 20 - size
        text = texts[index]
        tone = f" {escape(bar.tone)}" if bar.tone else ""
        middle = x + column / 2
        parts.append(
            f"<g><title>{escape(bar.label)}: {escape(text)}</title>"
            f'<rect class="chart-bar{tone}" x="{x:.1f}" y="{y:.1f}" width="{column:.1f}" '
            f'height="{size:.1f}" rx="3"/>'
            + _column_text(text, value_class, value_width, middle, y - 5, width, rtl)
            + (
                _column_text(
                    bar.label, "chart-label", _CHAR_WIDTH, middle, height - 6, width, rtl, True
                )
                if (len(bars) - 1 - index) % every == 0
                else ""
            )
            + "</g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text in it went through escape())


def _column_text(
    text: str,
    css: str,
    char_width: float,
    middle: float,
    y: float,
    width: int,
    rtl: bool,
    isolated: bool = False,
) -> str:
    """A text centred on its column, or kept inside the chart at either edge. An `isolated`
    one (FSI … PDI, a date) keeps its trailing dot at its end on a right-to-left chart; a value
    is not, so that "88 %" reads as the page's own numbers do."""
    half = len(text) * char_width / 2
    x, anchor = middle, "middle"
    if middle - half < 0:  # against the left edge: its left end there
        x, anchor = 0, "end" if rtl else "start"
    elif middle + half > width:  # against the right edge: its right end there
        x, anchor = width, "start" if rtl else "end"
    shown = f"\u2068{escape(text)}\u2069" if isolated else escape(text)
    return f'<text class="{css}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{shown}</text>'


def _direction(rtl: bool) -> str:
    # Stated, not inherited from the page, so that the text anchors above mean what they say.
    return f'direction="{"rtl" if rtl else "ltr"}"'


def percent(value: float | None) -> str:
    """0.825 -> "83 %"; None (nothing to measure) -> "–"."""
    return "–" if value is None else f"{round(value * 100)} %"
