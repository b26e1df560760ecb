"""Statistics: exact figures on a known data set, the privacy rule, the cache and the page."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Organization
from licensing.models import LicenceRequest
from listings.lifecycle import Status
from matching.models import Match
from opendata import stats
from tests.factories import make_need, make_organization, make_technology, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def known():
    """JP university (3 verified members, 3 technologies), US company (1 member, 1 technology,
    2 needs), JP start-up (1 member, nothing published), plus what must never count."""
    university = make_organization(
        name="Kyoto Tech", type=Organization.Type.UNIVERSITY, country="JP"
    )
    company = make_organization(name="Acme", type=Organization.Type.COMPANY, country="US")
    startup = make_organization(name="Nano KK", type=Organization.Type.STARTUP, country="JP")
    for _ in range(3):
        make_user(organization=university)
    make_user(organization=company)
    make_user(organization=startup)
    make_technology(university, trl=5, ip_status="granted", fields=("solar",))
    make_technology(university, trl=5, ip_status="granted", fields=("solar", "wind"))
    make_technology(university, trl=7, ip_status="pending", fields=("solar",))
    make_technology(company, trl=3, ip_status="none", fields=("water-treatment",))
    make_need(company, fields=("solar",))
    make_need(company, fields=("solar",))
    # Never counted: a draft, a technology under review, a withdrawn need, an unverified user,
    # an organisation whose only member is unverified, an inactive user.
    make_technology(
        university, status=Status.DRAFT, trl=9, ip_status="know_how", fields=("ai-data",)
    )
    make_technology(startup, status=Status.SUBMITTED, trl=9, ip_status="know_how")
    make_need(startup, status=Status.WITHDRAWN)
    make_user(organization=university, verified=False)
    make_user(
        organization=make_organization(type=Organization.Type.GOVERNMENT, country="DE"),
        verified=False,
    )
    make_user(organization=company, is_active=False)


def figures():
    data = stats.compute_statistics()
    data.pop("generated_at")
    return stats.apply_privacy_rule(data)


def row(rows, key, value):
    return next(r for r in rows if r[key] == value)


def test_totals_on_known_data_set(known):
    totals = figures()["totals"]
    assert totals["technologies"] == 4
    assert totals["needs"] == 2
    assert totals["organizations"] == 3
    assert totals["users"] == 5


def test_country_ranking_on_known_data_set(known):
    countries = figures()["countries"]
    assert [r["country"] for r in countries] == ["JP", "US"]
    assert countries[0] == {
        "country": "JP",
        "technologies": 3,
        "needs": 0,
        "organizations": 2,
        "users": 4,
    }
    # One user in the US: below the threshold, so hidden.
    assert countries[1] == {
        "country": "US",
        "technologies": 1,
        "needs": 2,
        "organizations": 1,
        "users": None,
    }


def test_breakdowns_on_known_data_set(known):
    data = figures()
    kinds = data["organization_kinds"]
    assert row(kinds, "kind", "university") == {
        "kind": "university",
        "organizations": 1,
        "technologies": 3,
        "needs": 0,
    }
    assert row(kinds, "kind", "company") == {
        "kind": "company",
        "organizations": 1,
        "technologies": 1,
        "needs": 2,
    }
    assert row(kinds, "kind", "startup")["organizations"] == 1
    assert row(kinds, "kind", "government")["organizations"] == 0

    fields = data["fields"]
    # solar and wind share a group: the technology with both counts once.
    assert row(fields, "slug", "alternative-energy")["technologies"] == 3
    assert row(fields, "slug", "alternative-energy")["needs"] == 2
    assert row(fields, "slug", "water")["technologies"] == 1
    assert row(fields, "slug", "ict")["technologies"] == 0

    assert {r["trl"]: r["technologies"] for r in data["trl"]} == {
        1: 0,
        2: 0,
        3: 1,
        4: 0,
        5: 2,
        6: 0,
        7: 1,
        8: 0,
        9: 0,
    }
    assert {r["ip_status"]: r["technologies"] for r in data["ip_status"]} == {
        "granted": 2,
        "pending": 1,
        "utility_model": 0,
        "know_how": 0,
        "none": 1,
    }


def test_month_by_month_on_known_data_set(known):
    months = figures()["months"]
    assert len(months) == stats.MONTHS
    this_month = timezone.localdate().strftime("%Y-%m")
    assert months[-1]["month"] == this_month
    assert months[-1]["technologies"] == 4
    assert months[-1]["needs"] == 2
    assert sum(m["technologies"] for m in months[:-1]) == 0


def test_listing_published_last_year_counts_in_its_month_and_not_after():
    old = timezone.now() - timezone.timedelta(days=200)
    make_technology(published_at=old)
    months = figures()["months"]
    month = timezone.localtime(old).strftime("%Y-%m")
    assert row(months, "month", month)["technologies"] == 1
    assert months[-1]["technologies"] == 0


def test_draft_never_moves_a_public_figure(known):
    before = figures()
    organization = Organization.objects.get(name="Kyoto Tech")
    make_technology(organization, status=Status.DRAFT, trl=1, ip_status="utility_model")
    make_technology(organization, status=Status.REJECTED, trl=2)
    make_need(organization, status=Status.SUBMITTED)
    assert figures() == before


def test_unverified_account_never_moves_a_public_figure(known):
    before = figures()
    account_services.register(
        email="newcomer@example.org",
        full_name="New Comer",
        password="correct-horse-battery-staple",
        new_organization=Organization(
            name="Brand New Lab", type="research_institute", country="FR"
        ),
    )
    assert figures() == before


def test_private_match_never_moves_a_public_figure(known):
    before = figures()
    assert before["totals"]["matches"] is None
    need = make_need()
    technology = make_technology()
    Match.objects.create(
        need=need, technology=technology, confirmed=True, confirmed_at=timezone.now()
    )
    after = figures()
    assert after["totals"]["matches"] is None
    assert after["months"][-1]["matches"] is None


def test_matches_show_from_the_threshold_up():
    for _ in range(stats.THRESHOLD):
        Match.objects.create(
            need=make_need(),
            technology=make_technology(),
            confirmed=True,
            confirmed_at=timezone.now(),
        )
    Match.objects.create(
        need=make_need(), technology=make_technology(), confirmed=False
    )  # suggested only
    data = figures()
    assert data["totals"]["matches"] == stats.THRESHOLD
    assert data["months"][-1]["matches"] == stats.THRESHOLD


def test_private_licence_request_never_moves_a_public_figure(known):
    before = figures()
    assert before["totals"]["licence_requests"] is None
    requester = make_user(organization=make_organization(type="company"))
    LicenceRequest.objects.create(
        technology=make_technology(),
        requester_organization=requester.organization,
        requester=requester,
        purpose="licence",
        message="We would like a licence.",
    )
    after = figures()
    assert after["totals"]["licence_requests"] is None
    assert after["months"][-1]["licence_requests"] is None


def test_small_country_user_counts_are_hidden_and_larger_shown():
    organization = make_organization(country="KR")
    make_technology(organization)
    make_user(organization=organization)
    make_user(organization=organization)
    assert row(figures()["countries"], "country", "KR")["users"] is None
    make_user(organization=organization)
    assert row(figures()["countries"], "country", "KR")["users"] == 3


def test_query_count_does_not_grow_with_data(known):
    with CaptureQueriesContext(connection) as small:
        stats.compute_statistics()
    for n in range(15):
        make_technology(trl=1 + n % 9, fields=("solar", "recycling"))
        make_need()
    with CaptureQueriesContext(connection) as large:
        stats.compute_statistics()
    assert len(large.captured_queries) == len(small.captured_queries) <= 25


def test_figures_are_served_from_the_cache(known, django_assert_num_queries):
    first = stats.public_statistics()
    make_technology()
    with django_assert_num_queries(0):
        again = stats.public_statistics()
    assert again == first
    assert stats.public_statistics(refresh=True)["totals"]["technologies"] == 5


def test_statistics_page_shows_figures_charts_and_tables(client, known):
    response = client.get("/statistics/")
    assert response.status_code == 200
    html = response.content.decode()
    # agreements add two charts: by field, by month
    assert len(re.findall(r'<svg class="chart [^"]*" role="img"', html)) == 8
    assert '<title id="chart-countries-title">Ranking by country</title>' in html
    assert '<desc id="chart-countries-desc">' in html
    assert 'aria-labelledby="chart-months-title chart-months-desc"' in html
    assert html.count("<table>") == 10  # and agreements by country, decline reasons
    assert '<th scope="row">Japan</th>' in html
    assert "&lt;3" in html  # the hidden US user count
    assert "cdn" not in html.lower()


def test_statistics_page_in_japanese(client, known):
    response = client.get("/statistics/", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert "代替エネルギー" in html  # field group names in Japanese
    assert "日本" in html  # country names in Japanese


def test_statistics_page_queries_are_cached(client, known, django_assert_max_num_queries):
    client.get("/statistics/")
    with django_assert_max_num_queries(2):  # session/user only; figures from the cache
        assert client.get("/statistics/").status_code == 200


def test_statistics_page_escapes_names_in_charts(client):
    from listings.models import Field

    Field.objects.filter(slug="water").update(name_en="<script>alert(1)</script>")
    make_technology(fields=("water-treatment",))
    html = client.get("/statistics/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_home_page_and_statistics_agree_right_after_a_publication(
    client, django_capture_on_commit_callbacks
):
    from listings import services as listing_services
    from listings.lifecycle import Action
    from tests.factories import make_member, make_staff

    make_technology()
    assert client.get("/statistics/").context["data"]["totals"]["technologies"] == 1  # cached
    member = make_member()
    submitted = make_technology(member.organization, status=Status.SUBMITTED, author=member)
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.transition(submitted, Action.APPROVE, make_staff())

    home = client.get("/").context["technology_count"]
    statistics = client.get("/statistics/").context["data"]["totals"]["technologies"]
    assert home == statistics == 2


@pytest.mark.parametrize("change", ["withdraw", "delete"])
def test_statistics_follow_a_listing_leaving_and_stay_cached_for_reads(
    client, change, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from listings import services as listing_services
    from listings.lifecycle import Action
    from tests.factories import make_member

    member = make_member()
    technology = make_technology(member.organization, author=member)
    make_technology()
    assert stats.public_statistics()["totals"]["technologies"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        if change == "withdraw":
            listing_services.transition(technology, Action.WITHDRAW, member)
        else:
            technology.delete()
    assert stats.public_statistics()["totals"]["technologies"] == 1
    with django_assert_max_num_queries(0):
        stats.public_statistics()  # read again: from the cache


def test_expired_need_leaves_the_statistics_at_once(django_capture_on_commit_callbacks):
    import datetime

    from django.core.management import call_command

    make_need(deadline=timezone.localdate() - datetime.timedelta(days=1))
    make_need()
    assert stats.public_statistics()["totals"]["needs"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        call_command("expire_needs", stdout=__import__("io").StringIO())
    assert stats.public_statistics()["totals"]["needs"] == 1
