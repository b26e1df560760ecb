"""Benchmark scenario of the digests, for `make bench` (bench; issue 14: `send_digests`
for 10,000 saved searches over the generated technologies, a day's 300 new listings, under 60 s
with the queries per saved search constant).

`prepare` creates the saved searches (ALERTS_BENCH_SEARCHES, default 10,000; five per bench
user, each a list query like the search scenarios': a term, a TRL floor, often a field group,
sometimes a country), all last checked a day ago, and marks ALERTS_BENCH_NEW_LISTINGS (default
300) published technologies as published within the last day. The scenario runs `send_digests` once, as the cron job would
(mail through the in-memory backend: rendering counted, no SMTP), and prints the queries per
saved search.
"""

import os
import time
from datetime import timedelta
from urllib.parse import urlencode

from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from alerts import services
from alerts.models import Frequency, SavedSearch, SearchList, SentListing
from bench.scenarios import counted_queries, scenario
from listings.models import Technology

PER_USER = 5
EMAIL_DOMAIN = "alerts-bench.invalid"


def _searches() -> int:
    return int(os.environ.get("ALERTS_BENCH_SEARCHES", "10000"))


def _new_listings() -> int:
    return int(os.environ.get("ALERTS_BENCH_NEW_LISTINGS", "300"))


def _out(message: str) -> None:
    print(message, flush=True)


def prepare(ctx) -> None:
    now = timezone.now()
    count = _searches()
    SavedSearch.objects.filter(user__email__endswith=EMAIL_DOMAIN).delete()
    User.objects.filter(email__endswith=EMAIL_DOMAIN).delete()
    users = User.objects.bulk_create(
        User(email=f"reader{n}@{EMAIL_DOMAIN}", full_name=f"Reader {n}", password="!")
        for n in range(-(-count // PER_USER))
    )
    searches = []
    for n in range(count):
        params = {"q": ctx.term(), "trl_min": ctx.rng.randint(2, 6)}
        if ctx.rng.random() < 0.6:
            params["field"] = ctx.rng.choice(ctx.groups)
        if ctx.rng.random() < 0.2:
            params["country"] = ctx.rng.choice(["JP", "US", "DE", "KR", "FR"])
        searches.append(
            SavedSearch(
                user=users[n // PER_USER],
                name=f"search {n}",
                list=SearchList.TECHNOLOGIES,
                query=urlencode(params),
                frequency=Frequency.DAILY,
                language="ja" if n % 3 == 0 else "en",
                created_at=now - timedelta(days=30),
                checked_at=now - timedelta(days=1, hours=1),
            )
        )
    SavedSearch.objects.bulk_create(searches, batch_size=2000)
    # A day's new listings (300 by default) moved into the last 24 hours (the rest are older
    # than every saved search's last check).
    Technology.objects.published().filter(published_at__gt=now - timedelta(days=2)).update(
        published_at=now - timedelta(days=40)
    )
    fresh = ctx.rng.sample(ctx.published_ids, min(_new_listings(), len(ctx.published_ids)))
    step = max(1, 23 * 60 // max(len(fresh), 1))  # minutes apart, all within the last day
    for offset, pk in enumerate(fresh):
        Technology.objects.filter(pk=pk).update(
            published_at=now - timedelta(minutes=1 + offset * step)
        )
    _out(f"    {count:,} saved searches of {len(users):,} users; {len(fresh)} new listings.")


def _reset() -> None:
    """Back to the state before the run (so `bench --reuse` measures the same work)."""
    SentListing.objects.filter(saved_search__user__email__endswith=EMAIL_DOMAIN).delete()
    SavedSearch.objects.filter(user__email__endswith=EMAIL_DOMAIN).update(
        checked_at=timezone.now() - timedelta(days=1, hours=1)
    )


@scenario(
    "send_digests (saved searches)",
    timed="call",
    target_p95_ms=60_000,
    prepare=prepare,
    runs=1,
    available=lambda: _searches() > 0,
)
def send_digests(ctx):
    """`send_digests` once for every due saved search against a day's 300 new listings."""
    _reset()
    started = time.perf_counter()
    locmem = override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    with locmem, counted_queries() as captured:
        summary = services.send_digests()
    seconds = time.perf_counter() - started
    queries = len(captured.captured_queries)
    per_search = queries / summary.searches if summary.searches else 0
    _out(
        f"    send_digests: {summary.searches:,} saved searches, {summary.mails:,} mails, "
        f"{summary.listings:,} listings in {seconds:.1f} s; {queries:,} queries "
        f"({per_search:.2f} per saved search)"
    )
