"""Server-drawn charts stay readable when a phone shrinks them: labels whole, text large."""

import re

from opendata import charts
from opendata.charts import Series, bar_chart, column_chart, wrap

LONG = "Energy conservation and efficiency"
LONGER = "Climate change adaptation and disaster resilience and more words besides"


def texts(svg: str) -> list[str]:
    return re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)


def test_bar_labels_are_never_cut():
    svg = bar_chart(
        chart_id="c",
        title="By field",
        description="d",
        labels=[LONG, LONGER, "Water"],
        series=Series("Technologies", [13, 7, 12]),
    )
    assert "…" not in svg
    assert LONG in texts(svg)  # fits on one line above its bar
    assert " ".join(line for line in texts(svg) if line not in (LONG, "Water")) == LONGER


def test_wrapped_lines_fit_the_drawing():
    for label in (LONGER, "気候変動への適応と防災・減災および関連するレジリエンス技術の全般"):
        lines = wrap(label)
        assert len(lines) > 1
        assert all(charts._text_width(line) <= charts.WIDTH for line in lines)
        assert "".join(lines).replace(" ", "") == label.replace(" ", "")


def test_charts_are_drawn_narrow_so_their_text_stays_large_on_a_phone():
    # A 390 px phone shows the drawing about 326 px wide: 14 units must stay >= 11 px.
    assert charts.FONT * 326 / charts.WIDTH >= 11
    svg = column_chart(
        chart_id="m",
        title="Months",
        description="d",
        labels=["2025-12", "2026-01", "2026-02"],
        series=[Series("Technologies", [1, 2, 3])],
    )
    assert f'viewBox="0 0 {charts.WIDTH} ' in svg
    ticks = re.findall(r'class="chart-label chart-tick"[^>]*>([^<]*)<', svg)
    years = re.findall(r'class="chart-value"[^>]*text-anchor="middle">([^<]*)<', svg)
    assert ticks == ["12", "01", "02"] and years == ["2025", "2026"]


def test_day_ticks_do_not_overlap_and_every_column_keeps_its_label():
    # The analytics page's 30 days, labelled by day of the month.
    days = [str(d) for d in range(5, 31)] + [str(d) for d in range(1, 5)]
    svg = column_chart(
        chart_id="v",
        title="Views over time",
        description="d",
        labels=days,
        series=[Series("Views", [1] * 30), Series("Visitors", [1] * 30)],
    )
    shown = re.findall(r'class="chart-label chart-tick" x="([^"]*)"[^>]*>([^<]*)<', svg)
    assert shown[0][1] == "5" and 1 < len(shown) < len(days)
    xs = [float(x) for x, _label in shown]
    widest = max(charts._text_width(label) for _x, label in shown)
    assert min(b - a for a, b in zip(xs, xs[1:], strict=False)) >= widest + charts.FONT / 2
    titles = re.findall(r"<title>([^<·]*) · Views", svg)
    assert titles == days  # each column still says which day it is
    # Thirteen months (the analytics page's year, the statistics page's twelve) keep a tick
    # each, so every January keeps its year.
    months = [f"2025-{m:02d}" for m in range(12, 13)] + [f"2026-{m:02d}" for m in range(1, 13)]
    svg = column_chart(
        chart_id="y", title="t", description="d", labels=months, series=[Series("Views", [1] * 13)]
    )
    ticks = re.findall(r'class="chart-label chart-tick"[^>]*>([^<]*)<', svg)
    assert ticks == [m[5:] for m in months]
