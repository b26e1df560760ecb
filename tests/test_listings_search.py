"""Finding technologies: filters (and their refusals), full-text search, Japanese, snippets."""

import re

import pytest
from django.utils import timezone

from accounts.models import Organization
from listings.lifecycle import Status
from listings.models import Technology
from tests.factories import listed, make_organization, make_technology

pytestmark = pytest.mark.django_db

LIST = "/technologies/"


def titles(response) -> list[str]:
    return listed(response)


def search(query: str) -> list[str]:
    return [t.title for t in Technology.objects.published().search(query).order_by("-rank", "-pk")]


# --- Filters -------------------------------------------------------------------------------


def test_field_group_includes_its_sub_fields(client):
    make_technology(title="Solar one", fields=("solar",))
    make_technology(title="Other one", fields=("water-treatment",))
    from listings.models import Field

    group = Field.objects.get(slug="solar").parent
    assert group is not None
    response = client.get(LIST, {"field": group.slug})
    assert response.status_code == 200
    assert titles(response) == ["Solar one"]


def test_trl_range_ip_status_offer_country_and_kind_filters(client):
    company = make_organization(type=Organization.Type.COMPANY)
    make_technology(title="Match", trl=6, ip_status="granted", partnerships=["assignment"],
                    countries=["DE"], organization=company)  # fmt: skip
    make_technology(title="Low TRL", trl=2, ip_status="granted", partnerships=["assignment"],
                    countries=["DE"], organization=company)  # fmt: skip
    make_technology(title="Pending", trl=6, ip_status="pending", partnerships=["assignment"],
                    countries=["DE"], organization=company)  # fmt: skip
    make_technology(title="Licence", trl=6, ip_status="granted", partnerships=["exclusive_licence"],
                    countries=["DE"], organization=company)  # fmt: skip
    make_technology(title="Japan", trl=6, ip_status="granted", partnerships=["assignment"],
                    countries=["JP"], organization=company)  # fmt: skip
    make_technology(title="University", trl=6, ip_status="granted", partnerships=["assignment"],
                    countries=["DE"])  # fmt: skip
    response = client.get(
        LIST,
        {"trl_min": 5, "trl_max": 9, "ip_status": "granted", "offer": "assignment",
         "country": "DE", "org_kind": "company"},
    )  # fmt: skip
    assert response.status_code == 200
    assert titles(response) == ["Match"]


def test_posted_since_filter(client):
    old = make_technology(title="Old")
    Technology.objects.filter(pk=old.pk).update(
        published_at=timezone.now() - timezone.timedelta(days=400)
    )
    make_technology(title="New")
    since = (timezone.now() - timezone.timedelta(days=30)).date().isoformat()
    assert titles(client.get(LIST, {"since": since})) == ["New"]


def test_unpublished_technologies_are_never_listed(client):
    for status in (Status.DRAFT, Status.SUBMITTED, Status.REJECTED, Status.WITHDRAWN):
        make_technology(title=f"Hidden {status}", status=status)
    make_technology(title="Visible")
    assert titles(client.get(LIST)) == ["Visible"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"trl_min": "12"}, "trl_min"),
        ({"trl_min": "abc"}, "trl_min"),
        ({"field": "no-such-field"}, "field"),
        ({"trl_min": "7", "trl_max": "3"}, "trl_max"),
        ({"since": "2024-13-45"}, "since"),
        ({"country": "XX"}, "country"),
        ({"sort": "price"}, "sort"),
        ({"ip_status": "stolen"}, "ip_status"),
    ],
    ids=[
        "trl-out-of-range",
        "trl-not-number",
        "unknown-field",
        "trl-min-above-max",
        "bad-date",
        "bad-country",
        "bad-sort",
        "bad-ip-status",
    ],  # fmt: skip
)
def test_invalid_filters_give_a_400_with_a_form_error(client, params, field):
    make_technology(title="Anything")
    response = client.get(LIST, params)
    assert response.status_code == 400
    assert field in response.context["filter"].form.errors
    assert 'id="error-summary"' in response.content.decode()
    assert titles(response) == []


