"""Atom feeds and the sitemap: valid XML, filtered like the lists, published items only."""

import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache

from accounts.models import Organization
from listings.lifecycle import Status
from tests.factories import make_need, make_organization, make_technology

pytestmark = pytest.mark.django_db


ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # the sitemap views are cached
    yield
    cache.clear()


def atom(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def entry_titles(feed) -> set[str]:
    return {entry.find(f"{ATOM}title").text for entry in feed.findall(f"{ATOM}entry")}


def test_technology_feed_lists_published_technologies_only(client):
    make_technology(title="Perovskite solar cell")
    make_technology(title="Secret draft", status=Status.DRAFT)
    make_technology(title="Under review", status=Status.SUBMITTED)
    feed = atom(client, "/technologies/feed/")
    assert feed.tag == f"{ATOM}feed"
    assert entry_titles(feed) == {"Perovskite solar cell"}
    entry = feed.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/technologies/")
    assert entry.find(f"{ATOM}updated").text
    assert entry.find(f"{ATOM}author/{ATOM}name").text


def test_technology_feed_takes_the_list_filters(client):
    make_technology(title="Ready wind turbine", trl=8, fields=("wind",))
    make_technology(title="Early wind idea", trl=2, fields=("wind",))
    make_technology(title="Ready water filter", trl=8, fields=("water-treatment",))
    feed = atom(client, "/technologies/feed/?trl_min=6&field=wind")
    assert entry_titles(feed) == {"Ready wind turbine"}
    self_link = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"][0]
    assert "trl_min=6" in self_link.get("href") and "field=wind" in self_link.get("href")


def test_technology_feed_search(client):
    make_technology(title="Perovskite solar cell", summary="Cheap perovskite cells.")
    make_technology(title="Desalination membrane", summary="Reverse osmosis membrane.")
    feed = atom(client, "/technologies/feed/?q=perovskite")
    assert entry_titles(feed) == {"Perovskite solar cell"}
    assert "perovskite" in feed.find(f"{ATOM}title").text


def test_feed_with_invalid_filter_is_a_400(client):
    assert client.get("/technologies/feed/?trl_min=99").status_code == 400
    assert client.get("/technologies/feed/?trl_min=7&trl_max=2").status_code == 400


def test_need_feed_lists_open_published_needs_filtered(client):
    make_need(title="Need a licence", partnerships=["exclusive_licence"])
    make_need(title="Need a partner", partnerships=["joint_venture"])
    make_need(title="Draft need", status=Status.DRAFT)
    assert entry_titles(atom(client, "/needs/feed/")) == {"Need a licence", "Need a partner"}
    assert entry_titles(atom(client, "/needs/feed/?partnership=joint_venture")) == {
        "Need a partner"
    }


def test_list_page_links_the_feed_and_csv_with_the_same_filters(client):
    response = client.get("/technologies/?trl_min=5&q=solar&page=2")
    html = response.content.decode()
    assert 'type="application/atom+xml"' in html
    assert "/technologies/feed/?trl_min=5&amp;q=solar" in html
    assert "/technologies/export.csv?trl_min=5&amp;q=solar" in html
    assert "page=2" not in html.split("/technologies/feed/")[1].split('"')[0]


def sitemap_locations(client) -> set[str]:
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    locations = set()
    for loc in ET.fromstring(index.content).iter(f"{SITEMAP}loc"):
        path = loc.text.removeprefix("http://testserver")
        section = client.get(path)
        assert section.status_code == 200
        locations |= {u.text for u in ET.fromstring(section.content).iter(f"{SITEMAP}loc")}
    return locations


def test_sitemap_has_published_items_and_only_those(client):
    provider = make_organization(name="Provider", type=Organization.Type.UNIVERSITY)
    silent = make_organization(name="Silent")  # nothing published
    drafter = make_organization(name="Drafter")
    published = make_technology(provider)
    draft = make_technology(drafter, status=Status.DRAFT)
    withdrawn = make_technology(drafter, status=Status.WITHDRAWN)
    need = make_need(provider)
    draft_need = make_need(drafter, status=Status.SUBMITTED)

    locations = sitemap_locations(client)
    base = "http://testserver"
    assert base + published.get_absolute_url() in locations
    assert base + need.get_absolute_url() in locations
    assert base + provider.get_absolute_url() in locations
    assert base + "/statistics/" in locations
    for hidden in (draft, withdrawn, draft_need, silent, drafter):
        assert base + hidden.get_absolute_url() not in locations


def test_sitemap_query_count_does_not_grow_with_items(client, django_assert_max_num_queries):
    organization = make_organization()
    for _ in range(3):
        make_technology(organization)
    with django_assert_max_num_queries(3):
        client.get("/sitemap-technologies.xml")
    cache.clear()
    for _ in range(12):
        make_technology(organization)
    with django_assert_max_num_queries(3):
        client.get("/sitemap-technologies.xml")


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()


def test_needs_list_links_its_feed_and_csv_with_the_same_filters(client, db):
    page = client.get("/needs/?q=hydrogen&country=JP").content.decode()
    assert 'href="/needs/feed/?q=hydrogen&amp;country=JP"' in page
    assert 'href="/needs/export.csv?q=hydrogen&amp;country=JP"' in page


def test_feed_summary_escapes_listing_text_so_readers_show_it_as_text(client):
    make_technology(title="Tricky", summary='Fast <script>alert("x")</script> & <b>bold</b>')
    entry = atom(client, "/technologies/feed/").find(f"{ATOM}entry")
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    # What a reader renders as HTML: the markup arrives as entities, never as elements.
    assert "<script" not in summary.text and "<b>" not in summary.text
    assert summary.text == (
        "Fast &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"
    )
