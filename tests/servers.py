"""Real processes for the scale-out tests: app servers (gunicorn) and a streaming replica.

Each helper starts what it needs on a free port and stops it again; where something the machine
lacks makes a test impossible, the test is skipped with the reason (never silently).
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.db import connection

from lib import pgreplica
from lib.pgreplica import wait_until

BASE_DIR = Path(__file__).resolve().parent.parent
APP_PORTS = range(8221, 8230)
REPLICA_PORTS = range(5521, 5530)


def free_port(candidates) -> int:
    try:
        return pgreplica.free_port(candidates)
    except pgreplica.Unavailable as error:
        pytest.skip(str(error))


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


class Replica(pgreplica.Replica):
    """`lib/pgreplica.Replica` of the test server; what this machine lacks is a skip with the
    reason, never a silent pass."""

    def __init__(self):
        try:
            # The copy holds every database of the server (a kept bench database: gigabytes),
            # which it fsyncs before it starts.
            super().__init__(ports=REPLICA_PORTS, slot_prefix="test_replica_", start_timeout=600)
        except pgreplica.Unavailable as error:
            pytest.skip(str(error))

    @property
    def url(self) -> str:
        return database_url(self.port)
