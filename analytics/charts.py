"""The analytics page's charts, drawn by the statistics page's SVG charts (opendata.charts)."""

from datetime import timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from opendata.charts import Series, bar_chart, column_chart


def funnel_chart(analytics):
    funnel = analytics.funnel()
    return bar_chart(
        chart_id="funnel",
        title=_("From views to agreements"),
        description=_("How many times each step happened in the period."),
        labels=[str(label) for _key, label, _value in funnel],
        series=Series(name=_("Count"), values=[value for _key, _label, value in funnel]),
    )


def buckets(analytics):
    """The period in at most about 31 slots: days, weeks (from Monday) or months.

    Returns (label, views, distinct visitors, appearances) per slot, for the chart and its
    table alike."""
    length = len(analytics.days)
    if length <= 31:
        key, label = (lambda d: d), (lambda d: date_format(d, "j"))
    elif length <= 92:
        key, label = (lambda d: d - timedelta(days=d.weekday())), (lambda d: date_format(d, "n/j"))
    else:
        key, label = (lambda d: d.replace(day=1)), (lambda d: date_format(d, "Y-m"))
    slots = {}
    for day in analytics.days:
        figures = analytics.by_day[day]
        slot = slots.setdefault(key(day), [0, 0, 0])
        slot[0] += figures["views"]
        slot[1] += figures["visitors"]
        slot[2] += figures["suggestions"]
    return [(label(start), *values) for start, values in slots.items()]


def time_chart(slots):
    return column_chart(
        chart_id="views",
        title=_("Views over time"),
        description=_("Views, distinct visitors and appearances in suggestions in the period."),
        labels=[label for label, *_rest in slots],
        series=[
            Series(name=_("Views"), values=[s[1] for s in slots]),
            Series(name=_("Visitors"), values=[s[2] for s in slots]),
            Series(name=_("Suggestions"), values=[s[3] for s in slots]),
        ],
    )
