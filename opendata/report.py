"""The statistics page's sections: labels in the reader's language, charts and table rows.

The figures come from ``stats.public_statistics()`` (codes and counts, privacy rule applied);
this module only names and draws them.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from accounts.models import Organization
from lib.i18n import country_name
from licensing.models import DeclineReason
from listings.models import TRL, IPStatus

from .charts import Series, bar_chart, column_chart

TOP_COUNTRIES = 10


def column_labels() -> dict[str, str]:
    return {
        "technologies": _("Technologies"),
        "needs": _("Needs"),
        "organizations": _("Organisations"),
        "users": _("Registered users"),
        "licence_requests": _("Licence requests"),
        "matches": _("Confirmed matches"),
        "agreements": _("Agreements"),
    }


@dataclass
class Section:
    slug: str
    title: str
    description: str
    key_label: str
    columns: list[tuple[str, str]]  # (name, label)
    rows: list[tuple[str, list]] = field(default_factory=list)  # (label, values)
    chart: str = ""
    ranked: bool = False


def _columns(rows: list[dict], order: list[str]) -> list[tuple[str, str]]:
    labels = column_labels()
    present = set(rows[0]) if rows else set()
    return [(name, labels[name]) for name in order if name in present]


def _section(
    slug, title, description, key_label, rows, labels, order, chart_column, *, ranked=False
):
    columns = _columns(rows, order)
    section = Section(slug, title, description, key_label, columns, ranked=ranked)
    section.rows = [
        (label, [row[name] for name, _label in columns])
        for label, row in zip(labels, rows, strict=True)
    ]
    if rows and chart_column in dict(columns):
        chart_rows = list(zip(labels, rows, strict=True))
        if ranked:
            chart_rows = chart_rows[:TOP_COUNTRIES]
        section.chart = bar_chart(
            chart_id=f"chart-{slug}",
            title=title,
            description=description,
            labels=[label for label, _row in chart_rows],
            series=Series(
                dict(columns)[chart_column], [row[chart_column] for _label, row in chart_rows]
            ),
        )
    return section


def totals(data: dict) -> list[tuple[str, int | None]]:
    labels = column_labels()
    order = [
        "technologies",
        "needs",
        "organizations",
        "users",
        "licence_requests",
        "matches",
        "agreements",
    ]
    return [(labels[name], data["totals"][name]) for name in order]


def sections(data: dict) -> list[Section]:
    ja = get_language() == "ja"
    types = dict(Organization.Type.choices)
    trl = dict(TRL.choices)
    ip = dict(IPStatus.choices)
    out = [
        _section(
            "countries",
            _("Ranking by country"),
            _(
                "Countries ranked by published technologies, then needs and organisations; "
                "a listing counts for its organisation's country. The chart shows the top ten."
            ),
            _("Country"),
            data["countries"],
            [country_name(row["country"]) or row["country"] for row in data["countries"]],
            ["technologies", "needs", "organizations", "users"],
            "technologies",
            ranked=True,
        ),
        _section(
            "organization-types",
            _("By organisation type"),
            _(
                "Organisations, and the technologies and needs they published, by type of organisation."
            ),
            _("Type"),
            data["organization_kinds"],
            [str(types.get(row["kind"], row["kind"])) for row in data["organization_kinds"]],
            ["organizations", "technologies", "needs"],
            "organizations",
        ),
        _section(
            "fields",
            _("By field of technology"),
            _(
                "Published technologies and needs per field group; a listing in several groups counts in each."
            ),
            pgettext("field of technology", "Field"),
            data["fields"],
            [_field_name(row, ja) for row in data["fields"]],
            ["technologies", "needs"],
            "technologies",
        ),
        _section(
            "trl",
            _("By technology readiness level"),
            _("Published technologies per technology readiness level (TRL 1 to 9)."),
            _("Readiness"),
            data["trl"],
            [str(trl.get(row["trl"], row["trl"])) for row in data["trl"]],
            ["technologies"],
            "technologies",
        ),
        _section(
            "ip",
            _("By IP status"),
            _("Published technologies by the protection of their intellectual property."),
            _("IP status"),
            data["ip_status"],
            [str(ip.get(row["ip_status"], row["ip_status"])) for row in data["ip_status"]],
            ["technologies"],
            "technologies",
        ),
    ]
    out.append(months_section(data["months"]))
    out += agreement_sections(data, ja)
    out.append(decline_reasons_section(data["decline_reasons_by_field"], ja))
    return out


def _field_name(row, ja: bool) -> str:
    return row["name_ja"] if ja and row["name_ja"] else row["name_en"]


def agreement_sections(data: dict, ja: bool) -> list[Section]:
    """Agreements confirmed by both organisations: by field, country and month."""
    by_field = data["agreements_by_field"]
    by_country = data["agreements_by_country"]
    by_month = data["agreements_by_month"]
    starts = [datetime.date.fromisoformat(row["month"] + "-01") for row in by_month]
    return [
        _section(
            "agreements-fields",
            _("Agreements by field"),
            _(
                "Agreements that both organisations of a conversation confirmed, by field group "
                "of the technology or need it was about."
            ),
            pgettext("field of technology", "Field"),
            by_field,
            [_field_name(row, ja) for row in by_field],
            ["agreements"],
            "agreements",
        ),
        _section(
            "agreements-countries",
            _("Agreements by country"),
            _(
                "Confirmed agreements by country; an agreement counts in both organisations' countries."
            ),
            _("Country"),
            by_country,
            [country_name(row["country"]) or row["country"] for row in by_country],
            ["agreements"],
            "agreements",
        ),
        _section(
            "agreements-months",
            _("Agreements by month"),
            _("Confirmed agreements by the month they were made, over the last twelve months."),
            _("Month"),
            by_month,
            [date_format(start, "YEAR_MONTH_FORMAT") for start in starts],
            ["agreements"],
            "agreements",
        ),
    ]


def decline_reasons_section(rows: list[dict], ja: bool) -> Section:
    """Why organisations passed, by field group: a table (one column per reason)."""
    section = Section(
        "decline-reasons",
        _("Why organisations passed, by field"),
        _(
            "Reasons given when a licence request was declined or withdrawn, a proposal declined "
            "or a suggestion dismissed, by field group of the listing passed on. A count given by "
            "fewer than three organisations is not shown."
        ),
        pgettext("field of technology", "Field"),
        [(value, str(label)) for value, label in DeclineReason.choices],
    )
    section.rows = [
        (_field_name(row, ja), [row[value] for value in DeclineReason.values]) for row in rows
    ]
    return section


def months_section(rows: list[dict]) -> Section:
    title = _("Month by month")
    description = _(
        "New published listings, licence requests and confirmed matches in each of the last twelve months."
    )
    columns = _columns(rows, ["technologies", "needs", "licence_requests", "matches"])
    starts = [datetime.date.fromisoformat(row["month"] + "-01") for row in rows]
    section = Section("months", title, description, _("Month"), columns)
    section.rows = [
        (date_format(start, "YEAR_MONTH_FORMAT"), [row[name] for name, _label in columns])
        for start, row in zip(starts, rows, strict=True)
    ]
    section.chart = column_chart(
        chart_id="chart-months",
        title=title,
        description=description,
        labels=[start.strftime("%Y-%m") for start in starts],
        series=[Series(label, [row[name] for row in rows]) for name, label in columns],
    )
    return section
