"""A streaming replica of the PostgreSQL server Django is connected to, for the scale-out tests
(tests/servers.py) and the benchmark's replica runs (bench/scaleout.py).

`pg_basebackup -R` of the whole server into a temporary directory, started on a free port as a
hot standby streaming from it through a replication slot that is dropped at the end. It needs
the server binaries of the PostgreSQL in use and a server that accepts a base backup; where
either is missing, `Unavailable` says why (the tests turn it into a skip with that reason).
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from django.db import connection


class Unavailable(Exception):
    """This machine cannot run a replica (no binaries, no base backup, no free port…)."""


def free_port(candidates) -> int:
    for port in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise Unavailable(f"no free port in {candidates.start}-{candidates.stop - 1}")


def wait_until(predicate, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def server_bin() -> Path:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        major = int(cursor.fetchone()[0]) // 10000
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin")]
    if found := shutil.which("pg_basebackup"):
        candidates.append(Path(found).parent)
    for directory in candidates:
        if (directory / "pg_basebackup").exists() and (directory / "pg_ctl").exists():
            return directory
    raise Unavailable(f"no PostgreSQL {major} server binaries (pg_basebackup, pg_ctl) here")


def as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run the replica as the `postgres` system user."""
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if not runuser:
        raise Unavailable("running as root without runuser: cannot start a PostgreSQL server")
    return [runuser, "-u", "postgres", "--", *command]


def _allow_replication_connections(error: str) -> bool:
    """Add a replication line for 127.0.0.1 to the local server's pg_hba.conf (it has none):
    only possible when this machine's server reads a file we may write. True if added."""
    if "pg_hba.conf" not in error:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SHOW hba_file")
        hba = Path(cursor.fetchone()[0])
    line = "host replication postgres 127.0.0.1/32 trust  # added by tests/servers.py\n"
    try:
        text = hba.read_text()
        if line not in text:
            hba.write_text(text.rstrip("\n") + "\n" + line)
    except OSError:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_reload_conf()")
    time.sleep(0.5)
    return True


STANDBY_MINIMUMS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)
PER_SERVER_SETTINGS = {
    "port", "listen_addresses", "unix_socket_directories", "data_directory", "hba_file",
    "ident_file", "config_file", "logging_collector", "log_directory", "external_pid_file",
}  # fmt: skip


class Replica:
    """A hot standby of the server behind Django's default connection, on a free port of
    `ports`; its replication slot is named `<slot_prefix><pid>` (stale ones are dropped)."""

    def __init__(self, ports=range(5521, 5530), slot_prefix="test_replica_", start_timeout=60):
        self.start_timeout = start_timeout
        self.bin = server_bin()
        self.port = free_port(ports)
        self.slot_prefix = slot_prefix
        self.slot = f"{slot_prefix}{os.getpid()}"
        self.directory = Path(tempfile.mkdtemp(prefix="replica-"))
        self.data = self.directory / "data"
        connection.ensure_connection()
        dsn = connection.connection.get_dsn_parameters()
        self.host, self.primary_port = dsn.get("host") or "127.0.0.1", str(dsn.get("port") or 5432)
        self._drop_stale_slots()
        self._base_backup()
        self._configure()
        self.start()

    def _drop_stale_slots(self):
        """Slots left by runs that crashed (their process is gone): they would keep WAL forever."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE %s AND NOT active",
                [self.slot_prefix + "%"],
            )
            for (name,) in cursor.fetchall():
                pid = name.removeprefix(self.slot_prefix)
                if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                    cursor.execute("SELECT pg_drop_replication_slot(%s)", [name])

    def _base_backup(self):
        command = [
            str(self.bin / "pg_basebackup"), "-h", self.host, "-p", self.primary_port,
            "-U", "postgres", "-D", str(self.data), "-R", "-X", "stream",
            "-C", "-S", self.slot, "--checkpoint=fast", "--no-password",
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, timeout=1800)
        if result.returncode and _allow_replication_connections(result.stderr):
            shutil.rmtree(self.data, ignore_errors=True)
            result = subprocess.run(command, capture_output=True, text=True, timeout=1800)
        if result.returncode:
            shutil.rmtree(self.directory, ignore_errors=True)
            raise Unavailable(f"the server refuses a base backup: {result.stderr.strip()}")

    def _configure(self):
        # A hot standby needs at least the primary's values of these.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)",
                [list(STANDBY_MINIMUMS)],
            )
            minimums = "".join(f"{name} = {value}\n" for name, value in cursor.fetchall())
        (self.data / "postgresql.conf").write_text(
            minimums + f"port = {self.port}\n"
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{self.directory}'\n"
            "hot_standby = on\n"
            "logging_collector = off\n"
        )
        (self.data / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\n"
        )
        # The primary's ALTER SYSTEM settings come along: keep all but where it listens.
        auto = self.data / "postgresql.auto.conf"
        kept = [
            line
            for line in auto.read_text().splitlines()
            if line.split("=")[0].strip() not in PER_SERVER_SETTINGS
        ]
        auto.write_text("\n".join(kept) + "\n")
        self.data.chmod(0o700)
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", "postgres:postgres", str(self.directory)], check=True)

    def ctl(self, *args, check=True):
        command = as_server_user(
            [
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.directory / "log"),
                *args,
            ]
        )
        timeout = max(120, self.start_timeout + 60)
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=check)

    def start(self):
        # A fresh copy first fsyncs its whole data directory: long when the server holds
        # gigabytes (the bench's databases), hence a timeout the caller can raise.
        result = self.ctl("start", "-w", "-t", str(self.start_timeout), check=False)
        if result.returncode:
            log = (self.directory / "log").read_text(errors="replace")[-2000:]
            self.cleanup()
            raise Unavailable(f"the replica did not start: {result.stderr.strip()} {log}")

    def stop(self, mode="fast"):
        self.ctl("stop", "-m", mode, "-w", check=False)

    def query(self, sql: str, params=()):
        import psycopg2

        db = connection.settings_dict["NAME"]
        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=db)
        try:
            with conn, conn.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall() if cursor.description else None
        finally:
            conn.close()

    def pause(self):
        self.query("SELECT pg_wal_replay_pause()")
        wait_until(
            lambda: self.query("SELECT pg_get_wal_replay_pause_state()")[0][0] == "paused",
            what="replay to pause",
        )

    def resume(self):
        self.query("SELECT pg_wal_replay_resume()")

    def catch_up(self, timeout=60):
        """Wait until the replica has replayed everything the primary has written so far."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            target = cursor.fetchone()[0]
        wait_until(
            lambda: self.query("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,))[0][0],
            timeout=timeout,
            what="the replica to catch up",
        )

    def cleanup(self):
        self.stop("immediate")
        deadline = time.monotonic() + 15  # the primary's sender ends a moment after the replica
        while time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                    "WHERE slot_name = %s AND NOT active",
                    [self.slot],
                )
                cursor.execute(
                    "SELECT 1 FROM pg_replication_slots WHERE slot_name = %s", [self.slot]
                )
                if cursor.fetchone() is None:
                    break
            time.sleep(0.3)
        shutil.rmtree(self.directory, ignore_errors=True)
