"""Run the scenarios: a real gunicorn server, a plain sequential HTTP client, query counts."""

import http.client
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from listings.models import Field, Technology

from .scenarios import SCENARIOS, Context, Scenario

QUERY_SAMPLE = 20


@dataclass
class Result:
    scenario: Scenario
    latencies_ms: list[float] = field(default_factory=list)
    first_ms: float = 0.0
    errors: list[str] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    #: 1-minute load average when the measurement started and ended (other work on the machine)
    load: tuple = (0.0, 0.0)

    @property
    def median(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def p95(self) -> float:
        data = self.latencies_ms
        if len(data) < 2:
            return data[0] if data else float("nan")
        return statistics.quantiles(data, n=100, method="inclusive")[94]

    @property
    def passed(self) -> bool | None:
        if self.scenario.target_p95_ms is None:
            return None
        return not self.errors and self.p95 < self.scenario.target_p95_ms


def build_context(seed: int) -> Context:
    ctx = Context(rng=random.Random(seed))
    ctx.published_ids = list(Technology.objects.published().values_list("pk", flat=True))
    ctx.groups = list(Field.objects.groups().values_list("slug", flat=True))
    return ctx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn from the venv, on a free local port, with the bench environment."""

    def __init__(self, workers: int = 2):
        self.port = free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.command = [
            str(gunicorn),
            "portal.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
            "--chdir",
            str(settings.BASE_DIR),
        ]
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(self.command, env=dict(os.environ))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with code {self.process.returncode}")
            try:
                status, _ = get(self.port, "/robots.txt", timeout=2)
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def get(port: int, path: str, timeout: float = 30) -> tuple[int, float]:
    """One sequential GET, body read completely; returns (status, milliseconds)."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept-Language": "en", "Host": "127.0.0.1"})
        response = conn.getresponse()
        response.read()
        status = response.status
    finally:
        conn.close()
    return status, (time.perf_counter() - started) * 1000


def run_http(result: Result, ctx: Context, port: int, requests: int, warmup: int, out) -> list[str]:
    paths = [result.scenario.function(ctx) for _ in range(warmup + requests)]
    for i, path in enumerate(paths[:warmup]):
        status, ms = get(port, path)
        if i == 0:
            result.first_ms = ms
        if status != 200:
            result.errors.append(f"{status} {path}")
    load_before = os.getloadavg()[0]
    for i, path in enumerate(paths[warmup:], start=1):
        status, ms = get(port, path)
        result.latencies_ms.append(ms)
        if status != 200:
            result.errors.append(f"{status} {path}")
        if i % 50 == 0 or i == requests:
            out(f"    {i}/{requests}  median {result.median:.1f} ms  p95 {result.p95:.1f} ms")
    result.load = (load_before, os.getloadavg()[0])
    return paths[warmup:]


def count_http_queries(result: Result, paths: list[str]) -> None:
    """Replay the first requests in-process (Django's test client) and count their queries."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for path in paths[:QUERY_SAMPLE]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
            if response.streaming:  # a streamed body (CSV) queries while it is consumed
                for _chunk in response.streaming_content:
                    pass
        result.queries.append(len(captured.captured_queries))


def run_call(result: Result, ctx: Context, requests: int, warmup: int, out) -> None:
    function = result.scenario.function
    for i in range(warmup):
        started = time.perf_counter()
        function(ctx)
        if i == 0:
            result.first_ms = (time.perf_counter() - started) * 1000
    load_before = os.getloadavg()[0]
    for i in range(1, requests + 1):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            function(ctx)
            result.latencies_ms.append((time.perf_counter() - started) * 1000)
        if i <= QUERY_SAMPLE:
            result.queries.append(len(captured.captured_queries))
        if i % 50 == 0 or i == requests:
            out(f"    {i}/{requests}  median {result.median:.1f} ms  p95 {result.p95:.1f} ms")
    result.load = (load_before, os.getloadavg()[0])


def discover() -> None:
    """Import the scenarios of each area (they register themselves with `@scenario`)."""
    from . import alerts, analytics, matching, opendata  # noqa: F401


def run(ctx: Context, requests: int, warmup: int, out=print, only=None) -> list[Result]:
    discover()
    scenarios = [s for s in SCENARIOS if s.available() and (not only or s.name in only)]
    skipped = [s.name for s in SCENARIOS if not s.available()]
    if skipped:
        out(f"Not available (skipped): {', '.join(skipped)}")
    for item in scenarios:
        if item.prepare:
            out(f"Preparing “{item.name}”…")
            item.prepare(ctx)
    results = [Result(scenario=s) for s in scenarios]
    http_results = [r for r in results if r.scenario.timed == "http"]
    if http_results:
        out("Starting gunicorn (2 workers, DEBUG off)…")
        with Server() as server:
            replay = {}
            for result in http_results:
                out(f"  {result.scenario.name}: {warmup} warm-up + {requests} requests")
                replay[result.scenario.name] = run_http(
                    result, ctx, server.port, requests, warmup, out
                )
        for result in http_results:
            count_http_queries(result, replay[result.scenario.name])
    for result in results:
        if result.scenario.timed == "call":
            # A batch job (`runs`) is timed as a whole that many times, without warm-up.
            runs = result.scenario.runs
            calls, first = (runs, 0) if runs else (requests, warmup)
            out(f"  {result.scenario.name}: {first} warm-up + {calls} calls (in-process)")
            run_call(result, ctx, calls, first, out)
    return results


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
    return {
        "CPU": f"{first('/proc/cpuinfo', 'model name')} × {os.cpu_count()} (nproc)",
        "memory": memory,
        "PostgreSQL": pg,
        "Python / Django": f"{platform.python_version()} / {django.get_version()}",
        "OS": platform.platform(),
    }


def summary_line(results: list[Result]) -> str:
    parts = []
    for r in results:
        verdict = {True: "ok", False: "MISSED", None: ""}[r.passed]
        target = f" (<{r.scenario.target_p95_ms:g} {verdict})" if r.scenario.target_p95_ms else ""
        parts.append(f"{r.scenario.name} p95 {r.p95:.0f} ms{target}")
    return "; ".join(parts)


def table(results: list[Result]) -> str:
    lines = [
        "| scenario | requests | median ms | p95 ms | max ms | first ms | queries/request "
        "| target p95 | result | load avg |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        q = f"{statistics.median(r.queries):g} (max {max(r.queries)})" if r.queries else "—"
        target = f"< {r.scenario.target_p95_ms:g} ms" if r.scenario.target_p95_ms else "—"
        verdict = {True: "met", False: "**missed**", None: "—"}[r.passed]
        if r.errors:
            verdict += f", {len(r.errors)} errors"
        lines.append(
            f"| {r.scenario.name} | {len(r.latencies_ms)} | {r.median:.1f} | {r.p95:.1f} | "
            f"{max(r.latencies_ms, default=float('nan')):.1f} | {r.first_ms:.1f} | {q} "
            f"| {target} | {verdict} | {r.load[0]:.1f} → {r.load[1]:.1f} |"
        )
    return "\n".join(lines)
