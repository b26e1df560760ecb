"""CSV exports of list results, streamed row by row.

The rows come from the list's own FilterSet (the URL's filters decide) and are read with
``queryset.iterator(chunk_size=2000)`` in one query (the fields of technology are gathered by an
array subquery), so 100,000 rows need neither much memory nor a time-out. Column names are
stable (part of the open-data contract: add columns at the end, never rename). Cells that a
spreadsheet would read as a formula are neutralised with a leading apostrophe.
"""

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef

from licensing.models import DeclineReason
from listings.models import Field

CHUNK_SIZE = 2000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # lets spreadsheet programs read UTF-8 (Japanese) correctly


def neutralise(value) -> str:
    """A cell as text; one starting like a formula gets a leading apostrophe (OWASP advice)."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = ";".join(str(v) for v in value)
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class Echo:
    """A write-only file whose write() returns the line, for StreamingHttpResponse."""

    def write(self, value):
        return value


@dataclass(frozen=True)
class Column:
    name: str
    value: Callable
    #: The value is a path, written as an absolute URL on the address the export serves.
    absolute: bool = False


def _iso(value):
    return value.isoformat() if value else ""


def _path(item):
    return item.get_absolute_url()


LISTING_COLUMNS = [
    Column("id", lambda t: t.pk),
    Column("url", _path, absolute=True),
    Column("title", lambda t: t.title),
    Column("organisation", lambda t: t.organization.name),
    Column("organisation_kind", lambda t: t.organization.type),
    Column("organisation_country", lambda t: t.organization.country.code),
    Column("fields", lambda t: t.field_slugs or []),
    Column("keywords", lambda t: t.keywords),
    Column("countries", lambda t: t.countries),
    Column("language", lambda t: t.language),
]
TIMESTAMP_COLUMNS = [
    Column("published_at", lambda t: _iso(t.published_at)),
    Column("updated_at", lambda t: _iso(t.updated_at)),
]

TECHNOLOGY_COLUMNS = (
    LISTING_COLUMNS[:3]
    + [Column("summary", lambda t: t.summary)]
    + LISTING_COLUMNS[3:]
    + [
        Column("trl", lambda t: t.trl),
        Column("ip_status", lambda t: t.ip_status),
        Column("offers", lambda t: t.partnerships),
    ]
    + TIMESTAMP_COLUMNS
)

NEED_COLUMNS = (
    LISTING_COLUMNS
    + [
        Column("trl_min", lambda n: n.trl_min),
        Column("trl_max", lambda n: n.trl_max),
        Column("partnerships", lambda n: n.partnerships),
        Column("deadline", lambda n: _iso(n.deadline)),
    ]
    + TIMESTAMP_COLUMNS
)


def columns_for(model) -> list[Column]:
    return TECHNOLOGY_COLUMNS if model._meta.model_name == "technology" else NEED_COLUMNS


def export_queryset(queryset):
    """One query for all rows: organisation joined, field slugs as an array."""
    model = queryset.model
    slugs = Field.objects.filter(
        **{model._meta.get_field("fields").related_query_name(): OuterRef("pk")}
    )
    return (
        queryset.select_related("organization")
        .annotate(field_slugs=ArraySubquery(slugs.order_by("position", "slug").values("slug")))
        .defer("search_vector", "pending_revision")
    )


def csv_lines(queryset, columns: list[Column], site: str) -> Iterator[str]:
    """The BOM, the header row, then one line per row, read in chunks of CHUNK_SIZE. `site`
    (lib.urls.site_url, taken while the request is served: the lines are written after the
    view returns) prefixes the absolute columns."""
    writer = csv.writer(Echo())
    yield BOM + writer.writerow([c.name for c in columns])
    rows: Iterable = export_queryset(queryset).iterator(chunk_size=CHUNK_SIZE)
    for item in rows:
        yield writer.writerow(
            [neutralise(site + c.value(item) if c.absolute else c.value(item)) for c in columns]
        )


# Aggregates of the statistics page (privacy rule applied): the same figures as the API.


def agreement_rows(data: dict) -> Iterator[list]:
    """breakdown, key, agreements: one line per field group, country and month. An empty
    count is a figure below the privacy threshold (null in the API)."""
    yield ["breakdown", "key", "agreements"]
    for breakdown, section, key in (
        ("field", "agreements_by_field", "slug"),
        ("country", "agreements_by_country", "country"),
        ("month", "agreements_by_month", "month"),
    ):
        for row in data[section]:
            yield [breakdown, row[key], row["agreements"]]


def decline_reason_rows(data: dict) -> Iterator[list]:
    """field, then one count per reason (empty: given by fewer than three organisations)."""
    yield ["field", *DeclineReason.values]
    for row in data["decline_reasons_by_field"]:
        yield [row["slug"], *(row[reason] for reason in DeclineReason.values)]


STATISTICS_TABLES = {"agreements": agreement_rows, "decline-reasons": decline_reason_rows}


def table_lines(rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield BOM
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])
