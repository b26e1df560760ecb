"""Analytics: views counted off the listing row, folded in batches, and the figures shown to
the listing's organisation as a funnel, a time chart and CSV."""

import threading
import urllib.request
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alerts.models import Follow, SavedSearch, SentListing
from analytics import services
from analytics.models import ListingDailyStats, ListingEvent
from licensing.models import Agreement, LicenceRequest
from matching.models import Match
from tests.factories import make_need, make_organization, make_staff, make_technology, make_user

WRITES = ("INSERT", "UPDATE", "DELETE")


def writes(queries):
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def listing_row_version(table, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT xmin::text, updated_at FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["technology", "need"])
def test_public_detail_page_only_appends_an_event(client, kind):
    listing = make_technology() if kind == "technology" else make_need()
    before = listing_row_version(listing._meta.db_table, listing.pk)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(listing.get_absolute_url()).status_code == 200
    written = writes(captured.captured_queries)
    assert len(written) == 1, written
    assert written[0].startswith('INSERT INTO "analytics_listingevent"')
    assert listing_row_version(listing._meta.db_table, listing.pk) == before
    event = ListingEvent.objects.get()
    assert (event.listing_type, event.listing_id, event.event) == (kind, listing.pk, "view")
    assert event.day == timezone.localdate()


@pytest.mark.django_db
def test_views_of_the_own_organisation_and_staff_are_not_counted(client):
    technology = make_technology()
    client.force_login(make_user(organization=technology.organization))
    client.get(technology.get_absolute_url())
    client.force_login(make_staff())
    client.get(technology.get_absolute_url())
    assert not ListingEvent.objects.exists()