def test_every_state_of_the_list_is_a_shareable_url(client):
    for n in range(30):
        make_technology(title=f"Solar panel {n:02d}", trl=3 + n % 5)
    response = client.get(LIST, {"q": "solar", "trl_min": 4, "sort": "trl_desc", "page": 2})
    assert response.status_code == 200
    page = response.content.decode()
    # Pagination links keep the filters.
    assert re.search(r'href="\?[^"]*q=solar[^"]*page=1|href="\?[^"]*page=1[^"]*q=solar', page)
    trls = listed(response, "trl")
    assert trls == sorted(trls, reverse=True)


def test_sort_by_trl_and_newest(client):
    a = make_technology(title="A", trl=3)
    b = make_technology(title="B", trl=8)
    Technology.objects.filter(pk=a.pk).update(
        published_at=timezone.now() + timezone.timedelta(hours=1)
    )
    assert titles(client.get(LIST, {"sort": "trl_desc"})) == ["B", "A"]
    assert titles(client.get(LIST, {"sort": "trl_asc"})) == ["A", "B"]
    assert titles(client.get(LIST, {"sort": "newest"})) == ["A", "B"]
    assert b  # both listed


# --- Full-text search ----------------------------------------------------------------------


def test_title_hit_ranks_above_description_hit(client):
    make_technology(title="Heat pump controller", description="Controls a graphene heater.")
    make_technology(title="Graphene membrane", description="A thin membrane.")
    make_technology(title="Unrelated", description="Nothing here.")
    response = client.get(LIST, {"q": "graphene"})
    assert titles(response) == ["Graphene membrane", "Heat pump controller"]


def test_keywords_and_summary_rank_above_description():
    make_technology(title="Alpha", description="mentions lidar once")
    make_technology(title="Beta", keywords=["lidar"])
    assert search("lidar") == ["Beta", "Alpha"]


def test_search_stems_english_words():
    make_technology(title="Membranes for filtering seawater")
    assert search("membrane filter") == ["Membranes for filtering seawater"]


def test_quoted_phrase_matches_only_the_exact_phrase():
    make_technology(title="Solid oxide fuel cell")
    make_technology(title="Fuel tank for solid rockets")
    assert search('"solid oxide"') == ["Solid oxide fuel cell"]
    assert sorted(search("solid fuel")) == ["Fuel tank for solid rockets", "Solid oxide fuel cell"]


def test_or_and_minus_word():
    make_technology(title="Lithium battery anode")
    make_technology(title="Sodium battery cathode")
    make_technology(title="Hydrogen tank")
    assert sorted(search("lithium OR hydrogen")) == ["Hydrogen tank", "Lithium battery anode"]
    assert search("battery -sodium") == ["Lithium battery anode"]


def test_japanese_technology_is_found_by_japanese_words():
    make_technology(
        title="ペロブスカイト太陽電池の封止技術",
        summary="高温多湿でも劣化しにくい太陽電池モジュール。",
        language="ja",
    )
    make_technology(title="燃料電池の触媒", summary="白金を使わない触媒。", language="ja")
    make_technology(title="Perovskite solar cell", language="en")
    assert search("封止") == ["ペロブスカイト太陽電池の封止技術"]  # a two-character word
    assert search("触媒") == ["燃料電池の触媒"]
    japanese = [t for t in search("電池") if t != "Perovskite solar cell"]
    assert sorted(japanese) == ["ペロブスカイト太陽電池の封止技術", "燃料電池の触媒"]
    assert search("太陽電池 -封止") == []  # search syntax: taken as typed, Japanese only


# --- Across languages ----------------------------------------------------------------------


def test_a_japanese_query_finds_english_listings_through_the_glossary():
    make_technology(title="ペロブスカイト太陽電池の封止技術", language="ja")
    make_technology(title="Perovskite tandem solar cell", summary="A tandem cell.")
    make_technology(title="Silicon wafer saw", summary="Cuts wafers.")
    assert sorted(search("ペロブスカイト")) == [
        "Perovskite tandem solar cell",
        "ペロブスカイト太陽電池の封止技術",
    ]
    assert "Perovskite tandem solar cell" in search("太陽電池")


