"""The benchmark's cold/warm passes, page-against-SQL replay, mixed load and scale-out runs,
at small sizes against real gunicorn servers over the test database."""

import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection

from analytics.models import Event, ListingEvent
from bench import coldstart, load, replay, runner, scaleout
from bench.management.commands import bench as command
from bench.scenarios import Scenario
from bench.server import Server, get
from lib import pgreplica
from tests import migration_data
from tests.factories import make_technology
from tests.servers import database_url


@pytest.fixture
def page_cache(tmp_path, monkeypatch):
    """Where coldstart writes "3" instead of the machine's /proc/sys/vm/drop_caches (a test
    must not empty the page cache of everyone on the machine)."""
    path = tmp_path / "drop_caches"
    path.write_text("")
    monkeypatch.setattr(coldstart, "DROP_CACHES", path)
    return path


@pytest.fixture
def catalogue():
    migration_data.restore()  # a transactional test starts without the field taxonomy
    return [
        make_technology(title=f"Solar membrane efficiency {n}", fields=("solar",), trl=5)
        for n in range(4)
    ]


@pytest.fixture
def test_server_env(monkeypatch):
    """The bench's servers inherit the environment: point them at the test database."""
    monkeypatch.setenv("DATABASE_URL", database_url())
    monkeypatch.setenv("DEBUG", "true")


@pytest.mark.django_db(transaction=True)
def test_cold_drop_clears_what_it_can_and_says_so(page_cache, tmp_path, monkeypatch):
    cache.set("statistics", "warm")

    note = coldstart.drop()

    assert cache.get("statistics") is None
    assert page_cache.read_text() == "3\n"
    assert "OS page cache dropped" in note and "DISCARD ALL" in note
    assert "shared_buffers kept" in note  # said honestly: only --cold-restart empties them
    with connection.cursor() as cursor:  # the bench's connection works again afterwards
        cursor.execute("SELECT 1")
    monkeypatch.setattr(coldstart, "DROP_CACHES", tmp_path / "missing" / "drop_caches")
    assert "OS page cache NOT dropped (needs root)" in coldstart.drop()


@pytest.mark.django_db
def test_a_page_is_replayed_against_its_own_sql_without_writing_twice(catalogue):
    technology = catalogue[0]
    paths = ["/technologies/?q=solar", f"/technologies/{technology.pk}/"]

    result = replay.page_and_sql(paths)

    assert len(result.queries) == 2 and all(q > 0 for q in result.queries)
    assert result.failed_statements == 0
    assert all(sql > 0 for sql in result.sql_ms)
    assert len(result.page_cpu_ms) == 2 and result.page_cpu_ms[0] > 0
    # The page does more than its SQL (routing, templates), so it takes longer.
    assert result.page_median > result.sql_median
    # The detail page appended its view event on each visit (the unmeasured one first, as the
    # warm pass, then the measured one); the replayed INSERT was rolled back.
    views = ListingEvent.objects.filter(listing_id=technology.pk, event=Event.VIEW)
    assert views.count() == 2


@pytest.mark.django_db(transaction=True)
def test_mixed_load_against_a_real_server(catalogue, test_server_env):
    ctx = runner.build_context(seed=2)
    with Server(workers=2) as server:
        server.warm_processes(load.sample_paths(ctx))
        result = load.run(ctx, [server.port], clients=3, seconds=3, label="test")
        timeouts = server.worker_timeouts()

    assert result.requests >= 3 and not result.errors, load.describe(result)
    assert result.rate > 0 and result.p50 <= result.p95 <= max(result.latencies_ms)
    assert set(result.by_page) <= {name for name, _, _ in load.MIX}
    assert sum(len(ms) for ms in result.by_page.values()) == len(result.latencies_ms)
    assert timeouts == 0
    assert "| test | 3 × 3 |" in load.table([result])


@pytest.mark.django_db(transaction=True)
def test_each_client_of_the_mixed_load_is_throttled_as_a_visitor_of_its_own(
    catalogue, test_server_env, monkeypatch
):
    """The API throttles anonymous visitors by address; the load's clients come with their
    own (as a proxy passes them on), so thirty-two of them are not one visitor."""
    monkeypatch.setenv("API_ANON_THROTTLE_RATE", "1/minute")
    path = "/api/v1/technologies/?q=solar"
    first, second = load.client_address(0), load.client_address(1)
    with Server(workers=1, env=load.SERVER_ENV) as server:
        assert get(server.port, path, client=first)[0] == 200
        assert get(server.port, path, client=first)[0] == 429  # the same visitor, over its rate
        assert get(server.port, path, client=second)[0] == 200  # another visitor


def test_the_mixed_load_sends_each_clients_own_address(monkeypatch):
    seen = {}

    def get(port, path, timeout, client):
        seen.setdefault(threading.current_thread().name, set()).add(client)
        time.sleep(0.005)  # a request takes time: no client spins
        return 200, 1.0

    monkeypatch.setattr(load, "get", get)
    ctx = load.Context(rng=None, published_ids=[1], groups=["solar"])
    # Long enough for the last client to start on a busy machine (0.05 s once left one out).
    load.run(ctx, [1], clients=3, seconds=0.5, label="addresses")

    assert all(len(addresses) == 1 for addresses in seen.values())  # one per client
    assert len({a for addresses in seen.values() for a in addresses}) == len(seen) == 3
    assert {load.client_address(n) for n in range(131_072)} == {
        f"198.{b}.{c}.{d}" for b in (18, 19) for c in range(256) for d in range(256)
    }