@pytest.mark.django_db
def test_a_visitor_is_counted_once_a_day(client):
    technology = make_technology()
    for _ in range(3):
        client.get(technology.get_absolute_url(), HTTP_USER_AGENT="Browser A")
    client.get(technology.get_absolute_url(), HTTP_USER_AGENT="Browser B")
    events = ListingEvent.objects.all()
    assert len(events) == 4
    assert len({e.visitor for e in events}) == 2
    # The same client hashes differently on another day: nothing links its days.
    request = client.get(technology.get_absolute_url()).wsgi_request
    today = timezone.localdate()
    assert services.visitor_hash(request, today) != services.visitor_hash(
        request, today - timedelta(days=1)
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_views_lose_no_count_and_never_write_the_listing_row(live_server):
    technology = make_technology()
    before = listing_row_version("listings_technology", technology.pk)
    url = live_server.url + technology.get_absolute_url()
    threads, per_thread, failures = 8, 5, []

    def browse(n):
        for _ in range(per_thread):
            request = urllib.request.Request(url, headers={"User-Agent": f"Agent {n}"})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    assert response.status == 200
            except Exception as error:  # noqa: BLE001 (reported below)
                failures.append(error)

    workers = [threading.Thread(target=browse, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not failures
    assert ListingEvent.objects.filter(listing_id=technology.pk).count() == threads * per_thread
    assert listing_row_version("listings_technology", technology.pk) == before

    # As if the day were over: fold it.
    ListingEvent.objects.update(day=timezone.localdate() - timedelta(days=1))
    services.fold_views()
    stats = ListingDailyStats.objects.get(listing_id=technology.pk)
    assert (stats.views, stats.visitors) == (threads * per_thread, threads)
    technology.refresh_from_db()
    assert technology.view_count == threads * per_thread


def add_events(listing, day, *, views=(), suggestions=()):
    fields = {
        "listing_type": services.listing_type_of(listing),
        "listing_id": listing.pk,
        "day": day,
    }
    ListingEvent.objects.bulk_create(
        [ListingEvent(**fields, event="view", visitor=v) for v in views]
        + [ListingEvent(**fields, event="suggestion", visitor=v) for v in suggestions]
    )


@pytest.mark.django_db
def test_fold_views_folds_complete_days_in_batches():
    today = timezone.localdate()
    technologies = [make_technology() for _ in range(3)]
    need = make_need()
    for technology in technologies:
        add_events(technology, today - timedelta(days=2), views=[1, 1, 2], suggestions=[5, 5])
        add_events(technology, today, views=[1])
    add_events(need, today - timedelta(days=1), views=[7, 8])
    out = __import__("io").StringIO()
    call_command("fold_views", "--batch-size=2", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[-1] == "Folded 17 events of 4 listings in 2 batches."
    assert lines[0].startswith("  batch 1:")
    for technology in technologies:
        stats = ListingDailyStats.objects.get(listing_type="technology", listing_id=technology.pk)
        assert (stats.day, stats.views, stats.visitors, stats.suggestions) == (
            today - timedelta(days=2), 3, 2, 1,
        )  # fmt: skip
        technology.refresh_from_db()
        assert technology.view_count == 3
    need.refresh_from_db()
    assert need.view_count == 2
    # Today stays in the log (its visitors are counted over the whole day); nothing folds twice.
    assert ListingEvent.objects.count() == 3
    assert set(ListingEvent.objects.values_list("day", flat=True)) == {today}
    call_command("fold_views", stdout=out)
    assert ListingDailyStats.objects.get(listing_id=technologies[0].pk).views == 3


@pytest.mark.django_db
def test_fold_views_rejects_a_bad_date():
    with pytest.raises(Exception, match="--before"):
        call_command("fold_views", "--before=yesterday")


@pytest.fixture
def fixture_figures(db):
    """A university's technology and a company's need, with one of everything, in numbers."""
    today = timezone.localdate()
    now = timezone.now()
    university = make_organization()
    company = make_organization(type="company")
    technology = make_technology(university)
    other_technology = make_technology(university)
    need = make_need(company)
    ListingDailyStats.objects.create(
        listing_type="technology", listing_id=technology.pk, day=today - timedelta(days=3),
        views=10, visitors=6, suggestions=2,
    )  # fmt: skip
    ListingDailyStats.objects.create(
        listing_type="technology", listing_id=other_technology.pk, day=today - timedelta(days=3),
        views=5, visitors=5, suggestions=0,
    )  # fmt: skip
    ListingDailyStats.objects.create(
        listing_type="technology",
        listing_id=technology.pk,
        day=today - timedelta(days=40),
        views=99,
        visitors=9,
        suggestions=9,
    )  # fmt: skip (outside the 30 days)
    add_events(technology, today, views=[1, 1, 2], suggestions=[3])
    reader = make_user(organization=company)
    Follow.objects.create(user=reader, technology=technology)
    Follow.objects.create(user=make_user(), technology=technology)
    search = SavedSearch.objects.create(user=reader, name="Solar", list="technologies")
    SentListing.objects.create(saved_search=search, technology=technology)
    LicenceRequest.objects.create(
        technology=technology, requester_organization=company, purpose="licence", message="Hello"
    )
    agreed = LicenceRequest.objects.create(
        technology=technology, requester_organization=make_organization(type="company"),
        purpose="licence", message="Hi", status=LicenceRequest.Status.AGREED, closed_at=now,
    )  # fmt: skip
    # Counted once both sides confirmed it (an unconfirmed one would not count).
    Agreement.objects.create(
        request=agreed, type=Agreement.Type.LICENCE, signed_on=today,
        recorded_by_side="owner", confirmed_at=now,
    )  # fmt: skip
    LicenceRequest.objects.create(
        need=need, proposed_technology=technology, requester_organization=university,
        purpose="proposal", message="Ours fits",
    )  # fmt: skip
    Match.objects.create(need=need, technology=technology, confirmed=True, confirmed_at=now)
    Match.objects.create(need=need, technology=other_technology)  # not confirmed
    return technology, other_technology, need


def funnel_of(response):
    return {key: value for key, _label, value in response.context["funnel"]}


def test_technology_analytics_figures_are_exact(client, fixture_figures):
    technology, _other, _need = fixture_figures
    client.force_login(make_user(organization=technology.organization))
    response = client.get(reverse("analytics:technology", args=[technology.pk]))
    assert response.status_code == 200
    assert funnel_of(response) == {
        "views": 13, "visitors": 8, "suggestions": 3, "follows": 2, "saves": 1,
        "requests": 2, "proposals": 1, "matches": 1, "agreements": 1,
    }  # fmt: skip
    page = response.content.decode()
    assert '<svg class="chart' in page and "<table>" in page


def test_need_and_organisation_analytics_are_exact(client, fixture_figures):
    technology, _other, need = fixture_figures
    client.force_login(make_user(organization=need.organization))
    response = client.get(reverse("analytics:need", args=[need.pk]))
    assert funnel_of(response) == {
        "views": 0, "visitors": 0, "suggestions": 0, "follows": 0, "saves": 0,
        "requests": 0, "proposals": 1, "matches": 1, "agreements": 0,
    }  # fmt: skip
    client.force_login(make_user(organization=technology.organization))
    url = reverse("analytics:organization", args=[technology.organization.slug])
    assert funnel_of(client.get(url)) == {
        "views": 18, "visitors": 13, "suggestions": 3, "follows": 2, "saves": 1,
        "requests": 2, "proposals": 1, "matches": 1, "agreements": 1,
    }  # fmt: skip
    assert funnel_of(client.get(url, {"days": 90}))["views"] == 117


def test_organisation_analytics_add_its_technologies_and_needs_day_by_day(client, db):
    """Each kind's rows are read by a statement arm of their own (analytics.selectors
    `_each_kind`): a day's figures are the sum of both, and no row is counted twice."""
    today = timezone.localdate()
    day = today - timedelta(days=2)
    organization = make_organization()
    technology, need = make_technology(organization), make_need(organization)
    for listing, views, visitors in ((technology, 7, 4), (need, 5, 3)):
        ListingDailyStats.objects.create(
            listing_type=services.listing_type_of(listing), listing_id=listing.pk, day=day,
            views=views, visitors=visitors, suggestions=1,
        )  # fmt: skip
    # Another organisation's need, on the same day, is not counted.
    ListingDailyStats.objects.create(
        listing_type="need", listing_id=make_need().pk, day=day, views=50, visitors=50,
        suggestions=50,
    )  # fmt: skip
    add_events(technology, today, views=[1, 2])
    add_events(need, today, views=[3], suggestions=[4])
    reader = make_user()
    Follow.objects.create(user=reader, technology=technology)
    Follow.objects.create(user=reader, need=need)
    search = SavedSearch.objects.create(user=reader, name="Heat", list="needs")
    SentListing.objects.create(saved_search=search, need=need)
    client.force_login(make_user(organization=organization))
    response = client.get(reverse("analytics:organization", args=[organization.slug]))
    assert funnel_of(response) == {
        "views": 15, "visitors": 10, "suggestions": 3, "follows": 2, "saves": 1,
        "requests": 0, "proposals": 0, "matches": 0, "agreements": 0,
    }  # fmt: skip
    by_day = response.context["analytics"].by_day
    assert (by_day[day]["views"], by_day[day]["visitors"]) == (12, 7)
    figures_today = by_day[today]
    assert (figures_today["views"], figures_today["visitors"], figures_today["follows"]) == (
        3,
        3,
        2,
    )


def test_analytics_csv_has_every_day(client, fixture_figures):
    technology, _other, _need = fixture_figures
    client.force_login(make_user(organization=technology.organization))
    response = client.get(reverse("analytics:technology_csv", args=[technology.pk]))
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == (
        "Day,Views,Distinct visitors (summed by day),Appearances in suggestions,Follows,"
        "Saves in alerts,Licence requests,Proposals,Confirmed matches,Agreements"
    )
    assert len(lines) == 31
    today = timezone.localdate()
    assert lines[-1] == f"{today.isoformat()},3,2,1,2,1,2,1,1,1"
    assert lines[-4] == f"{(today - timedelta(days=3)).isoformat()},10,6,2,0,0,0,0,0,0"


def test_analytics_queries_do_not_grow_with_the_listings(
    client, fixture_figures, django_assert_num_queries
):
    technology, _other, _need = fixture_figures
    organization = technology.organization
    member = make_user(organization=organization)
    client.force_login(member)
    url = reverse("analytics:organization", args=[organization.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(5):
        more = make_technology(organization)
        add_events(more, timezone.localdate(), views=[1, 2])
        Follow.objects.create(user=make_user(), technology=more)
    with django_assert_num_queries(len(small)):
        response = client.get(url)
    assert funnel_of(response)["views"] == 28
    with django_assert_num_queries(len(small)):
        client.get(reverse("analytics:technology", args=[technology.pk]))


def test_outsiders_get_404_and_staff_see_everything(client, fixture_figures):
    technology, _other, need = fixture_figures
    urls = [
        reverse("analytics:technology", args=[technology.pk]),
        reverse("analytics:technology_csv", args=[technology.pk]),
        reverse("analytics:need", args=[need.pk]),
        reverse("analytics:need_csv", args=[need.pk]),
        reverse("analytics:organization", args=[technology.organization.slug]),
        reverse("analytics:organization_csv", args=[need.organization.slug]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # to sign in
    client.force_login(make_user(organization=make_organization()))
    for url in urls:
        assert client.get(url).status_code == 404, url
    client.force_login(make_user())  # no organisation
    for url in urls:
        assert client.get(url).status_code == 404, url
    client.force_login(make_staff())
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_a_bad_period_is_a_400_with_a_message(client, fixture_figures):
    technology, _other, _need = fixture_figures
    client.force_login(make_user(organization=technology.organization))
    response = client.get(reverse("analytics:technology", args=[technology.pk]), {"days": "7x"})
    assert response.status_code == 400
    assert "Please choose one of the periods offered." in response.content.decode()


def test_owner_sees_the_analytics_link_and_the_public_does_not(client, fixture_figures):
    technology, _other, _need = fixture_figures
    link = reverse("analytics:technology", args=[technology.pk])
    assert link not in client.get(technology.get_absolute_url()).content.decode()
    client.force_login(make_user(organization=technology.organization))
    assert link in client.get(technology.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_appearances_in_suggestions_count_each_viewer_once_a_day(rf):
    technology = make_technology()
    request = rf.get("/")
    request.user = make_user()
    services.record_appearances(request, "technology", [technology.pk, technology.pk])
    services.record_appearances(request, "technology", [technology.pk])
    assert ListingEvent.objects.count() == 2  # one per listing and call
    ListingEvent.objects.update(day=timezone.localdate() - timedelta(days=1))
    services.fold_views()
    assert ListingDailyStats.objects.get(listing_id=technology.pk).suggestions == 1


@pytest.mark.django_db
def test_a_suggestion_shown_to_a_need_owner_counts_for_the_technology(client):
    company = make_organization(type="company")
    buyer = make_user(organization=company)
    need = make_need(
        company,
        title="Hydrogen storage tank for fuel cell vans",
        description="A light hydrogen tank for fuel cell vans.",
        fields=("hydrogen-fuel-cells",),
    )
    technology = make_technology(
        title="Lightweight hydrogen storage tank",
        summary="A composite hydrogen storage tank for fuel cell vehicles.",
        keywords=["hydrogen tank"],
        fields=("hydrogen-fuel-cells",),
    )
    client.force_login(make_staff())  # staff reviewing suggestions: not an appearance
    client.get(need.get_absolute_url())
    assert not ListingEvent.objects.exists()
    client.force_login(buyer)
    assert (
        "Lightweight hydrogen storage tank" in client.get(need.get_absolute_url()).content.decode()
    )
    event = ListingEvent.objects.get()
    assert (event.listing_type, event.listing_id, event.event) == (
        "technology",
        technology.pk,
        "suggestion",
    )


@pytest.mark.django_db
def test_nothing_on_a_public_get_writes_but_the_view_append(client):
    """Issue 19: public pages can be served by a read replica. The only write of a public GET is
    the detail page's append to the analytics log (cache writes go to the cache, Redis in
    production, and are not the database's rows)."""
    technology, need = make_technology(), make_need()
    urls = [
        "/",
        reverse("listings:technology_list"),
        reverse("needs:need_list"),
        technology.get_absolute_url(),
        need.get_absolute_url(),
        reverse("opendata:statistics"),
        reverse("opendata:sitemap"),
        reverse("opendata:listing_feed", args=["technologies"]),
        "/api/v1/technologies/",
        f"/api/v1/technologies/{technology.pk}/",
    ]
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            assert response.status_code == 200, url
            if response.streaming:
                b"".join(response.streaming_content)
        written = [
            sql
            for sql in writes(captured.captured_queries)
            if "portal_cache" not in sql
            and not sql.startswith('INSERT INTO "analytics_listingevent"')
        ]
        assert written == [], url
    assert ListingEvent.objects.count() == 2


@pytest.mark.django_db(transaction=True)  # outside a test's transaction, as on a real server
def test_a_view_is_committed_without_waiting_for_the_disk(client):
    technology = make_technology()
    with CaptureQueriesContext(connection) as captured:
        client.get(technology.get_absolute_url())
    (statement,) = [q["sql"] for q in captured.captured_queries if "INSERT" in q["sql"]]
    assert statement.startswith("SET LOCAL synchronous_commit TO OFF; INSERT")
    event = ListingEvent.objects.get(listing_id=technology.pk)  # committed
    assert (event.listing_type, event.event, event.day) == (
        "technology",
        "view",
        timezone.localdate(),
    )
    with connection.cursor() as cursor:  # SET LOCAL ended with its transaction
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)


@pytest.mark.django_db
def test_a_view_counted_inside_a_callers_transaction_keeps_its_durability(rf):
    technology = make_technology()
    request = rf.get(technology.get_absolute_url())
    request.user = AnonymousUser()
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        services.record_view(request, technology)
    assert not any("synchronous_commit" in q["sql"] for q in captured.captured_queries)
    assert ListingEvent.objects.filter(listing_id=technology.pk).count() == 1
