"""The embedded PostgreSQL helper behind `make stop` and the database line of `make run`."""

import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from portal import embedded_db

BASE_DIR = Path(embedded_db.__file__).resolve().parent.parent


def test_where_names_the_configured_database_without_its_password():
    line = embedded_db.where(database_url="postgres://app:s3cret@db.example.org:5433/portal")
    assert line == "Database: PostgreSQL portal at db.example.org:5433 (DATABASE_URL)."
    assert "s3cret" not in line


def test_stop_without_an_embedded_cluster_says_so(tmp_path):
    assert embedded_db.stop(tmp_path) == f"No embedded PostgreSQL in {tmp_path / '.pgdata'}."


def _gone(pid: int) -> bool:
    # A stopped server may linger as a zombie until its (re)parent reaps it.
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.fixture
def running_cluster(tmp_path, monkeypatch):
    """A real embedded server in a temporary project directory (as `make run` starts one)."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    url = embedded_db.embedded_database_url(tmp_path)
    yield tmp_path, url
    embedded_db.stop(tmp_path)  # should the test have failed before stopping it


def test_stop_stops_the_running_server_and_where_says_where_it_ran(running_cluster):
    base_dir, url = running_cluster
    pgdata = base_dir / ".pgdata"
    line = embedded_db.where(base_dir, database_url="")
    assert line.startswith(f"Database: embedded PostgreSQL, data in {pgdata}, running (pid ")
    assert f"log {pgdata / 'log'}" in line
    pid = int((pgdata / "postmaster.pid").read_text().split()[0])

    message = embedded_db.stop(base_dir)

    assert message == f"Stopped the embedded PostgreSQL in {pgdata} (pid {pid})."
    assert not (pgdata / "postmaster.pid").exists()
    assert _gone(pid)
    assert "shut down" in (pgdata / "log").read_text()
    # Stopping again is harmless, and the data stays for the next start.
    assert embedded_db.stop(base_dir) == f"The embedded PostgreSQL in {pgdata} is not running."
    assert "not running" in embedded_db.where(base_dir, database_url="")
    assert (pgdata / "PG_VERSION").exists()


def test_command_line_refuses_an_unknown_command():
    result = subprocess.run(
        [sys.executable, "-m", "portal.embedded_db", "restart"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "usage: python -m portal.embedded_db {where|stop}" in result.stderr
