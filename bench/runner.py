"""Run the scenarios: a real gunicorn server, a plain sequential HTTP client, cold and warm
passes, each page against its own SQL, and the mixed load (bench/load.py).

Order of a run (every step after the scenarios' `prepare`):

1. **Cold pass**, scenario by scenario: caches dropped as far as possible first
   (bench/coldstart.py: new app server, Django cache, DISCARD ALL, OS page cache when root,
   PostgreSQL restart only with --cold-restart), then `requests` measured requests, no warm-up.
2. **Cold load**: caches dropped again, then the mixed load's first S seconds.
3. **Warm pass**: warm-up requests, then the *same* requests as the cold pass again (the
   difference between the columns is what sat in memory, not which pages were drawn).
4. **Page against its SQL** (bench/replay.py) for the first requests of each HTTP scenario,
   in-process; their query counts are the queries per request.
5. **Warm load**: a short unmeasured load, then S measured seconds.
"""

import io
import os
import platform
import random
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.core.management import call_command
from django.db import connection

from listings.models import Field, Technology

from . import coldstart, load, markdown, replay
from .scenarios import SCENARIOS, Context, Scenario, counted_queries
from .server import Server, get

QUERY_SAMPLE = 20
LOAD_NAME = "mixed load"


@dataclass
class Result:
    scenario: Scenario
    #: warm pass (the figures the "median"/"p95" properties give)
    latencies_ms: list[float] = field(default_factory=list)
    #: cold pass: the same requests, right after the caches were dropped
    cold_ms: list[float] = field(default_factory=list)
    first_ms: float = 0.0
    errors: list[str] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    page_sql: replay.PageSql | None = None
    paths: list[str] = field(default_factory=list)
    #: 1-minute load average when the cold and the warm measurements started and ended
    cold_load: tuple = (0.0, 0.0)
    load: tuple = (0.0, 0.0)

    @property
    def median(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def p95(self) -> float:
        return load.percentile(self.latencies_ms, 95)

    @property
    def cold_median(self) -> float:
        return statistics.median(self.cold_ms) if self.cold_ms else float("nan")

    @property
    def cold_p95(self) -> float:
        return load.percentile(self.cold_ms, 95)

    def _verdict(self, p95: float, measured: bool) -> bool | None:
        if self.scenario.target_p95_ms is None or not measured:
            return None
        return not self.errors and p95 < self.scenario.target_p95_ms

    @property
    def passed(self) -> bool | None:
        """The target holds for the cold figures when there are any (issue 18), else warm."""
        if self.cold_ms:
            return self._verdict(self.cold_p95, True)
        return self._verdict(self.p95, bool(self.latencies_ms))

    @property
    def warm_passed(self) -> bool | None:
        return self._verdict(self.p95, bool(self.latencies_ms))


@dataclass
class Options:
    requests: int = 200
    warmup: int = 20
    only: list[str] | None = None
    cold_restart: bool = False
    clients: int = 32
    seconds: float = 60
    load_workers: int = 4
    scale_out: bool = False
    out: callable = print


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)
    loads: list[load.LoadResult] = field(default_factory=list)
    scale_out: list[load.LoadResult] = field(default_factory=list)
    #: what was dropped before the cold measurements (bench/coldstart.py)
    cold_note: str = ""
    #: what `warm_caches` loaded into PostgreSQL's buffers before the cold pass
    warm_note: str = ""
    notes: list[str] = field(default_factory=list)


def warm_buffers(out) -> str:
    """What a deploy does before the site takes visitors (`manage.py warm_caches`): the
    listings, their indexes and the matching tables read into PostgreSQL's buffers, which the
    cold pass keeps (it drops the app server, the Django cache and the OS page cache)."""
    out("Warming PostgreSQL's buffers as a deploy does (manage.py warm_caches)…")
    output = io.StringIO()
    call_command("warm_caches", stdout=output)
    summary = output.getvalue().strip().splitlines()[-1]
    out(f"  {summary}")
    return summary


def build_context(seed: int) -> Context:
    ctx = Context(rng=random.Random(seed))
    ctx.published_ids = list(Technology.objects.published().values_list("pk", flat=True))
    ctx.groups = list(Field.objects.groups().values_list("slug", flat=True))
    return ctx


def timed_gets(result: Result, port: int, paths: list[str], into: list[float], out) -> None:
    for i, path in enumerate(paths, start=1):
        status, ms = get(port, path)
        into.append(ms)
        if status != 200:
            result.errors.append(f"{status} {path}")
        if i % 50 == 0 or i == len(paths):
            middle = statistics.median(into)
            out(
                f"    {i}/{len(paths)}  median {middle:.1f} ms  p95 {load.percentile(into, 95):.1f} ms"
            )


def run_http_cold(result: Result, ctx: Context, requests: int, out) -> None:
    result.paths = [result.scenario.function(ctx) for _ in range(requests)]
    with Server() as server:
        before = os.getloadavg()[0]
        timed_gets(result, server.port, result.paths, result.cold_ms, out)
        result.cold_load = (before, os.getloadavg()[0])
    result.first_ms = result.cold_ms[0] if result.cold_ms else 0.0


