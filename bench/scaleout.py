"""Scale-out throughput (issue 19): the mixed load (bench/load.py) against one and two app
servers, with 1 and 2 worker processes each, without and with a streaming read replica.

The replica is `lib/pgreplica.Replica`, as in the scale-out tests: `pg_basebackup -R` of the
whole PostgreSQL server into a temporary directory (every database on it is copied: minutes
when other big databases live there), a hot standby on another port, its slot dropped at the
end. The app servers then get `DATABASE_REPLICA_URLS` (portal/replicas.py routes the public
reads there). Everything runs on this one machine: the replica competes with the primary and
the app servers for the same cores and the same memory, so these figures show that the path
works and what it costs here, not the capacity a second machine would add.
"""

import contextlib

from django.db import connection

from lib import pgreplica

from . import load
from .server import Server

#: (app servers, workers per server, replica)
CONFIGURATIONS = [
    (1, 1, False),
    (1, 2, False),
    (2, 1, False),
    (2, 2, False),
    (1, 2, True),
    (2, 2, True),
]
REPLICA_PORTS = range(5531, 5540)


def label(servers: int, workers: int, replica: bool) -> str:
    text = f"{servers} server{'s' if servers > 1 else ''} × {workers} worker{'s' if workers > 1 else ''}"
    return text + (", reads on a replica" if replica else "")


def replica_transactions(replica) -> int:
    """Transactions the replica has served on the bench database (proof that it was read)."""
    return replica.query(
        "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s",
        (connection.settings_dict["NAME"],),
    )[0][0]


def measure(ctx, options, servers: int, workers: int, replica=None) -> load.LoadResult:
    env = dict(load.SERVER_ENV)
    if replica is not None:
        env["DATABASE_REPLICA_URLS"] = (
            f"postgres://postgres@127.0.0.1:{replica.port}/{connection.settings_dict['NAME']}"
        )
    name = label(servers, workers, replica is not None)
    with contextlib.ExitStack() as stack:
        started = [stack.enter_context(Server(workers=workers, env=env)) for _ in range(servers)]
        ports = [s.port for s in started]
        for server in started:
            server.warm_processes(load.sample_paths(ctx))
        warm = max(5.0, options.seconds / 4)
        load.run(ctx, ports, options.clients, warm, "warm-up", seed=7)
        before = [s.worker_timeouts() for s in started]
        read_before = replica_transactions(replica) if replica is not None else 0
        options.out(f"  {name}: {options.clients} clients × {options.seconds:g} s")
        result = load.run(ctx, ports, options.clients, options.seconds, name, seed=8)
        result.worker_timeouts = sum(s.worker_timeouts() for s in started) - sum(before)
        if replica is not None:
            served = replica_transactions(replica) - read_before
            result.label += f" ({served:,} transactions served by the replica)"
    options.out("    " + load.describe(result))
    return result


def run(ctx, options) -> tuple[list[load.LoadResult], list[str]]:
    results, notes = [], []
    for servers, workers, with_replica in CONFIGURATIONS:
        if not with_replica:
            results.append(measure(ctx, options, servers, workers))
    options.out("  starting a streaming replica (pg_basebackup of the whole server)…")
    try:
        replica = pgreplica.Replica(
            ports=REPLICA_PORTS, slot_prefix="bench_replica_", start_timeout=900
        )
    except pgreplica.Unavailable as error:
        notes.append(f"No replica runs: {error}")
        options.out(f"  {notes[-1]}")
        return results, notes
    try:
        replica.catch_up(timeout=600)
        for servers, workers, with_replica in CONFIGURATIONS:
            if with_replica:
                results.append(measure(ctx, options, servers, workers, replica))
    finally:
        replica.cleanup()
    return results, notes