@pytest.mark.django_db(transaction=True)
def test_mixed_load_counts_errors(catalogue, test_server_env, monkeypatch):
    monkeypatch.setattr(load, "MIX", [("missing", 1, lambda ctx: "/no-such-page/")])
    ctx = runner.build_context(seed=2)
    with Server(workers=1) as server:
        result = load.run(ctx, [server.port], clients=2, seconds=1, label="errors")

    assert not result.latencies_ms and result.errors["HTTP 404"] == result.requests > 0
    assert "| errors | 2 × 1 |" in load.table([result])


@pytest.mark.django_db(transaction=True)
def test_a_run_measures_cold_then_warm_the_same_requests_and_the_load(
    catalogue, test_server_env, page_cache
):
    ctx = runner.build_context(seed=5)
    options = runner.Options(
        requests=4,
        warmup=1,
        only=["technology detail", "broad search", runner.LOAD_NAME],
        clients=2,
        seconds=1,
        load_workers=1,
        out=lambda message: None,
    )

    report = runner.run(ctx, options)

    by_name = {r.scenario.name: r for r in report.results}
    assert set(by_name) == {"technology detail", "broad search"}
    for result in report.results:
        assert len(result.cold_ms) == len(result.latencies_ms) == 4 and not result.errors
        assert result.first_ms == result.cold_ms[0]
        assert len(result.page_sql.sql_ms) == 4 and result.queries == result.page_sql.queries
    assert by_name["broad search"].paths[0].startswith("/technologies/?q=")
    assert "OS page cache dropped" in report.cold_note
    assert [r.label.split(":")[0] for r in report.loads] == ["cold", "warm"]
    assert all(r.requests > 0 and not r.errors for r in report.loads)
    rows = runner.table(report.results).splitlines()
    assert rows[0].startswith("| scenario | requests | cold p50 ms | cold p95 ms | warm p50 ms")
    assert len(runner.page_sql_table(report.results).splitlines()) == 2 + 2


@pytest.mark.django_db(transaction=True)
def test_scale_out_splits_the_clients_between_two_servers(catalogue, test_server_env, monkeypatch):
    monkeypatch.setattr(scaleout, "CONFIGURATIONS", [(2, 1, False), (1, 1, True)])

    def no_replica(**kwargs):
        raise pgreplica.Unavailable("no PostgreSQL binaries (test)")

    monkeypatch.setattr(pgreplica, "Replica", no_replica)
    ctx = runner.build_context(seed=3)
    options = runner.Options(clients=4, seconds=2, out=lambda message: None)

    results, notes = scaleout.run(ctx, options)

    assert [r.label for r in results] == ["2 servers × 1 worker"]
    assert len(results[0].by_port) == 2 and min(results[0].by_port.values()) > 0
    assert not results[0].errors
    assert notes == ["No replica runs: no PostgreSQL binaries (test)"]


def test_verdicts_hold_for_the_cold_figures():
    result = runner.Result(scenario=Scenario(name="x", function=None, target_p95_ms=50))
    result.latencies_ms = [10.0] * 100
    assert result.passed is True  # no cold pass: judged on the warm figures
    result.cold_ms = [float(i) for i in range(1, 101)]
    assert result.passed is False and result.warm_passed is True
    assert 95 <= result.cold_p95 <= 96 and result.cold_median == 50.5
    row = runner.table([result]).splitlines()[2]
    assert row.startswith("| x | 100 | 50.5 | 95.") and "| **missed** / met |" in row
    result.page_sql = replay.PageSql(page_ms=[8.0], page_cpu_ms=[6.0], sql_ms=[2.0], queries=[3])
    assert "| x | 10.0 | 8.0 | 2.0 | 5.0× | 4.0× | 6.0 | 3 |" in runner.page_sql_table([result])
    # The HTTP median is over the requests replayed (the first QUERY_SAMPLE), not all of them.
    result.latencies_ms = [10.0] * runner.QUERY_SAMPLE + [90.0] * 100
    assert "| x | 10.0 | 8.0 |" in runner.page_sql_table([result])


def test_scale_out_blocks_are_kept_per_size(tmp_path):
    path = tmp_path / "scaling.md"
    path.write_text("# Scaling\n\nHand-written.\n")
    for size, text in [(10_000, "first"), (30_000, "second"), (10_000, "third")]:
        start = command.SCALE_START.format(size=size)
        command.replace_block(path, start, command.SCALE_END.format(size=size), [text], "#")

    text = path.read_text()
    assert text.startswith("# Scaling\n\nHand-written.\n")
    assert "third" in text and "second" in text and "first" not in text
    assert text.index("third") < text.index("second")