def run_http_warm(result: Result, ctx: Context, port: int, warmup: int, out) -> None:
    for _ in range(warmup):
        path = result.scenario.function(ctx)
        status, _ms = get(port, path)
        if status != 200:
            result.errors.append(f"{status} {path}")
    before = os.getloadavg()[0]
    timed_gets(result, port, result.paths, result.latencies_ms, out)
    result.load = (before, os.getloadavg()[0])


def timed_calls(result: Result, ctx: Context, calls: int, into: list[float], out) -> None:
    function = result.scenario.function
    for i in range(1, calls + 1):
        with counted_queries() as captured:
            started = time.perf_counter()
            function(ctx)
            into.append((time.perf_counter() - started) * 1000)
        if i <= QUERY_SAMPLE:
            result.queries.append(len(captured.captured_queries))
        if i % 50 == 0 or i == calls:
            out(f"    {i}/{calls}  median {statistics.median(into):.1f} ms  "
                f"p95 {load.percentile(into, 95):.1f} ms")  # fmt: skip


def run(ctx: Context, options: Options) -> Report:
    out = options.out
    discover()
    only = options.only
    scenarios = [s for s in SCENARIOS if s.available() and (not only or s.name in only)]
    skipped = [s.name for s in SCENARIOS if not s.available()]
    if skipped:
        out(f"Not available (skipped): {', '.join(skipped)}")
    for item in scenarios:
        if item.prepare:
            out(f"Preparing “{item.name}”…")
            item.prepare(ctx)
    report = Report(results=[Result(scenario=s) for s in scenarios])
    report.warm_note = warm_buffers(out)
    http_results = [r for r in report.results if r.scenario.timed == "http"]
    call_results = [r for r in report.results if r.scenario.timed == "call"]
    requests, warmup = options.requests, options.warmup

    out("Cold pass: caches dropped before each scenario, then the measured requests…")
    rng_states = {}
    for result in report.results:
        report.cold_note = coldstart.drop(options.cold_restart)
        calls = result.scenario.runs or requests
        out(f"  {result.scenario.name} (cold): {calls} {result.scenario.timed} requests")
        if result.scenario.timed == "http":
            run_http_cold(result, ctx, requests, out)
        else:
            rng_states[result.scenario.name] = ctx.rng.getstate()
            before = os.getloadavg()[0]
            timed_calls(result, ctx, calls, result.cold_ms, out)
            result.cold_load = (before, os.getloadavg()[0])
            result.first_ms = result.cold_ms[0] if result.cold_ms else 0.0
    out(f"  (dropped before each: {report.cold_note})")

    run_load = options.seconds > 0 and options.clients > 0 and (not only or LOAD_NAME in only)
    if run_load:
        coldstart.drop(options.cold_restart)
        report.loads.append(
            measure_load(ctx, options, f"cold: first {options.seconds:g} s after the drop", 0)
        )

    out("Warm pass: warm-up, then the same requests again…")
    if http_results:
        with Server() as server:
            for result in http_results:
                out(f"  {result.scenario.name} (warm): {warmup} warm-up + {requests} requests")
                run_http_warm(result, ctx, server.port, warmup, out)
    for result in call_results:
        if result.scenario.runs:
            continue  # a batch job measured once (cold) is not run again
        out(f"  {result.scenario.name} (warm): {warmup} warm-up + {requests} calls (in-process)")
        for _ in range(warmup):
            result.scenario.function(ctx)
        ctx.rng.setstate(rng_states[result.scenario.name])
        result.queries.clear()
        before = os.getloadavg()[0]
        timed_calls(result, ctx, requests, result.latencies_ms, out)
        result.load = (before, os.getloadavg()[0])

    out("Each page against its own SQL (in-process replay)…")
    for result in http_results:
        result.page_sql = replay.page_and_sql(result.paths[:QUERY_SAMPLE])
        result.queries = result.page_sql.queries

    if run_load:
        report.loads.append(measure_load(ctx, options, "warm", 1, warm_up=True))
    if options.scale_out:
        from . import scaleout

        report.scale_out, notes = scaleout.run(ctx, options)
        report.notes += notes
    return report


def measure_load(ctx, options: Options, label: str, seed: int, warm_up=False) -> load.LoadResult:
    """The mixed load against one app server of `options.load_workers` workers."""
    out = options.out
    with Server(workers=options.load_workers, env=load.SERVER_ENV) as server:
        if warm_up:
            server.warm_processes(load.sample_paths(ctx))
            seconds = max(5.0, options.seconds / 4)
            out(f"  mixed load: {seconds:g} s unmeasured warm-up")
            load.run(ctx, [server.port], options.clients, seconds, "warm-up", seed=seed + 100)
            timeouts_before = server.worker_timeouts()
        else:
            timeouts_before = 0
        out(f"  mixed load ({label}): {options.clients} clients × {options.seconds:g} s, "
            f"{options.load_workers} workers")  # fmt: skip
        result = load.run(ctx, [server.port], options.clients, options.seconds, label, seed=seed)
        result.worker_timeouts = server.worker_timeouts() - timeouts_before
    out("    " + load.describe(result))
    return result


