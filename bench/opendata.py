"""Benchmark scenarios of the open-data pages, for `make bench` (bench).

`manage.py bench` discovers them when it imports this module (e.g. autodiscovering
`<app>.bench` like the admin does). `measure()` also times them without the bench harness,
against any Django test client or a running server's base URL.
"""

import time
from urllib.request import urlopen

from bench.scenarios import scenario
from opendata import stats


@scenario("statistics (uncached aggregates)", timed="call", target_p95_ms=1500)
def statistics_uncached(ctx):
    """Every aggregate query of the statistics page, cache bypassed (the worst case)."""
    stats.public_statistics(refresh=True)


@scenario("API technologies (filtered)", target_p95_ms=150)
def api_technologies(ctx):
    """JSON API: first cursor page of a search with a TRL filter."""
    return f"/api/v1/technologies/?q={ctx.term()}&trl_min=4"


@scenario("Atom feed (filtered)", target_p95_ms=150)
def technology_feed(ctx):
    """Atom feed of a search (the 50 newest matches)."""
    return f"/technologies/feed/?q={ctx.term()}"


@scenario("CSV export (one field group)", target_p95_ms=5000)
def csv_export(ctx):
    """Streamed CSV of every published technology of one field group."""
    return f"/technologies/export.csv?field={ctx.rng.choice(ctx.groups)}"


PATHS = ["/statistics/", "/api/v1/statistics/", "/api/v1/technologies/?trl_min=4", "/sitemap.xml"]


def measure(client_or_url, paths=PATHS) -> dict[str, float]:
    """Seconds per path (one warm-up request first, so the statistics cache is filled), plus the
    uncached statistics computation when run in-process."""
    timings = {}
    for path in paths:
        fetch = _fetcher(client_or_url)
        fetch(path)
        start = time.perf_counter()
        fetch(path)
        timings[path] = time.perf_counter() - start
    if not isinstance(client_or_url, str):
        start = time.perf_counter()
        stats.public_statistics(refresh=True)
        timings["statistics (uncached)"] = time.perf_counter() - start
    return timings


def _fetcher(client_or_url):
    if isinstance(client_or_url, str):
        base = client_or_url.rstrip("/")
        return lambda path: urlopen(base + path).read()  # our own server

    def fetch(path):
        response = client_or_url.get(path)
        return b"".join(response.streaming_content) if response.streaming else response.content

    return fetch
