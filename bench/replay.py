"""A page against its own SQL, in-process: the same requests through Django's test client
(queries captured), then the captured statements replayed on the same connection and timed.

The ratio page time / SQL time says where a page's time goes: close to 1 the database, far
above it Python (templates, forms, serialisation). Statements are replayed one by one inside a
transaction that is rolled back (a page that appends, e.g. a view event, leaves nothing behind
twice), each under its own savepoint, which is not timed.

Beside the page's wall-clock time, its CPU time in the process (`time.thread_time`): what the
page costs in Python whatever the machine's load. On a busy machine each round trip to the
database also waits for a core to wake the server's process (up to milliseconds per query,
measured on the shared bench machine), which the replay, running its statements back to back,
hardly sees; the CPU time leaves that wait out on both sides.
"""

import statistics
import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.test import Client

from .scenarios import counted_queries

#: Transaction control captured with a page's queries: not part of what the page asks.
CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK", "BEGIN", "COMMIT")


@dataclass
class PageSql:
    """Per replayed request: its queries, the page's in-process time and its SQL's time."""

    queries: list[int] = field(default_factory=list)
    page_ms: list[float] = field(default_factory=list)
    page_cpu_ms: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    failed_statements: int = 0

    @property
    def page_median(self) -> float:
        return statistics.median(self.page_ms) if self.page_ms else float("nan")

    @property
    def page_cpu_median(self) -> float:
        return statistics.median(self.page_cpu_ms) if self.page_cpu_ms else float("nan")

    @property
    def sql_median(self) -> float:
        return statistics.median(self.sql_ms) if self.sql_ms else float("nan")


def fetch(client: Client, path: str):
    response = client.get(path)
    if response.streaming:  # a streamed body (CSV) queries while it is consumed
        for _chunk in response.streaming_content:
            pass
    return response


def replay_statements(statements: list[str]) -> tuple[float, int]:
    """Run the statements again on the bench connection; (milliseconds, failures)."""
    total, failed = 0.0, 0
    with transaction.atomic():
        cursor = connection.cursor().cursor  # the driver's cursor: no Django bookkeeping timed
        for sql in statements:
            savepoint = transaction.savepoint()
            started = time.perf_counter()
            try:
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()
            except Exception:  # noqa: BLE001 - e.g. a unique key the page's own insert took
                failed += 1
                transaction.savepoint_rollback(savepoint)
                continue
            total += (time.perf_counter() - started) * 1000
            transaction.savepoint_commit(savepoint)
        transaction.set_rollback(True)
    return total, failed


def page_and_sql(paths: list[str]) -> PageSql:
    """Each path through the test client (timed, queries captured), then its SQL replayed."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_HOST="127.0.0.1")
    for path in paths:  # as in the warm pass, each page was served before (templates,
        fetch(client, path)  # translations, prepared statements, markup kept per version)
    result = PageSql()
    for path in paths:
        with counted_queries() as captured:
            started, cpu_started = time.perf_counter(), time.thread_time()
            fetch(client, path)
            result.page_cpu_ms.append((time.thread_time() - cpu_started) * 1000)
            result.page_ms.append((time.perf_counter() - started) * 1000)
        statements = [
            q["sql"] for q in captured.captured_queries if not q["sql"].startswith(CONTROL)
        ]
        result.queries.append(len(captured.captured_queries))
        sql_ms, failed = replay_statements(statements)
        result.sql_ms.append(sql_ms)
        result.failed_statements += failed
    return result
