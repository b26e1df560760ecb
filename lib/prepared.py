"""Statements prepared once per database connection and then executed by name.

PostgreSQL plans every statement it is sent; a page's own large statement (a technology's page:
the listing, its relations and related cards as JSON, ~10 subqueries) took longer to plan than
to run, ~1.0-1.3 ms of ~2.6 ms at 100,000 technologies (docs/performance.md, *Sixth pass*).
Prepared once on a connection (`PREPARE name AS …`), it is only executed afterwards (`EXECUTE
name (…)`), with the plan PostgreSQL keeps for it.

A prepared statement belongs to the server session: it outlives a rolled-back transaction and
is gone with the connection, so the names prepared are kept on Django's connection object and
forgotten when it connects again (`connection_created`). Whatever ends a session's state
without a new connection (`DISCARD ALL` on a connection kept open) must call `forget`. A pooler
that shares server sessions between clients per transaction (PgBouncer's transaction mode)
would break this; the project connects to PostgreSQL directly.
"""

import re

from django.db.backends.signals import connection_created

_PLACEHOLDER = re.compile(r"%s")


def forget(connection, **kwargs) -> None:
    """The connection's session has none of our statements (a new connection, DISCARD ALL)."""
    connection.__dict__["prepared_statements"] = set()


connection_created.connect(forget, dispatch_uid="lib.prepared.forget")


def numbered(sql: str) -> str:
    """`%s` placeholders (the driver's) as PREPARE's `$1`, `$2`, … in order. The statements
    prepared here have no literal `%`."""
    counter = iter(range(1, sql.count("%s") + 1))
    return _PLACEHOLDER.sub(lambda _match: f"${next(counter)}", sql)


def execute(connection, cursor, name: str, sql: str, params: list) -> None:
    """Run `sql` with `params` on `cursor` of `connection` as the prepared statement `name`,
    preparing it first on this connection's session if it is not yet. `name` must stand for one
    `sql` in the whole process."""
    prepared = connection.__dict__.setdefault("prepared_statements", set())
    if name not in prepared:
        # Through the driver's own cursor, as Django sets a new connection's time zone: part of
        # setting up the session, not one of the statements a page asks (nor counted as one).
        cursor.cursor.execute(f"PREPARE {name} AS {numbered(sql)}")
        prepared.add(name)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)