def discover() -> None:
    """Import the scenarios of each area (they register themselves with `@scenario`)."""
    from . import alerts, analytics, matching, opendata  # noqa: F401


def machine() -> dict:
    def first(path, prefix):
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "unknown"

    mem_kb = first("/proc/meminfo", "MemTotal")
    memory = f"{int(mem_kb.split()[0]) / 1024 / 1024:.1f} GiB" if mem_kb[:1].isdigit() else mem_kb
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        buffers = cursor.fetchone()[0]
    return {
        "CPU": f"{first('/proc/cpuinfo', 'model name')} × {os.cpu_count()} (nproc)",
        "memory": memory,
        "PostgreSQL": f"{pg} (shared_buffers {buffers})",
        "Python / Django": f"{platform.python_version()} / {django.get_version()}",
        "OS": platform.platform(),
    }


def sizes() -> dict:
    """On-disk sizes that grow with the catalogue (tables with their indexes and TOAST)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT pg_size_pretty(pg_database_size(current_database())),
                   pg_size_pretty(pg_total_relation_size('listings_technology')),
                   pg_size_pretty(coalesce(pg_relation_size(to_regclass('technology_public_search')), 0)),
                   pg_size_pretty(coalesce((SELECT sum(pg_total_relation_size(c.oid))
                       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')
                         AND c.relname LIKE 'matching\\_%%'), 0))
            """
        )
        database, table, search_index, matching = cursor.fetchone()
    return {
        "database": database,
        "technologies table (indexes and TOAST included)": table,
        "search index technology_public_search": search_index,
        "matching tables (indexes included)": matching,
    }


def summary_line(results: list[Result]) -> str:
    parts = []
    for r in results:
        verdict = {True: "ok", False: "MISSED", None: ""}[r.passed]
        target = f" (<{r.scenario.target_p95_ms:g} {verdict})" if r.scenario.target_p95_ms else ""
        cold = f"cold p95 {r.cold_p95:.0f}" if r.cold_ms else ""
        warm = f"warm p95 {r.p95:.0f}" if r.latencies_ms else ""
        parts.append(f"{r.scenario.name} {' / '.join(filter(None, [cold, warm]))} ms{target}")
    return "; ".join(parts)


VERDICT = {True: "met", False: "**missed**", None: "—"}


def table(results: list[Result]) -> str:
    columns = ["scenario", "requests:", "cold p50 ms:", "cold p95 ms:", "warm p50 ms:",
               "warm p95 ms:", "warm max ms:", "first ms:", "queries/request:", "target p95:",
               "cold / warm", "load avg cold; warm"]  # fmt: skip
    rows = []
    for r in results:
        q = f"{statistics.median(r.queries):g} (max {max(r.queries)})" if r.queries else "—"
        target = f"< {r.scenario.target_p95_ms:g} ms" if r.scenario.target_p95_ms else "—"
        verdict = f"{VERDICT[r._verdict(r.cold_p95, bool(r.cold_ms))]} / {VERDICT[r.warm_passed]}"
        if r.errors:
            verdict += f", {len(r.errors)} errors"
        rows.append(
            [
                r.scenario.name,
                max(len(r.cold_ms), len(r.latencies_ms)),
                f"{r.cold_median:.1f}",
                f"{r.cold_p95:.1f}",
                *(
                    [f"{r.median:.1f}", f"{r.p95:.1f}", f"{max(r.latencies_ms):.1f}"]
                    if r.latencies_ms
                    else ["—", "—", "—"]  # a batch job runs once, cold
                ),
                f"{r.first_ms:.1f}",
                q,
                target,
                verdict,
                f"{r.cold_load[0]:.1f} → {r.cold_load[1]:.1f}; {r.load[0]:.1f} → {r.load[1]:.1f}",
            ]  # fmt: skip
        )
    return markdown.table(columns, rows)


def page_sql_table(results: list[Result]) -> str:
    """HTTP scenarios: the page over HTTP (warm), in-process, and its own SQL replayed. The
    HTTP median is over the same requests as the replay (the first QUERY_SAMPLE)."""
    columns = ["page", "HTTP p50 ms (warm):", "in-process p50 ms:", "its SQL p50 ms:",
               "HTTP ÷ SQL:", "in-process ÷ SQL:", "in-process CPU p50 ms:", "queries:"]  # fmt: skip
    rows = []
    for r in results:
        if r.page_sql is None:
            continue
        ps, sql = r.page_sql, r.page_sql.sql_median
        http = statistics.median(r.latencies_ms[:QUERY_SAMPLE])
        rows.append(
            [
                r.scenario.name,
                f"{http:.1f}",
                f"{ps.page_median:.1f}",
                f"{sql:.1f}",
                f"{http / sql:.1f}×" if sql > 0 else "—",
                f"{ps.page_median / sql:.1f}×" if sql > 0 else "—",
                f"{ps.page_cpu_median:.1f}",
                f"{statistics.median(ps.queries):g}",
            ]  # fmt: skip
        )
    return markdown.table(columns, rows)
