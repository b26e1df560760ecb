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
    """Restart the PostgreSQL cluster the bench is connected to (empties shared_buffers)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW cluster_name")
        cluster = cursor.fetchone()[0]  # Debian: "15/main"
    connection.close()
    version, _, name = cluster.partition("/")
    if not version or not name:
        raise RuntimeError(f"cannot tell the cluster from cluster_name={cluster!r}")
    subprocess.run(["pg_ctlcluster", version, name, "restart"], check=True, timeout=300)
    connection.ensure_connection()
    return f"PostgreSQL restarted (pg_ctlcluster {version} {name} restart): shared_buffers empty"


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
