"""A new app-server process serves its first pages to itself, before any visitor's.

The first request a Django process serves pays for what is loaded on first use: the views'
modules and the URL resolver, template compilation, the translation catalogues, the Japanese
glossary and tokenizer of the cross-language search, the fragments kept per process and
language (the site's frame, the filter panels). In the benchmark at 100,000 listings a new
worker's first search took 0.7 s (English) to 2.2 s (Japanese) where the next took ~50 ms, and
every worker of every restart paid it on a visitor. `gunicorn.conf.py` calls
`warm_up` when a worker has started, before it accepts connections.

The pages are requested through the WSGI handler in-process, in both languages: lists, a search
and the home page, which write nothing (no view is counted, no session is made).
"""

import io
import logging
import sys
import time

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

logger = logging.getLogger(__name__)

PATHS = (
    "/",
    "/technologies/",
    "/technologies/?q=solar+cell",
    "/technologies/?q=%E5%A4%AA%E9%99%BD%E9%9B%BB%E6%B1%A0",  # 太陽電池: the Japanese analysis
    "/needs/",
    "/needs/?q=battery",
)
LANGUAGES = ("en", "ja")


def warm_up(paths=PATHS, languages=LANGUAGES) -> list[tuple[str, str, int]]:
    """Serve `paths` once per language; returns (language, path, status) of each."""
    started = time.monotonic()
    handler = WSGIHandler()
    served = []
    statuses = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    for language in languages:
        for path in paths:
            response = handler(_environ(path, language), start_response)
            try:
                for _chunk in response:
                    pass
            finally:
                response.close()
            status = int(statuses[-1].split()[0])
            served.append((language, path, status))
            if status != 200:
                logger.warning("warm-up: %s (%s) answered %s", path, language, status)
    logger.info("warm-up: %d pages in %.2f s", len(served), time.monotonic() - started)
    return served


def _host() -> str:
    for host in settings.ALLOWED_HOSTS:
        if host != "*":
            return host.lstrip(".")
    return "localhost"


def _environ(path: str, language: str) -> dict:
    path_info, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": _host(),
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": _host(),
        "HTTP_ACCEPT_LANGUAGE": language,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if settings.SECURE_PROXY_SSL_HEADER:  # behind a proxy that says "this was HTTPS"
        header, value = settings.SECURE_PROXY_SSL_HEADER
        environ[header] = value
    return environ
