"""Real processes for the scale-out tests: app servers (gunicorn) and a streaming replica.

Each helper starts what it needs on a free port and stops it again; where something the machine
lacks makes a test impossible, the test is skipped with the reason (never silently).
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent
APP_PORTS = range(8221, 8230)
REPLICA_PORTS = range(5521, 5530)


def free_port(candidates) -> int:
    for port in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip(f"no free port in {candidates.start}-{candidates.stop - 1}")


def database_url(port: int | None = None) -> str:
    """The URL of the test database, on the primary or on another port (the replica), as the
    tests' own connection reaches it: over TCP, or over the embedded server's Unix socket."""
    connection.ensure_connection()
    dsn = connection.connection.get_dsn_parameters()
    s = connection.settings_dict
    host = dsn.get("host") or "127.0.0.1"
    if port is not None:
        host = "127.0.0.1"  # the replica listens on loopback
    if host.startswith("/"):
        host = quote(host, safe="")  # a socket directory, as dj-database-url reads it
    user = dsn.get("user") or "postgres"
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port or dsn.get('port') or 5432}/{dsn['dbname']}"


def wait_until(predicate, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class AppServer:
    """One gunicorn process serving the project over the test database."""

    def __init__(self, env: dict, port: int | None = None, workers: int = 1):
        self.port = port or free_port(APP_PORTS)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(tempfile.mkstemp(prefix=f"gunicorn-{self.port}-", suffix=".log")[1])
        environment = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DEBUG": "true",
            "LOG_LEVEL": "WARNING",
            "DB_CONN_MAX_AGE": "60",
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        for name, value in env.items():
            if value is None:
                environment.pop(name, None)
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--timeout",
                "60",
                "--graceful-timeout",
                "2",
            ],  # fmt: skip
            cwd=BASE_DIR,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(self._ready, timeout=90, what=f"gunicorn on port {self.port}")
        except BaseException:
            output = self.output()
            self.stop()  # never leave a server behind
            raise AssertionError(f"gunicorn did not start:\n{output}") from None

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{self.output()}")
        try:
            # The first request of a fresh process loads what it needs (translations, the
            # glossary, a replica connection): slow, not broken. Keep asking until the deadline.
            requests.get(f"{self.url}/robots.txt", timeout=10)
        except requests.RequestException:
            return False
        return True

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        self.log_path.unlink(missing_ok=True)


@contextmanager
def app_server(env: dict | None = None, **kwargs):
    server = AppServer(env or {}, **kwargs)
    try:
        yield server
    finally:
        server.stop()


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def sign_in(base_url: str, user) -> requests.Session:
    """A `requests` session signed in as `user` on the server at `base_url`."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.urls import reverse

    from tests.factories import PASSWORD

    # The app servers use the real password hashers, not the tests' fast one.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "scaleouttestsalt")
    user.save(update_fields=["password"])
    session = requests.Session()
    login = f"{base_url}{reverse('accounts:login')}"
    token = csrf_token(session.get(login, timeout=30).text)
    response = session.post(
        login,
        data={"username": user.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": login},
        timeout=30,
    )
    assert response.ok and "sessionid" in session.cookies, response.text[:500]
    return session


# --- A streaming replica of the test server ---------------------------------------------------


def _server_bin() -> Path:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        major = int(cursor.fetchone()[0]) // 10000
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin")]
    if found := shutil.which("pg_basebackup"):
        candidates.append(Path(found).parent)
    for directory in candidates:
        if (directory / "pg_basebackup").exists() and (directory / "pg_ctl").exists():
            return directory
    pytest.skip(f"no PostgreSQL {major} server binaries (pg_basebackup, pg_ctl) on this machine")


def _as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run the replica as the `postgres` system user."""
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if not runuser:
        pytest.skip("running as root without runuser: cannot start a PostgreSQL server")
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
    """`pg_basebackup -R` of the test server into a temporary directory, started on a free port
    as a hot standby streaming from it (through a replication slot dropped at the end)."""

    def __init__(self):
        self.bin = _server_bin()
        self.port = free_port(REPLICA_PORTS)
        self.slot = f"test_replica_{os.getpid()}"
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
                "SELECT slot_name FROM pg_replication_slots "
                "WHERE slot_name LIKE 'test_replica_%%' AND NOT active"
            )
            for (name,) in cursor.fetchall():
                pid = name.removeprefix("test_replica_")
                if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                    cursor.execute("SELECT pg_drop_replication_slot(%s)", [name])

    def _base_backup(self):
        command = [
            str(self.bin / "pg_basebackup"), "-h", self.host, "-p", self.primary_port,
            "-U", "postgres", "-D", str(self.data), "-R", "-X", "stream",
            "-C", "-S", self.slot, "--checkpoint=fast", "--no-password",
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
        if result.returncode and _allow_replication_connections(result.stderr):
            shutil.rmtree(self.data, ignore_errors=True)
            result = subprocess.run(command, capture_output=True, text=True, timeout=300)
        if result.returncode:
            shutil.rmtree(self.directory, ignore_errors=True)
            pytest.skip(f"the test server refuses a base backup: {result.stderr.strip()}")

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
        command = _as_server_user(
            [
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.directory / "log"),
                *args,
            ]
        )
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=check)

    def start(self):
        result = self.ctl("start", "-w", "-t", "60", check=False)
        if result.returncode:
            log = (self.directory / "log").read_text(errors="replace")[-2000:]
            self.cleanup()
            pytest.skip(f"the replica did not start: {result.stderr.strip()} {log}")

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

    @property
    def url(self) -> str:
        return database_url(self.port)

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
