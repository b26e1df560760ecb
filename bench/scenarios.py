"""The named scenarios of the benchmark. Adding one takes a few lines in this package (a module
of an area is listed in `runner.discover`)::

    from bench.scenarios import scenario

    @scenario("needs search", target_p95_ms=150)
    def needs_search(ctx):
        return f"/needs/?q={ctx.term()}"

An HTTP scenario returns the path to GET from the real server (timed over HTTP, and replayed
in-process to count queries). With `timed="call"` the function itself is timed in-process (for
a service such as ranking technologies for one need). `prepare(ctx)` runs once after the data
is generated, e.g. to create the rows a scenario needs; it may store things in `ctx.extra`.
"""

import random
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from . import vocabulary as vocab


@dataclass
class Context:
    """What scenarios draw their requests from (filled from the bench database)."""

    rng: random.Random
    published_ids: list[int] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def term(self) -> str:
        """A common English search term: topic words (in one field) and general words."""
        topic = [w for words in vocab.TOPICS_EN.values() for w in words.split() if "-" not in w]
        general = ["efficiency", "sensor", "membrane", "catalyst", "storage", "recovery"]
        return self.rng.choice(topic if self.rng.random() < 0.8 else general)

    def term_ja(self) -> str:
        return self.rng.choice([w for words in vocab.TOPICS_JA.values() for w in words.split()])


@dataclass
class Scenario:
    name: str
    function: Callable
    timed: str = "http"  # "http": function(ctx) returns a path to GET; "call": the call is timed
    target_p95_ms: float | None = None
    description: str = ""
    available: Callable[[], bool] = lambda: True
    prepare: Callable | None = None
    # A batch job timed as a whole (e.g. a digest run): this many measured calls, no warm-up.
    runs: int | None = None


SCENARIOS: list[Scenario] = []


def scenario(
    name,
    *,
    timed="http",
    target_p95_ms=None,
    description="",
    available=None,
    prepare=None,
    runs=None,
):
    """Register a scenario (decorator)."""

    def decorator(function):
        SCENARIOS.append(
            Scenario(
                name=name,
                function=function,
                timed=timed,
                target_p95_ms=target_p95_ms,
                description=description or (function.__doc__ or "").strip(),
                available=available or (lambda: True),
                prepare=prepare,
                runs=runs,
            )
        )
        return function

    return decorator


def list_query(ctx: Context, q: str) -> str:
    params = {"q": q, "trl_min": ctx.rng.randint(3, 6), "field": ctx.rng.choice(ctx.groups)}
    return "/technologies/?" + urlencode(params)


@scenario("search (English)", target_p95_ms=150)
def search_english(ctx):
    """Technologies list: a common English term, TRL from 3–6 and a field group."""
    return list_query(ctx, ctx.term())


@scenario("search (Japanese)", target_p95_ms=150)
def search_japanese(ctx):
    """Technologies list: a Japanese term (CJK bigram phrase), TRL from 3–6 and a field group."""
    return list_query(ctx, ctx.term_ja())


BROAD_WORDS = ["efficiency", "system", "method", "process", "performance", "energy", "material"]


@scenario("broad search", target_p95_ms=300)
def broad_search(ctx):
    """Technologies list: one very common word and a TRL bound, no field (half the catalogue)."""
    params = {"q": ctx.rng.choice(BROAD_WORDS), "trl_min": ctx.rng.randint(3, 6)}
    return "/technologies/?" + urlencode(params)


@scenario("technology detail", target_p95_ms=50)
def technology_detail(ctx):
    """A random published technology's page (related technologies included)."""
    return f"/technologies/{ctx.rng.choice(ctx.published_ids)}/"


@scenario("statistics")
def statistics(ctx):
    """The public statistics page (opendata app; cached aggregates)."""
    return "/statistics/"


@scenario("near-empty view (robots.txt)")
def near_empty(ctx):
    """A view that renders a tiny template and queries nothing: the floor of any page."""
    return "/robots.txt"


@contextmanager
def counted_queries():
    """``CaptureQueriesContext`` on the default connection with its query log emptied first.
    Django keeps the last 9,000 queries of a connection; once that log is full a capture
    sees no new entry and counts 0. Every bench run before session 21 reported 0 queries for
    the uncached statistics (it runs 30), and session 21's first run 0 for `rank()` and
    `send_digests` too, the scenarios before them having filled the log."""
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        yield captured
