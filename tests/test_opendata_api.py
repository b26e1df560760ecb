"""The read-only JSON API: published data only, the HTML lists' filters, cursor pages, ETags,
throttling, JSON errors and constant query counts."""

import pytest
from django.core.cache import cache

from accounts.models import Organization
from listings.lifecycle import Status
from tests.factories import listed, make_need, make_organization, make_technology, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # throttling history and statistics
    yield
    cache.clear()


def all_results(client, url) -> list[dict]:
    """Follow the cursor pages to the end."""
    results = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        results += body["results"]
        url = body["next"]
    return results


@pytest.fixture
def catalogue():
    university = make_organization(
        name="Tohoku University", type=Organization.Type.UNIVERSITY, country="JP"
    )
    company = make_organization(name="Acme GmbH", type=Organization.Type.COMPANY, country="DE")
    make_technology(
        university,
        title="Perovskite solar cell",
        summary="Cheap perovskite solar cells.",
        trl=4,
        fields=("solar",),
        countries=["JP"],
    )
    make_technology(
        university,
        title="Tidal turbine",
        summary="A turbine for tidal currents.",
        trl=7,
        fields=("hydro-marine",),
        ip_status="pending",
        countries=["JP", "US"],
    )
    make_technology(
        university,
        title="Solar water still",
        summary="Desalination with solar heat.",
        trl=6,
        fields=("desalination", "solar"),
        partnerships=["joint_development"],
    )
    make_technology(
        company,
        title="Battery recycling",
        summary="Recover lithium from batteries.",
        trl=8,
        fields=("recycling",),
        ip_status="know_how",
        countries=["DE"],
    )
    make_technology(
        company,
        title="Solar roof tiles",
        summary="Tiles that are solar panels.",
        trl=9,
        fields=("solar",),
        countries=["DE", "JP"],
    )
    make_technology(
        university, title="Secret solar draft", status=Status.DRAFT, trl=6, fields=("solar",)
    )
    make_technology(
        company, title="Solar under review", status=Status.SUBMITTED, trl=6, fields=("solar",)
    )
    make_need(
        company, title="Need solar glass", fields=("solar",), partnerships=["exclusive_licence"]
    )
    make_need(company, title="Need draft", status=Status.DRAFT)
    return university, company


QUERIES = [
    "",
    "q=solar",
    "q=perovskite",
    "trl_min=6",
    "trl_min=5&trl_max=7",
    "field=alternative-energy",
    "field=solar",
    "country=JP",
    "org_kind=company",
    "ip_status=pending&ip_status=know_how",
    "offer=joint_development",
    "q=solar&country=DE",
    "sort=trl_desc&trl_min=5",
]


@pytest.mark.parametrize("query", QUERIES)
def test_api_filters_agree_with_the_html_list(client, catalogue, query):
    html = client.get(f"/technologies/?{query}")
    assert html.status_code == 200
    html_ids = set(listed(html, "pk"))
    api_ids = {t["id"] for t in all_results(client, f"/api/v1/technologies/?{query}&page_size=100")}
    assert api_ids == html_ids
    assert api_ids  # every query of the catalogue selects something


def test_drafts_never_appear_in_the_api(client, catalogue):
    titles = {t["title"] for t in all_results(client, "/api/v1/technologies/?q=solar")}
    assert "Secret solar draft" not in titles and "Solar under review" not in titles
    draft = make_technology(status=Status.DRAFT)
    assert client.get(f"/api/v1/technologies/{draft.pk}/").status_code == 404
    needs = {n["title"] for n in all_results(client, "/api/v1/needs/")}
    assert needs == {"Need solar glass"}


