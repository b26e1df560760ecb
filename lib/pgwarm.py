"""Load tables and their indexes into PostgreSQL's buffers before anyone asks (pg_prewarm).

After a restart, or a fresh build, the first visitors would otherwise wait for the disk: a search
reads a few hundred scattered rows and index pages, ~0.5 ms each from disk, and misses 150 ms.
`warm(tables)` reads each table's indexes and rows, in the order given, into the buffers while
they have room (mode "buffer"), and asks the OS to read ahead the rest ("prefetch"). pg_prewarm is
a contrib module of PostgreSQL; with it in shared_preload_libraries its autoprewarm worker also
restores the buffers after a restart by itself (docs/performance.md, "Memory").
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.db.utils import DatabaseError

#: The share of shared_buffers warm() fills; the rest stays for what pages write and sort.
BUFFER_SHARE = 0.8


@dataclass
class Warmed:
    buffered: list[tuple[str, int]] = field(default_factory=list)  # (relation, bytes)
    prefetched: list[tuple[str, int]] = field(default_factory=list)
    seconds: float = 0.0
    unavailable: str = ""  # why nothing was done

    def summary(self) -> str:
        if self.unavailable:
            return f"nothing warmed: {self.unavailable}"
        mb = lambda items: sum(size for _, size in items) / 2**20  # noqa: E731
        return (
            f"{mb(self.buffered):,.0f} MB in PostgreSQL's buffers ({len(self.buffered)} "
            f"relations), {mb(self.prefetched):,.0f} MB prefetched into the OS cache "
            f"({len(self.prefetched)} relations) in {self.seconds:.1f} s"
        )


def relations(tables: list[str]) -> list[tuple[str, int]]:
    """(name, bytes) of each existing table's indexes and then its rows, in the order of
    `tables`; their TOAST tables (long texts and vectors, read one row at a time) last."""
    ordered, toasts = [], []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_relation_size(i.indexrelid) "
                "FROM pg_index i WHERE i.indrelid = to_regclass(%s) ORDER BY 2",
                [table],
            )
            ordered += cursor.fetchall()
            cursor.execute(
                "SELECT c.oid::regclass::text, pg_relation_size(c.oid), "
                "t.oid::regclass::text, pg_relation_size(t.oid) "
                "FROM pg_class c LEFT JOIN pg_class t ON t.oid = c.reltoastrelid "
                "WHERE c.oid = to_regclass(%s)",
                [table],
            )
            for name, size, toast, toast_size in cursor.fetchall():
                ordered.append((name, size))
                if toast:
                    toasts.append((toast, toast_size))
    return ordered + toasts


def warm(tables: list[str], out: Callable[[str], None] = lambda line: None) -> Warmed:
    started = time.monotonic()
    result = Warmed()
    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            cursor.execute(
                "SELECT setting::bigint * 8192 FROM pg_settings WHERE name = 'shared_buffers'"
            )
            room = int(cursor.fetchone()[0] * BUFFER_SHARE)
    except DatabaseError as error:
        result.unavailable = f"pg_prewarm is not available ({str(error).strip()})"
        return result
    for name, size in relations(tables):
        if size == 0:
            continue
        mode = "buffer" if size <= room else "prefetch"
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_prewarm(%s::regclass, %s)", [name, mode])
        if mode == "buffer":
            room -= size
            result.buffered.append((name, size))
        else:
            result.prefetched.append((name, size))
        out(f"  {name}: {size / 2**20:,.1f} MB ({mode})")
    result.seconds = time.monotonic() - started
    return result