def test_an_english_query_finds_japanese_listings_through_the_glossary():
    make_technology(
        title="低温地熱バイナリー発電システム",
        summary="地熱の低温熱水で発電するバイナリーサイクル。",
        language="ja",
    )
    make_technology(title="地熱ヒートポンプ", summary="地中の熱で冷暖房する。", language="ja")
    make_technology(title="Geothermal binary cycle plant", summary="Binary cycle power.")
    assert sorted(search("geothermal binary")) == [
        "Geothermal binary cycle plant",
        "低温地熱バイナリー発電システム",
    ]


def test_a_japanese_word_glossed_by_a_phrase_finds_the_english_word_alone():
    # 地熱 is glossed "geothermal energy"; "geothermal" finds 地熱, so 地熱 finds "geothermal"
    make_technology(title="Heat station for geothermal brine", summary="Process heat.")
    make_technology(title="Brine heat station", summary="Process heat from brine.")
    make_technology(title="低温地熱バイナリー発電システム", language="ja")
    assert sorted(search("地熱")) == [
        "Heat station for geothermal brine",
        "低温地熱バイナリー発電システム",
    ]


def test_both_languages_rank_by_where_the_word_is():
    make_technology(title="ペロブスカイト太陽電池", summary="薄膜の太陽電池。", language="ja")
    make_technology(
        title="Thin film coating", summary="A coating.", description="Also for perovskite cells."
    )
    # a title hit in Japanese ranks above a description-only hit in English
    assert search("perovskite") == ["ペロブスカイト太陽電池", "Thin film coating"]


def test_snippets_are_highlighted_in_each_listings_language(client):
    make_technology(
        title="地熱発電", summary="低温の熱水で発電するバイナリーサイクル。", language="ja"
    )
    make_technology(title="Binary cycle", summary="A binary cycle for low-temperature brine.")
    page = client.get(LIST, {"q": "binary"}).content.decode()
    assert "<mark>binary</mark>" in page
    assert "<mark>バイナリ</mark>" in page


def test_japanese_search_does_not_match_characters_out_of_order():
    make_technology(title="電池の太陽", language="ja")  # has 電池 and 太陽, not 太陽電池
    assert search("太陽電池") == []


def test_search_result_has_highlighted_snippet(client):
    make_technology(title="Desalination", summary="A graphene membrane for desalination plants.")
    page = client.get(LIST, {"q": "graphene"}).content.decode()
    assert "<mark>graphene</mark>" in page


def test_japanese_snippet_is_highlighted(client):
    make_technology(
        title="封止技術", summary="高温多湿でも劣化しにくい太陽電池モジュール。", language="ja"
    )
    page = client.get(LIST, {"q": "太陽電池"}).content.decode()
    assert "<mark>" in page


@pytest.mark.parametrize(
    "summary",
    ["graphene <svg/onload=alert(1)>", "graphene <a href=javascript:alert(1)>x</a>"],
)
def test_snippet_escapes_html_of_the_listing(client, summary):
    make_technology(title="Sneaky", summary=summary)
    page = client.get(LIST, {"q": "graphene"}).content.decode()
    assert "<svg" not in page and "<a href=javascript" not in page
    assert "&lt;" in page
    assert "<mark>graphene</mark>" in page


def test_empty_and_odd_queries_do_not_fail(client):
    make_technology(title="Anything")
    for query in ["", "   ", '"', "-", "OR", "!!!", "a & b | c", "(", "太"]:
        assert client.get(LIST, {"q": query}).status_code == 200, query


def test_a_misspelt_query_finds_similar_titles(client):
    make_technology(title="Perovskite tandem solar cell")
    make_technology(title="Rice husk gasifier")
    response = client.get(LIST, {"q": "perovskit tandme"})
    assert response.status_code == 200
    assert titles(response) == ["Perovskite tandem solar cell"]
    assert "similar words" in response.content.decode()


def test_a_query_without_any_likeness_shows_nothing():
    assert search("zzqxw") == []
