"""Accessible SVG charts drawn on the server (no JavaScript, no CDN).

Each chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>``; every bar
has a ``<title>`` with its exact figure, and the page shows the same figures in a table next to
the chart. Colours come from the site's CSS variables (see opendata/statistics.css).
"""

import math
import re
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Charts are drawn narrow (WIDTH user units) and shown at most about 1.4 times that wide (see
# statistics.css), so that their 14-unit text stays 11 px or more on a 390 px phone and below
# 20 px on a desktop. Bar labels sit above their bar, across the whole width, and wrap instead
# of being cut.
WIDTH = 360
FONT = 14
LINE = 18
BAR = 16
GAP = 10
VALUE_WIDTH = 64


@dataclass(frozen=True)
class Series:
    name: str
    values: list  # int, or None for a figure hidden by the privacy rule


def figure(value) -> str:
    return _("fewer than %(n)s") % {"n": 3} if value is None else f"{value:,}"


def _open(chart_id: str, title: str, description: str, height: int, css_class: str) -> str:
    return format_html(
        '<svg class="{5}" role="img" aria-labelledby="{0}-title {0}-desc" '
        'viewBox="0 0 {1} {2}" width="100%" preserveAspectRatio="xMinYMin meet" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<title id="{0}-title">{3}</title><desc id="{0}-desc">{4}</desc>',
        chart_id,
        WIDTH,
        height,
        title,
        description,
        css_class,
    )


def _text_width(text: str) -> float:
    """Roughly how wide `text` is at FONT: wide (CJK) characters take a full em."""
    return sum(FONT if ord(char) >= 0x2E80 else FONT * 0.55 for char in text)


def wrap(text: str, width: float = WIDTH) -> list[str]:
    """Split a label into lines no wider than `width`: at spaces, or anywhere in a run without
    spaces that is wider than a line (Japanese)."""
    lines, line = [], ""
    for token in re.split(r"(?<= )", text):  # each word keeps its trailing space
        if _text_width(line + token.rstrip()) <= width:
            line += token
            continue
        if line:
            lines.append(line.rstrip())
            line = ""
        for char in token:
            if line and _text_width(line + char) > width:
                lines.append(line)
                line = ""
            line += char
    lines.append(line.rstrip())
    return [line for line in lines if line] or [""]


def bar_chart(
    *, chart_id: str, title: str, description: str, labels: list[str], series: Series
) -> SafeString:
    """Horizontal bars, one per label (rankings and categories), each under its label."""
    known = [v for v in series.values if v is not None]
    top = max(known, default=0) or 1
    span = WIDTH - VALUE_WIDTH
    rows = [(wrap(label), label, value) for label, value in zip(labels, series.values, strict=True)]
    height = sum(len(lines) * LINE + BAR + GAP for lines, _l, _v in rows) + GAP
    parts = [_open(chart_id, title, description, height, "chart chart-bars")]
    y = GAP
    for lines, label, value in rows:
        length = 0 if value is None else round(span * value / top, 1)
        text = "".join(
            format_html('<tspan x="0" y="{}">{}</tspan>', y + (n + 1) * LINE - 5, line)
            for n, line in enumerate(lines)
        )
        y += len(lines) * LINE
        parts.append(
            format_html(
                '<g><title>{}: {}</title><text class="chart-label">{}</text>'
                '<rect class="chart-bar series-0" x="0" y="{}" width="{}" height="{}" rx="3"></rect>'
                '<text class="chart-value" x="{}" y="{}">{}</text></g>',
                label,
                figure(value),
                mark_safe(text),  # built from format_html above
                y,
                length,
                BAR,
                length + 6,
                y + BAR - 3,
                figure(value) if value is not None else "<3",
            )
        )
        y += BAR + GAP
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every piece above is escaped by format_html


def column_chart(
    *, chart_id: str, title: str, description: str, labels: list[str], series: list[Series]
) -> SafeString:
    """Grouped vertical columns over time (labels "YYYY-MM"), with a legend above.

    A tick shows the month; the year is written under the first month and under each January,
    so that twelve ticks fit a phone's width at a readable size. Other labels (the analytics
    page's days or weeks: up to 31 slots) are shown every so many slots, as many as fit side by
    side (:func:`tick_step`); every column's ``<title>`` still names its own slot."""
    left = 40
    plot_top, plot_height = GAP + len(series) * LINE + GAP, 160
    baseline = plot_top + plot_height
    height = baseline + 2 * LINE + 4
    known = [v for s in series for v in s.values if v is not None]
    top = max(known, default=0) or 1
    slot = (WIDTH - left - 4) / max(len(labels), 1)
    width = max((slot - 4) / max(len(series), 1), 2)
    step = tick_step(labels, slot)
    parts = [_open(chart_id, title, description, height, "chart chart-columns")]
    parts += _legend(series, left)
    parts.append(
        format_html(
            '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}"></line>'
            '<text class="chart-value" x="{}" y="{}" text-anchor="end">{}</text>'
            '<text class="chart-value" x="{}" y="{}" text-anchor="end">0</text>',
            left,
            baseline,
            WIDTH,
            baseline,
            left - 4,
            plot_top + 10,
            f"{top:,}",
            left - 4,
            baseline,
        )
    )
    for i, label in enumerate(labels):
        x0 = left + i * slot + 2
        for k, s in enumerate(series):
            value = s.values[i]
            h = 0 if value is None else round(plot_height * value / top, 1)
            parts.append(
                format_html(
                    '<rect class="chart-bar series-{}" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{} · {}: {}</title></rect>",
                    k,
                    round(x0 + k * width, 1),
                    baseline - h,
                    round(width - 1, 1),
                    h,
                    label,
                    s.name,
                    figure(value),
                )
            )
        if i % step == 0:
            centre = round(x0 + slot / 2 - 2, 1)
            parts += _tick(label, first=i == 0, centre=centre, baseline=baseline)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every piece above is escaped by format_html


def _legend(series: list[Series], left: int) -> list[str]:
    """One series a line, above the plot."""
    parts = []
    for k, s in enumerate(series):
        y = GAP + k * LINE
        parts.append(
            format_html(
                '<rect class="chart-bar series-{}" x="{}" y="{}" width="12" height="12" rx="2"></rect>'
                '<text class="chart-label" x="{}" y="{}">{}</text>',
                k,
                left,
                y + 2,
                left + 18,
                y + 13,
                s.name,
            )
        )
    return parts


def tick_step(labels: list[str], slot: float) -> int:
    """Label every n-th slot, n the smallest that keeps the widest tick (the month of a
    "YYYY-MM" label) clear of the next shown one by half an em. Up to 13 months fit with n 1,
    so every January keeps its year (a longer run of months would need the year moved to the
    next shown tick)."""
    widest = max((_text_width(label.partition("-")[2] or label) for label in labels), default=0)
    return max(1, math.ceil((widest + FONT / 2) / slot)) if slot > 0 else 1


def _tick(label: str, *, first: bool, centre: float, baseline: float) -> list[str]:
    """A month's tick, and its year under the first month and under each January."""
    year, _sep, month = label.partition("-")
    parts = [
        format_html(
            '<text class="chart-label chart-tick" x="{}" y="{}" text-anchor="middle">{}</text>',
            centre,
            baseline + LINE,
            month or label,
        )
    ]
    if month and (first or month == "01"):
        parts.append(
            format_html(
                '<text class="chart-value" x="{}" y="{}" text-anchor="middle">{}</text>',
                centre,
                baseline + 2 * LINE,
                year,
            )
        )
    return parts
