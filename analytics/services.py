"""Counting interest: a cheap append on the request path, folded into daily counts in batches."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connection, connections, router, transaction
from django.utils import timezone

from lib.clients import client_address
from listings.models import Technology
from needs.models import Need

from .models import Event, ListingDailyStats, ListingEvent, ListingType

LISTING_MODELS = {ListingType.TECHNOLOGY: Technology, ListingType.NEED: Need}


def listing_type_of(listing) -> str:
    return ListingType.NEED if isinstance(listing, Need) else ListingType.TECHNOLOGY


def visitor_hash(request, day: date) -> int:
    """Who is looking, as 63 bits that only tell visitors of one day apart.

    A keyed hash (HMAC with the secret key) of the day and the signed-in user or, for anonymous
    visitors, the connection's address and browser. The day in the key means the same visitor
    hashes differently tomorrow; the key means the hash cannot be recomputed from a guessed
    address without the server's secret. The hash lives only in unfolded events: fold_views
    deletes them and keeps counts alone.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        who = f"user:{user.pk}"
    else:
        agent = request.META.get("HTTP_USER_AGENT", "")[:300]
        who = f"client:{client_address(request)}|{agent}"
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{day.isoformat()}|{who}".encode(), hashlib.sha256
    ).digest()
    return int.from_bytes(digest[:8], "big") >> 1  # fits a signed bigint


VIEW_COLUMNS = ("listing_type", "listing_id", "event", "day", "visitor")
#: One statement, so one round trip: in autocommit, statements sent together run as one
#: transaction, and `SET LOCAL` holds for that transaction only.
RECORD_VIEW_SQL = (
    "SET LOCAL synchronous_commit TO OFF; "
    f"INSERT INTO {ListingEvent._meta.db_table} ({', '.join(VIEW_COLUMNS)}) "
    f"VALUES ({', '.join(['%s'] * len(VIEW_COLUMNS))})"
)


def record_view(request, listing) -> None:
    """Count a view of a public detail page: one INSERT into the event log, never an UPDATE
    (no row lock, no lost count under concurrency, the listing's row untouched).

    Its commit does not wait for the write-ahead log to reach the disk (`synchronous_commit`
    off for this one transaction): the flush cost 0.2–4 ms on the bench machine, as much as all
    the reads of a technology's page, for a visitor who is not waiting for it. A crash of the
    database server may lose the last fraction of a second of views (never corrupts anything),
    which a count of views can afford. Inside a caller's transaction nothing is relaxed: the
    caller's other writes keep their durability."""
    day = timezone.localdate()
    values = [
        str(listing_type_of(listing)),
        listing.pk,
        str(Event.VIEW),
        day,
        visitor_hash(request, day),
    ]
    using = router.db_for_write(ListingEvent)
    if connections[using].in_atomic_block:
        ListingEvent.objects.using(using).create(**dict(zip(VIEW_COLUMNS, values, strict=True)))
        return
    with connections[using].cursor() as cursor:
        cursor.execute(RECORD_VIEW_SQL, values)


def record_appearances(request, listing_type: str, listing_ids) -> None:
    """Count that these listings were shown to someone as suggestions (one multi-row INSERT)."""
    ids = list(dict.fromkeys(listing_ids))
    if not ids:
        return
    day = timezone.localdate()
    visitor = visitor_hash(request, day)
    ListingEvent.objects.bulk_create(
        ListingEvent(
            listing_type=listing_type,
            listing_id=pk,
            event=Event.SUGGESTION,
            day=day,
            visitor=visitor,
        )
        for pk in ids
    )


@dataclass
class FoldResult:
    listings: int = 0
    events: int = 0
    batches: int = 0


# One statement per batch, so a batch is folded whole or not at all. The DELETE ... RETURNING
# takes the batch's events out of the log; two folds running at once cannot count an event twice
# (the second one's DELETE waits for the first and then finds nothing). Whole (listing, day)
# groups are folded together, so a day's distinct visitors are counted once.
FOLD_SQL = """
WITH batch AS (
    SELECT DISTINCT listing_type, listing_id FROM {events}
    WHERE day < %(before)s ORDER BY listing_type, listing_id LIMIT %(size)s
), gone AS (
    DELETE FROM {events} e USING batch b
    WHERE e.day < %(before)s AND e.listing_type = b.listing_type AND e.listing_id = b.listing_id
    RETURNING e.listing_type, e.listing_id, e.day, e.event, e.visitor
), counts AS (
    SELECT listing_type, listing_id, day,
        count(*) FILTER (WHERE event = 'view') AS views,
        count(DISTINCT visitor) FILTER (WHERE event = 'view') AS visitors,
        count(DISTINCT visitor) FILTER (WHERE event = 'suggestion') AS suggestions
    FROM gone GROUP BY listing_type, listing_id, day
), stored AS (
    INSERT INTO {stats} AS s (listing_type, listing_id, day, views, visitors, suggestions)
    SELECT listing_type, listing_id, day, views, visitors, suggestions FROM counts
    ON CONFLICT (listing_type, listing_id, day) DO UPDATE SET
        views = s.views + EXCLUDED.views,
        visitors = s.visitors + EXCLUDED.visitors,
        suggestions = s.suggestions + EXCLUDED.suggestions
), technologies AS (
    UPDATE {technology} t SET view_count = t.view_count + c.views
    FROM (SELECT listing_id, sum(views) AS views FROM counts
          WHERE listing_type = 'technology' GROUP BY listing_id HAVING sum(views) > 0) c
    WHERE t.id = c.listing_id
), needs AS (
    UPDATE {need} n SET view_count = n.view_count + c.views
    FROM (SELECT listing_id, sum(views) AS views FROM counts
          WHERE listing_type = 'need' GROUP BY listing_id HAVING sum(views) > 0) c
    WHERE n.id = c.listing_id
)
SELECT (SELECT count(*) FROM batch), (SELECT count(*) FROM gone)
"""


def fold_views(*, before: date | None = None, batch_size: int = 1000, progress=None):
    """Fold the event log of the days before `before` (default: today) into daily counts.

    Batches of `batch_size` listings, one transaction each; the listing's total `view_count`
    grows once per batch, not once per view. Today is left alone so that a day's distinct
    visitors are counted over the whole day."""
    today = timezone.localdate()
    before = min(before or today, today)
    sql = FOLD_SQL.format(
        events=ListingEvent._meta.db_table,
        stats=ListingDailyStats._meta.db_table,
        technology=Technology._meta.db_table,
        need=Need._meta.db_table,
    )
    result = FoldResult()
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, {"before": before, "size": batch_size})
            listings, events = cursor.fetchone()
        if not listings:
            return result
        result.listings += listings
        result.events += events
        result.batches += 1
        if progress:
            progress(result)
