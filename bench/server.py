"""The app server of the benchmark (gunicorn from the venv on a free local port) and its one
HTTP GET (a new connection per request, body read completely)."""

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings

#: gunicorn's default: a worker silent for this long is killed ("WORKER TIMEOUT" in its log).
WORKER_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with the bench environment (plus `env`), its log kept to count worker kills."""

    def __init__(self, workers: int = 2, env: dict | None = None):
        self.port = free_port()
        self.workers = workers
        self.env = {**os.environ, **(env or {})}
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.command = [
            str(gunicorn), "portal.wsgi", "--workers", str(workers),
            "--bind", f"127.0.0.1:{self.port}", "--timeout", str(WORKER_TIMEOUT),
            "--backlog", "2048", "--log-level", "warning", "--chdir", str(settings.BASE_DIR),
            "--config", str(settings.BASE_DIR / "gunicorn.conf.py"),
        ]  # fmt: skip
        self.process = None
        self.log_path = None

    def __enter__(self):
        handle, name = tempfile.mkstemp(prefix=f"bench-gunicorn-{self.port}-", suffix=".log")
        os.close(handle)
        self.log_path = Path(name)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 90
        try:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(
                        f"gunicorn exited with code {self.process.returncode}:\n{self.output()}"
                    )
                try:
                    status, _ = get(self.port, "/robots.txt", timeout=10)
                    if status == 200:
                        return self
                except OSError:
                    pass
                time.sleep(0.2)
            raise RuntimeError("gunicorn did not answer within 90 s")
        except BaseException:
            self.__exit__()
            raise

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def warm_processes(self, paths: list[str]) -> None:
        """Each path `workers` times at once, so every worker process (not only the first idle
        one) has loaded its modules, translations and templates before a measurement."""
        for path in paths:
            threads = [
                threading.Thread(target=get, args=(self.port, path), daemon=True)
                for _ in range(self.workers)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

    def worker_timeouts(self) -> int:
        return self.output().count("WORKER TIMEOUT")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log_path:
            self.log_path.unlink(missing_ok=True)


def get(port: int, path: str, timeout: float = 60, client: str = "") -> tuple[int, float]:
    """One GET, body read completely; returns (status, milliseconds). `client`: the visitor's
    address as a reverse proxy in front of the server would pass it on (X-Forwarded-For)."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Accept-Language": "en", "Host": "127.0.0.1"}
    if client:
        headers["X-Forwarded-For"] = client
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        status = response.status
    finally:
        conn.close()
    return status, (time.perf_counter() - started) * 1000
