"""Accessible SVG charts drawn on the server (no JavaScript, no CDN).

Each chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>``; every bar
has a ``<title>`` with its exact figure, and the page shows the same figures in a table next to
the chart. Colours come from the site's CSS variables (see opendata/statistics.css).
"""

from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

BAR = 22
GAP = 8
WIDTH = 640
LABEL_WIDTH = 220
VALUE_WIDTH = 70


@dataclass(frozen=True)
class Series:
    name: str
    values: list  # int, or None for a figure hidden by the privacy rule


def figure(value) -> str:
    return _("fewer than %(n)s") % {"n": 3} if value is None else f"{value:,}"


def _open(chart_id: str, title: str, description: str, height: int) -> str:
    return format_html(
        '<svg class="chart" role="img" aria-labelledby="{0}-title {0}-desc" '
        'viewBox="0 0 {1} {2}" width="100%" preserveAspectRatio="xMinYMin meet" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<title id="{0}-title">{3}</title><desc id="{0}-desc">{4}</desc>',
        chart_id,
        WIDTH,
        height,
        title,
        description,
    )


def _truncate(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(
    *, chart_id: str, title: str, description: str, labels: list[str], series: Series
) -> SafeString:
    """Horizontal bars, one per label: rankings and categories."""
    known = [v for v in series.values if v is not None]
    top = max(known, default=0) or 1
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = max(len(labels), 1) * (BAR + GAP) + GAP
    parts = [_open(chart_id, title, description, height)]
    for i, (label, value) in enumerate(zip(labels, series.values, strict=True)):
        y = GAP + i * (BAR + GAP)
        length = 0 if value is None else round(span * value / top, 1)
        parts.append(
            format_html(
                "<g><title>{}: {}</title>"
                '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>'
                '<rect class="chart-bar series-0" x="{}" y="{}" width="{}" height="{}" rx="3"></rect>'
                '<text class="chart-value" x="{}" y="{}">{}</text></g>',
                label,
                figure(value),
                LABEL_WIDTH - 8,
                y + BAR * 0.72,
                _truncate(label),
                LABEL_WIDTH,
                y,
                length,
                BAR,
                LABEL_WIDTH + length + 6,
                y + BAR * 0.72,
                figure(value) if value is not None else "<3",
            )
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every piece above is escaped by format_html


def column_chart(
    *, chart_id: str, title: str, description: str, labels: list[str], series: list[Series]
) -> SafeString:
    """Grouped vertical columns over time (month by month), with a legend."""
    plot_top, plot_height, left = 34, 180, 44
    height = plot_top + plot_height + 34
    known = [v for s in series for v in s.values if v is not None]
    top = max(known, default=0) or 1
    slot = (WIDTH - left - 8) / max(len(labels), 1)
    width = max((slot - 6) / max(len(series), 1), 2)
    parts = [_open(chart_id, title, description, height)]
    x = left
    for k, s in enumerate(series):  # legend
        parts.append(
            format_html(
                '<rect class="chart-bar series-{}" x="{}" y="6" width="12" height="12" rx="2"></rect>'
                '<text class="chart-label" x="{}" y="17">{}</text>',
                k,
                x,
                x + 16,
                s.name,
            )
        )
        x += 16 + 8 * len(s.name) + 24
    baseline = plot_top + plot_height
    parts.append(
        format_html(
            '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}"></line>'
            '<text class="chart-value" x="{}" y="{}" text-anchor="end">{}</text>'
            '<text class="chart-value" x="{}" y="{}" text-anchor="end">0</text>',
            left,
            baseline,
            WIDTH - 4,
            baseline,
            left - 6,
            plot_top + 10,
            f"{top:,}",
            left - 6,
            baseline,
        )
    )
    for i, label in enumerate(labels):
        x0 = left + i * slot + 3
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
        parts.append(
            format_html(
                '<text class="chart-label chart-tick" x="{}" y="{}" text-anchor="middle">{}</text>',
                round(x0 + slot / 2 - 3, 1),
                baseline + 18,
                label,
            )
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every piece above is escaped by format_html
