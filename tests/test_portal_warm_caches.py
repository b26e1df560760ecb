"""Memory: the embedded server's settings and `warm_caches` (docs/performance.md, "Memory")."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from lib.pgwarm import relations
from portal.embedded_db import server_settings

from .factories import make_technology

GB = 2**30


@pytest.mark.parametrize(
    ("memory", "buffers"),
    [(24 * GB, "6144MB"), (GB // 4, "128MB"), (64 * GB, "8192MB")],
)
def test_embedded_server_gives_a_quarter_of_memory_to_buffers(memory, buffers):
    settings = server_settings(memory)
    assert settings["shared_buffers"] == buffers
    assert settings["shared_preload_libraries"] == "pg_prewarm"


@pytest.mark.django_db
def test_relations_come_indexes_first_then_rows_then_long_values():
    names = [name for name, _size in relations(["listings_technology", "needs_need"])]
    technology = names.index("listings_technology")
    assert names.index("technology_public_search") < technology < names.index("needs_need")
    toast = [i for i, name in enumerate(names) if name.startswith("pg_toast.")]
    assert toast and min(toast) > names.index("needs_need")
    assert "no_such_table" not in [n for n, _ in relations(["no_such_table"])]


@pytest.mark.django_db
def test_warm_caches_loads_the_listings_into_the_buffers():
    make_technology()
    output = io.StringIO()
    call_command("warm_caches", stdout=output)
    lines = output.getvalue().splitlines()
    assert lines[-1].startswith("warm_caches: ") and "MB in PostgreSQL's buffers" in lines[-1]
    assert any(line.strip().startswith("listings_technology: ") for line in lines)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_prewarm'")
        assert cursor.fetchone() == (1,)