def test_technology_detail_has_public_fields_only(client, catalogue):
    technology = make_technology(
        contact_email="secret@example.org", title="Detail me", fields=("wind",)
    )
    response = client.get(f"/api/v1/technologies/{technology.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Detail me"
    assert body["fields"] == ["wind"]
    assert body["url"] == "http://testserver" + technology.get_absolute_url()
    assert body["organization"]["slug"] == technology.organization.slug
    assert "secret@example.org" not in response.content.decode()
    assert "status" not in body and "pending_revision" not in body


def test_need_filters_agree_with_the_html_list(client, catalogue):
    make_need(title="Joint venture wanted", partnerships=["joint_venture"], trl_min=2, trl_max=4)
    for query in ["", "partnership=joint_venture", "trl_min=5", "q=solar"]:
        html_ids = {n.pk for n in client.get(f"/needs/?{query}").context["page_obj"].object_list}
        api_ids = {n["id"] for n in all_results(client, f"/api/v1/needs/?{query}")}
        assert api_ids == html_ids, query


def test_cursor_pagination_walks_every_item_once(client):
    organization = make_organization()
    created = {make_technology(organization).pk for _ in range(7)}
    first = client.get("/api/v1/technologies/?page_size=3").json()
    assert len(first["results"]) == 3 and "cursor=" in first["next"]
    assert {t["id"] for t in all_results(client, "/api/v1/technologies/?page_size=3")} == created


def test_organisations_are_those_with_published_listings(client, catalogue):
    make_organization(name="Nothing published")
    drafter = make_organization(name="Only drafts")
    make_technology(drafter, status=Status.DRAFT)
    results = all_results(client, "/api/v1/organisations/")
    assert {o["name"]: o["published_technologies"] for o in results} == {
        "Acme GmbH": 2,
        "Tohoku University": 3,
    }
    slug = results[0]["slug"]
    assert client.get(f"/api/v1/organisations/{slug}/").json()["slug"] == slug
    assert client.get(f"/api/v1/organisations/{drafter.slug}/").status_code == 404


def test_fields_are_the_taxonomy(client):
    fields = client.get("/api/v1/fields/").json()
    by_slug = {f["slug"]: f for f in fields}
    assert by_slug["solar"]["parent"] == "alternative-energy"
    assert by_slug["alternative-energy"]["parent"] is None
    assert by_slug["solar"]["name_ja"]


def test_statistics_endpoint_matches_the_page_figures(client, catalogue):
    make_user(organization=catalogue[0])
    body = client.get("/api/v1/statistics/").json()
    assert body["totals"]["technologies"] == 5
    assert body["totals"]["needs"] == 1
    assert body["totals"]["organizations"] == 2
    assert body["totals"]["users"] is None  # one user: below the threshold
    assert body["threshold"] == 3
    jp = next(r for r in body["countries"] if r["country"] == "JP")
    assert jp["technologies"] == 3


def test_invalid_filters_are_a_json_400(client):
    for query in [
        "trl_min=abc",
        "trl_min=8&trl_max=2",
        "country=XX",
        "field=no-such-field",
        "since=yesterday",
        "q=" + "x" * 300,
    ]:
        response = client.get(f"/api/v1/technologies/?{query}")
        assert response.status_code == 400, query
        assert response["Content-Type"] == "application/json"
        assert response.json()


def test_not_found_is_json(client):
    for url in [
        "/api/v1/technologies/999999/",
        "/api/v1/technologies/abc/",
        "/api/v1/nothing/",
        "/api/v1/technologies/?cursor=bogus",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json"
        assert "detail" in response.json()


def test_write_methods_are_refused_as_json(client, catalogue):
    response = client.post("/api/v1/technologies/", {"title": "x"}, content_type="application/json")
    assert response.status_code == 405
    assert response.json()["detail"]


def test_etag_and_conditional_get(client, catalogue):
    response = client.get("/api/v1/technologies/")
    etag = response["ETag"]
    assert etag
    assert client.get("/api/v1/technologies/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    make_technology(title="Something new")
    assert client.get("/api/v1/technologies/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_anonymous_clients_are_throttled_with_a_json_429(client, settings):
    settings.API_ANON_THROTTLE_RATE = "3/minute"
    for _ in range(3):
        assert client.get("/api/v1/fields/").status_code == 200
    response = client.get("/api/v1/fields/")
    assert response.status_code == 429
    assert response.json()["detail"]
    assert "Retry-After" in response


@pytest.mark.parametrize(
    "url", ["/api/v1/technologies/", "/api/v1/needs/", "/api/v1/organisations/"]
)
def test_list_query_count_does_not_grow_with_items(client, django_assert_max_num_queries, url):
    def add(n):
        for _ in range(n):
            organization = make_organization()
            make_technology(organization, fields=("solar", "wind"))
            make_need(organization, fields=("solar",))

    add(2)
    with django_assert_max_num_queries(3):
        assert len(client.get(url).json()["results"]) == 2
    add(15)
    with django_assert_max_num_queries(3):
        assert len(client.get(url).json()["results"]) == 17


def test_schema_and_docs_are_served_without_cdn(client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    spec = schema.json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/technologies/", "/api/v1/needs/", "/api/v1/statistics/"} <= set(spec["paths"])
    params = {p["name"] for p in spec["paths"]["/api/v1/technologies/"]["get"]["parameters"]}
    assert {
        "q",
        "field",
        "country",
        "org_kind",
        "since",
        "trl_min",
        "trl_max",
        "ip_status",
        "offer",
        "cursor",
    } <= params
    docs = client.get("/api/docs/").content.decode()
    # The sidecar's Redoc, served by opendata.api.docs (tests/test_portal_csp.py).
    assert '<script src="/api/docs/redoc/bundles/redoc.standalone.js">' in docs
    assert "googleapis" not in docs and "cdn" not in docs.lower()


def test_api_overview_page(client):
    response = client.get("/api/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/technologies/" in html and "/api/docs/" in html and "/sitemap.xml" in html


# Who a client is: the connection's address, X-Forwarded-For only from trusted proxies --------


def test_a_throttled_client_stays_throttled_whatever_x_forwarded_for_it_sends(client, settings):
    settings.API_ANON_THROTTLE_RATE = "2/minute"
    for _ in range(2):
        assert client.get("/api/v1/fields/").status_code == 200
    for forged in ("203.0.113.9", "198.51.100.1, 203.0.113.10", "not-an-address"):
        response = client.get("/api/v1/fields/", HTTP_X_FORWARDED_FOR=forged)
        assert response.status_code == 429, forged


def test_a_client_cannot_spend_another_addresses_quota(client, settings):
    settings.API_ANON_THROTTLE_RATE = "2/minute"
    for _ in range(3):
        client.get("/api/v1/fields/", HTTP_X_FORWARDED_FOR="198.51.100.7")
    victim = {"REMOTE_ADDR": "198.51.100.7"}
    assert client.get("/api/v1/fields/", **victim).status_code == 200
    assert client.get("/api/v1/fields/", **victim).status_code == 200
    assert client.get("/api/v1/fields/", **victim).status_code == 429


def test_behind_one_trusted_proxy_the_address_it_saw_is_the_client(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.API_ANON_THROTTLE_RATE = "2/minute"
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    def get(forwarded):
        return client.get("/api/v1/fields/", HTTP_X_FORWARDED_FOR=forwarded, **proxy).status_code

    # The proxy appends the real client's address; what the client wrote before it is ignored.
    assert [get("192.0.2.1, 203.0.113.5"), get("192.0.2.2, 203.0.113.5")] == [200, 200]
    assert get("192.0.2.3, 203.0.113.5") == 429
    # Another client behind the same proxy has its own quota.
    assert get("203.0.113.6") == 200
