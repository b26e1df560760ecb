"""Benchmark scenarios of the analytics pages, for `make bench` (bench; issue 15:
analytics p95 < 150 ms at 100,000 technologies; the technology detail page, which now appends
a view event, is the "technology detail" scenario of bench/scenarios.py).

`prepare` gives every fifth technology 30 folded days of views (about 600,000 daily rows at
100,000 technologies) and today's unfolded events, and signs in a member of the organisation
with the most technologies; the scenarios open that organisation's analytics page and the page
of one of its technologies (in-process test client, signed in).
"""

import time

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from accounts.models import Membership, Organization, User
from analytics.models import ListingDailyStats, ListingEvent
from bench.scenarios import scenario
from listings.models import Technology

MEMBER_EMAIL = "analytics-member@analytics-bench.invalid"
DAYS = 30


def _out(message: str) -> None:
    print(message, flush=True)


def prepare(ctx) -> None:
    if "analytics_client" in ctx.extra:  # both scenarios share one preparation
        return
    started = time.monotonic()
    today = timezone.localdate()
    organization = (
        Organization.objects.annotate(n=Count("technologys")).order_by("-n", "pk").first()
    )
    ListingDailyStats.objects.all().delete()
    ListingEvent.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {ListingDailyStats._meta.db_table}
                (listing_type, listing_id, day, views, visitors, suggestions)
            SELECT 'technology', t.id, d::date, 10 + abs(t.id + (d::date - %(today)s)) %% 20,
                   3 + (t.id %% 3), t.id %% 4
            FROM {Technology._meta.db_table} t
            CROSS JOIN generate_series(%(today)s - {DAYS}, %(today)s - 1, interval '1 day') d
            WHERE t.id %% 5 = 0 OR t.organization_id = %(organization)s
            """,
            {"today": today, "organization": organization.pk},
        )
        cursor.execute(
            f"""
            INSERT INTO {ListingEvent._meta.db_table} (listing_type, listing_id, event, day, visitor)
            SELECT 'technology', t.id, 'view', %(today)s, g
            FROM {Technology._meta.db_table} t CROSS JOIN generate_series(1, 5) g
            WHERE t.id %% 50 = 0 OR t.organization_id = %(organization)s
            """,
            {"today": today, "organization": organization.pk},
        )
        cursor.execute(f"ANALYZE {ListingDailyStats._meta.db_table}, {ListingEvent._meta.db_table}")
    member = User.objects.filter(email=MEMBER_EMAIL).first() or User.objects.create_user(
        email=MEMBER_EMAIL, password=None, full_name="Analytics Bench"
    )
    Membership.objects.filter(user=member).delete()
    Membership.objects.create(
        user=member, organization=organization, status=Membership.Status.ACTIVE
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_HOST="127.0.0.1")
    client.force_login(member)
    ctx.extra["analytics_client"] = client
    ctx.extra["analytics_organization"] = organization
    ctx.extra["analytics_technologies"] = list(
        Technology.objects.filter(organization=organization).values_list("pk", flat=True)
    )
    rows = ListingDailyStats.objects.count()
    _out(
        f"  {rows:,} daily rows; organisation with {len(ctx.extra['analytics_technologies']):,}"
        f" technologies; prepared in {time.monotonic() - started:.0f} s"
    )


def _get(ctx, path):
    response = ctx.extra["analytics_client"].get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path}: {response.status_code}")


@scenario("organisation analytics (member)", timed="call", target_p95_ms=150, prepare=prepare)
def organization_analytics(ctx):
    """The analytics page of the organisation with most technologies, 30 days (in-process)."""
    _get(ctx, f"/analytics/organisations/{ctx.extra['analytics_organization'].slug}/")


@scenario("technology analytics (member)", timed="call", target_p95_ms=150, prepare=prepare)
def technology_analytics(ctx):
    """The analytics page of one of that organisation's technologies, 30 days (in-process)."""
    pk = ctx.rng.choice(ctx.extra["analytics_technologies"])
    _get(ctx, f"/analytics/technologies/{pk}/")
