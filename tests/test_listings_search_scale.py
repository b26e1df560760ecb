"""What keeps a search fast when a word is common: a capped count, a narrow ranking query, the
rank vector kept in the row, and a planner told that random reads are cheap (docs/performance.md)."""

import pytest
from django.db import connection
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from lib.pagination import CappedPaginator, paginate
from listings import selectors
from listings.filters import TechnologyFilterSet
from listings.models import Status, Technology

from .factories import make_technology

pytestmark = pytest.mark.django_db


def _published(n, **kwargs):
    return [make_technology(status=Status.PUBLISHED, **kwargs) for _ in range(n)]


def test_capped_paginator_counts_at_most_its_limit():
    _published(5)
    capped = CappedPaginator(Technology.objects.order_by("pk"), 2, count_limit=3)
    assert (capped.count, capped.is_capped, capped.num_pages) == (3, True, 2)
    exact = CappedPaginator(Technology.objects.order_by("pk"), 2, count_limit=5)
    assert (exact.count, exact.is_capped, exact.num_pages) == (5, False, 3)


def test_capped_count_is_one_limited_query_without_ordering():
    _published(3)
    with CaptureQueriesContext(connection) as queries:
        page = paginate(Technology.objects.order_by("-published_at"), 1, count_limit=2)
        assert page.paginator.is_capped
    count_sql = queries.captured_queries[0]["sql"]
    assert "LIMIT 3" in count_sql and "ORDER BY" not in count_sql


def test_list_says_more_than_the_limit_when_capped(client, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 2)
    _published(3, title="Solar membrane reactor")
    page = client.get("/technologies/", {"q": "membrane"}).content.decode()
    assert "More than 2 technologies" in page
    ja = client.get("/technologies/", {"q": "membrane"}, HTTP_ACCEPT_LANGUAGE="ja")
    assert "件以上" in ja.content.decode()


def test_pages_of_a_capped_list_say_more_than(rf):
    _published(5)
    page = CappedPaginator(Technology.objects.order_by("pk"), 2, count_limit=4).get_page(1)
    html = render_to_string(
        "includes/pagination.html", {"page_obj": page}, request=rf.get("/technologies/")
    )
    assert "Page 1 of more than 2" in html


def test_list_counts_exactly_below_the_limit(client):
    _published(2, title="Solar membrane reactor")
    page = client.get("/technologies/", {"q": "membrane"}).content.decode()
    assert "2 technologies" in page and "More than" not in page


def test_cards_are_read_without_the_long_columns(client):
    _published(2, title="Solar membrane reactor")
    with CaptureQueriesContext(connection) as queries:
        client.get("/technologies/", {"q": "membrane"})
    # the cards' statement (selectors.technology_cards) names each column it reads
    (cards,) = [q["sql"] for q in queries.captured_queries if "'title', rel.title" in q["sql"]]
    for long_column in ("search_vector", "rank_vector", "description", "benefits"):
        assert f"rel.{long_column}" not in cards


def test_the_ranking_query_selects_only_ids():
    _published(3, title="Solar membrane reactor")
    with CaptureQueriesContext(connection) as queries:
        results = selectors.search_listings(
            Technology, TechnologyFilterSet, _data(q="membrane"), page_number=1
        )
        assert len(results.page.object_list) == 3
    ranking = [q["sql"] for q in queries.captured_queries if "ts_rank" in q["sql"]]
    assert ranking and all(
        sql.startswith('SELECT "listings_technology"."id"') and "JOIN" not in sql for sql in ranking
    )


def test_connections_plan_for_cheap_random_reads():
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert float(cursor.fetchone()[0]) == pytest.approx(1.1)


@pytest.mark.parametrize("table", ["listings_technology", "needs_need"])
def test_rank_vector_stays_in_the_row(table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attname = 'rank_vector'",
            [table],
        )
        assert cursor.fetchone()[0] == "m"


def _data(**params):
    data = QueryDict(mutable=True)
    data.update(params)
    return data


def test_matching_a_search_vector_is_costed_as_reading_it():
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("only a superuser may change a built-in function's cost")
        cursor.execute("SELECT procost FROM pg_proc WHERE proname = 'ts_match_vq'")
        assert cursor.fetchone()[0] == 10


@pytest.mark.parametrize("table", ["listings_technology", "needs_need"])
def test_no_btree_offers_a_walk_through_every_published_row(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        definitions = [row[0] for row in cursor.fetchall()]
    assert not [d for d in definitions if d.endswith("(status)") or "varchar_pattern_ops" in d]
    assert not [d for d in definitions if d.endswith("(trl)")]
    assert [d for d in definitions if "(status, published_at DESC" in d]


def test_options_given_in_the_database_url_are_kept():
    from portal.settings import planner_options

    assert planner_options("-c search_path=public") == (
        "-c search_path=public -c random_page_cost=1.1"
    )
    assert planner_options() == "-c random_page_cost=1.1"


def test_a_page_past_the_counted_matches_is_the_last_one(client, monkeypatch):
    """The count and the pages come from the ids of the first COUNT_LIMIT + 1 matches: a page
    number past them shows the last page of those, as a counted list did."""
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 2)
    _published(3, title="Solar membrane reactor")
    page = client.get("/technologies/", {"q": "membrane", "page": "7"}).content.decode()
    assert "More than 2 technologies" in page and page.count("listing-card") == 2
