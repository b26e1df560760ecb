"""Cold measurements: what is dropped before a cold pass, and what cannot be.

Right after a fresh build (generation, then VACUUM ANALYZE) the first pass is cold as it is.
Before any later cold pass (and before the first one of `--reuse`), `drop()` empties what it
can, and says what it did, for the report:

- the app server is a new gunicorn process (the caller starts one per pass);
- the Django cache is cleared (the bench has no Redis: the database cache table), as after a
  build;
- the bench's own connection runs `DISCARD ALL` and is closed (session plans and state);
- the OS page cache is dropped (`sync; echo 3 > /proc/sys/vm/drop_caches`) when this process
  may write it (root): it is shared by everyone on the machine, so other users' files are
  evicted too (their next reads are slower, nothing breaks);
- PostgreSQL's own buffers (`shared_buffers`) survive all of that: only a server restart empties
  them, which ends every other connection to the server (other users' tests and servers).
  `--cold-restart` does it (`pg_ctlcluster <version> <cluster> restart`); use it only on a
  machine nobody else is using.
"""

import subprocess
import time
from pathlib import Path

from django.core.cache import cache
from django.db import connection

DROP_CACHES = Path("/proc/sys/vm/drop_caches")


def drop_os_page_cache() -> bool:
    """Write back and drop the OS page cache; False when not permitted (not root, a container)."""
    try:
        subprocess.run(["sync"], check=False, timeout=120)
        DROP_CACHES.write_text("3\n")
    except OSError:
        return False
    return True


def restart_postgres() -> str:
    """Restart the PostgreSQL server the bench is connected to (empties shared_buffers): a
    Debian cluster with pg_ctlcluster, the embedded server with pg_ctl. With pg_prewarm
    preloaded, its autoprewarm worker reads the pages cached before the restart back in: the
    measurement starts once it has finished, as a site would open after a restart."""
    from portal import embedded_db

    with connection.cursor() as cursor:
        cursor.execute("SHOW cluster_name")
        cluster = cursor.fetchone()[0]  # Debian: "15/main"; the embedded server: ""
        cursor.execute("SHOW data_directory")
        data_directory = Path(cursor.fetchone()[0]).resolve()
    connection.close()
    version, _, name = cluster.partition("/")
    if version and name:
        subprocess.run(["pg_ctlcluster", version, name, "restart"], check=True, timeout=300)
        how = f"pg_ctlcluster {version} {name} restart"
    elif data_directory == (embedded_db.BASE_DIR / ".pgdata").resolve():
        embedded_db.restart()
        how = "pg_ctl restart of the embedded server"
    else:
        raise RuntimeError(f"cannot tell the cluster from cluster_name={cluster!r}")
    connection.ensure_connection()
    waited = _wait_for_autoprewarm()
    return f"PostgreSQL restarted ({how}): shared_buffers emptied, {waited}"


def _wait_for_autoprewarm(timeout: float = 300) -> str:
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SHOW shared_preload_libraries")
        if "pg_prewarm" not in cursor.fetchone()[0]:
            return "no autoprewarm (pg_prewarm not preloaded)"
        time.sleep(1)  # the leader starts the per-database workers after startup
        while time.monotonic() - started < timeout:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autoprewarm worker'"
            )
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.5)
    return f"autoprewarm reloaded the buffers in {time.monotonic() - started:.1f} s"


def drop(restart_server: bool = False) -> str:
    """Empty the caches a cold pass must not find warm; returns what was done, for the report."""
    done = ["new app server process", "Django cache cleared"]
    cache.clear()
    if restart_server:
        done.append(restart_postgres())
    else:
        with connection.cursor() as cursor:
            cursor.execute("DISCARD ALL")
        connection.close()
        done.append(
            "DISCARD ALL on the bench connection; PostgreSQL's shared_buffers kept "
            "(restarting the server needs --cold-restart)"
        )
    if drop_os_page_cache():
        done.append("OS page cache dropped (drop_caches, as root)")
    else:
        done.append("OS page cache NOT dropped (needs root)")
    return "; ".join(done)
