"""Mixed load: N clients for S seconds against one or more app servers on loopback.

Each client is a thread with its own seeded random source that sends one request at a time
(closed loop: the next request leaves when the previous answer has been read completely, a new
connection each time, as the sequential scenarios do) and picks its pages from `MIX`: filtered
and broad searches, technology details, the API, the feed and the statistics page. With
several servers, client i talks to server i mod k (round robin by client: no proxy in between
to measure). Requests still running when the time is up are waited for and counted.

Each client is a visitor of its own: its requests carry its own address (198.18.0.0/15, the
range set aside for benchmarks) as a reverse proxy in front of the app would pass it on, and
the servers trust one proxy (`SERVER_ENV`). The API throttles each anonymous visitor
(`API_ANON_THROTTLE_RATE`, 600 an hour); thirty-two visitors behind one address were throttled
as one, and a full `make bench` run (the API scenario, the cold load, the warm-up) went past
that address's hour: 478 answers of 429 in the warm minute.

Reported: completed requests per second of wall time, p50/p95/max over every request, errors
(non-200 answers and failed connections) and worker timeouts (gunicorn killing a worker that
took longer than its --timeout, counted in the servers' logs).
"""

import os
import random
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from . import markdown, opendata
from . import scenarios as builtin
from .scenarios import Context
from .server import get

#: (name, weight, path function): what a public visitor asks for, roughly.
MIX = [
    ("search (English)", 20, builtin.search_english),
    ("search (Japanese)", 8, builtin.search_japanese),
    ("broad search", 7, builtin.broad_search),
    ("technology detail", 40, builtin.technology_detail),
    ("API technologies (filtered)", 10, opendata.api_technologies),
    ("Atom feed (filtered)", 5, opendata.technology_feed),
    ("statistics", 10, builtin.statistics),
]
REQUEST_TIMEOUT = 120  # seconds: longer than gunicorn's --timeout, so its kills show as such
#: What the servers of a mixed load run with: one reverse proxy trusted (see the module).
SERVER_ENV = {"TRUSTED_PROXY_COUNT": "1"}


def client_address(number: int) -> str:
    """Client `number`'s address, one of 131,072 in 198.18.0.0/15 (RFC 2544)."""
    return f"198.{18 + number // 65536 % 2}.{number // 256 % 256}.{number % 256}"


@dataclass
class LoadResult:
    label: str
    clients: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    by_page: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)
    #: answered requests per server port (client i talks to server i mod k)
    by_port: Counter = field(default_factory=Counter)
    worker_timeouts: int = 0
    elapsed: float = 0.0
    load: tuple = (0.0, 0.0)

    @property
    def requests(self) -> int:
        return len(self.latencies_ms) + sum(self.errors.values())

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.elapsed if self.elapsed else 0.0

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def p95(self) -> float:
        return percentile(self.latencies_ms, 95)


def percentile(data: list[float], n: int) -> float:
    if len(data) < 2:
        return data[0] if data else float("nan")
    return statistics.quantiles(data, n=100, method="inclusive")[n - 1]


def client_context(ctx: Context, seed: int) -> Context:
    """A context of its own per client thread (random.Random is not shared between threads)."""
    return Context(
        rng=random.Random(seed), published_ids=ctx.published_ids, groups=ctx.groups, extra={}
    )


def sample_paths(ctx: Context) -> list[str]:
    """One path of each page of the mix (to warm up new app server processes)."""
    own = client_context(ctx, seed=-1)
    return [function(own) for _, _, function in MIX]


def run(
    ctx: Context, ports: list[int], clients: int, seconds: float, label: str, seed: int = 0
) -> LoadResult:
    result = LoadResult(label=label, clients=clients, seconds=seconds)
    names = [name for name, _, _ in MIX]
    weights = [weight for _, weight, _ in MIX]
    functions = {name: function for name, _, function in MIX}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(number: int) -> None:
        own = client_context(ctx, seed * 1000 + number)
        port = ports[number % len(ports)]
        address = client_address(number)
        while time.monotonic() < stop_at:
            name = own.rng.choices(names, weights)[0]
            try:
                status, ms = get(
                    port, functions[name](own), timeout=REQUEST_TIMEOUT, client=address
                )
            except Exception as error:  # noqa: BLE001 - counted and reported, never lost
                with lock:
                    result.errors[type(error).__name__] += 1
                if not isinstance(error, OSError):
                    return  # a broken scenario would fail the same way again
                continue
            with lock:
                result.by_port[port] += 1
                if status == 200:
                    result.latencies_ms.append(ms)
                    result.by_page.setdefault(name, []).append(ms)
                else:
                    result.errors[f"HTTP {status}"] += 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed = time.monotonic() - started
    result.load = (load_before, os.getloadavg()[0])
    return result


def describe(result: LoadResult) -> str:
    errors = ", ".join(f"{k} × {v}" for k, v in result.errors.items()) or "none"
    pages = "; ".join(
        f"{name} p50 {statistics.median(ms):.0f} / p95 {percentile(ms, 95):.0f} ms ({len(ms)})"
        for name, ms in result.by_page.items()
    )
    return (
        f"{result.label}: {result.rate:.1f} requests/s, p50 {result.p50:.0f} ms, p95 "
        f"{result.p95:.0f} ms, errors: {errors}, worker timeouts: {result.worker_timeouts}; "
        f"{pages}"
    )


def table(results: list[LoadResult]) -> str:
    columns = ["load", "clients × s:", "requests:", "requests/s:", "p50 ms:", "p95 ms:",
               "max ms:", "errors:", "worker timeouts:", "load avg"]  # fmt: skip
    rows = [
        [
            r.label,
            f"{r.clients} × {r.seconds:g}",
            f"{r.requests:,}",
            f"{r.rate:.1f}",
            f"{r.p50:.0f}",
            f"{r.p95:.0f}",
            f"{max(r.latencies_ms, default=float('nan')):.0f}",
            sum(r.errors.values()),
            r.worker_timeouts,
            f"{r.load[0]:.1f} → {r.load[1]:.1f}",
        ]  # fmt: skip
        for r in results
    ]
    return markdown.table(columns, rows)
