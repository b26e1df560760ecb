"""CSV exports: streamed, parse back to the same data, formulas neutralised, published only."""

import csv
import io

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from listings.lifecycle import Status
from opendata.exports import NEED_COLUMNS, TECHNOLOGY_COLUMNS, neutralise
from tests.factories import make_need, make_organization, make_technology

pytestmark = pytest.mark.django_db


def download(client, url) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_technology_csv_round_trip(client):
    organization = make_organization(name="京都大学", country="JP", type="university")
    technology = make_technology(
        organization,
        title='Solar, "quoted"\nmultiline',
        summary="Cells; cheap",
        trl=6,
        ip_status="pending",
        partnerships=["exclusive_licence", "joint_development"],
        countries=["JP", "US"],
        keywords=["perovskite", "太陽電池"],
        fields=("solar", "wind"),
    )
    rows = download(client, "/technologies/export.csv")
    assert len(rows) == 1
    row = rows[0]
    assert list(row) == [c.name for c in TECHNOLOGY_COLUMNS]
    assert row["id"] == str(technology.pk)
    assert row["url"] == "http://testserver" + technology.get_absolute_url()
    assert row["title"] == 'Solar, "quoted"\nmultiline'
    assert row["summary"] == "Cells; cheap"
    assert row["organisation"] == "京都大学"
    assert row["organisation_kind"] == "university"
    assert row["organisation_country"] == "JP"
    assert row["fields"] == "solar;wind"
    assert row["keywords"] == "perovskite;太陽電池"
    assert row["countries"] == "JP;US"
    assert row["trl"] == "6"
    assert row["ip_status"] == "pending"
    assert row["offers"] == "exclusive_licence;joint_development"
    assert row["published_at"] == technology.published_at.isoformat()


def test_stable_column_names():
    assert [c.name for c in TECHNOLOGY_COLUMNS] == [
        "id", "url", "title", "summary", "organisation", "organisation_kind", "organisation_country",
        "fields", "keywords", "countries", "language", "trl", "ip_status", "offers", "published_at",
        "updated_at",
    ]  # fmt: skip
    assert [c.name for c in NEED_COLUMNS][-6:] == [
        "trl_min", "trl_max", "partnerships", "deadline", "published_at", "updated_at",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Solar = cheap", "Solar = cheap"),
        (5, "5"),
        (None, ""),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_formula_injection_is_neutralised_in_the_download(client):
    make_organization()
    make_technology(
        make_organization(name="@evil org"),
        title="=cmd|' /C calc'!A0",
        summary="+danger",
        keywords=["-1+1"],
    )
    row = download(client, "/technologies/export.csv")[0]
    assert row["title"] == "'=cmd|' /C calc'!A0"
    assert row["summary"] == "'+danger"
    assert row["organisation"] == "'@evil org"
    assert row["keywords"] == "'-1+1"


def test_csv_has_published_items_only_and_follows_the_filters(client):
    make_technology(title="Ready", trl=8)
    make_technology(title="Early", trl=2)
    make_technology(title="Draft", trl=8, status=Status.DRAFT)
    make_technology(title="Rejected", trl=8, status=Status.REJECTED)
    assert {r["title"] for r in download(client, "/technologies/export.csv")} == {"Ready", "Early"}
    assert {r["title"] for r in download(client, "/technologies/export.csv?trl_min=5")} == {"Ready"}


def test_csv_with_invalid_filter_is_a_400(client):
    response = client.get("/technologies/export.csv?trl_min=nine")
    assert response.status_code == 400
    assert "trl_min" in response.content.decode()


def test_need_csv(client):
    make_need(title="Open need", partnerships=["joint_venture"], trl_min=3, trl_max=6)
    make_need(title="Withdrawn need", status=Status.WITHDRAWN)
    rows = download(client, "/needs/export.csv")
    assert [r["title"] for r in rows] == ["Open need"]
    assert rows[0]["partnerships"] == "joint_venture"
    assert (rows[0]["trl_min"], rows[0]["trl_max"]) == ("3", "6")


def test_empty_result_still_has_the_header(client):
    response = client.get("/technologies/export.csv?q=nothingmatchesthis")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.strip() == ",".join(c.name for c in TECHNOLOGY_COLUMNS)


def test_csv_query_count_does_not_grow_with_rows(client):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/technologies/export.csv")
            rows = b"".join(response.streaming_content).count(b"\n")
        return len(queries.captured_queries), rows

    organization = make_organization()
    for _ in range(2):
        make_technology(organization, fields=("solar", "wind"))
    small, small_rows = count_queries()
    for _ in range(20):
        make_technology(organization, fields=("solar", "wind"))
    large, large_rows = count_queries()
    assert (small_rows, large_rows) == (3, 23)
    assert small == large <= 3
