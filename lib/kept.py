"""What is the same for every visitor, kept per process: markup rendered once per version of
what it shows and then reused (`{% per_content %}`: pieces of a technology's page, a list's
filter panel; `VisitorPages`: a technology's whole page and a technologies search's page for
visitors who are not signed in; a search result's card), and statements compiled once per
what they are built from (`rows`).

Each store is bounded: past `max_entries` the least recently used entries are let go. A
version is a digest of everything the markup is made from, so a changed listing has another
key and a rendering never outlives what it shows; nothing is shared between processes
(docs/performance.md, *Eighth pass*)."""

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Collection, Hashable
from typing import Any

from django.contrib import messages
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import loader
from django.utils.translation import get_language

from lib.urls import site_url


class Kept:
    """A bounded store (markup, statements), the least recently used let go first;
    thread-safe."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self.entries: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self.lock:  # threaded servers: one reader or writer at a time
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
        return value

    def put(self, key: Hashable, value: Any) -> None:
        with self.lock:
            self.entries[key] = value
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()

    def __len__(self) -> int:
        return len(self.entries)


def digest(*parts) -> str:
    """A short digest of texts (str, or bytes taken as UTF-8: the same digest for the same
    text) or of their `repr`: the version of what markup is made from. SHA-256 (OpenSSL's,
    with the processor's SHA instructions where it has them: twice as fast here as Python's
    own BLAKE2, docs/performance.md, *Eleventh pass*), 128 bits of it."""
    hashed = hashlib.sha256()
    for part in parts:
        if not isinstance(part, bytes):
            part = (part if isinstance(part, str) else repr(part)).encode()
        hashed.update(part)
        hashed.update(b"\0")
    return hashed.hexdigest()[:32]


class VisitorPages:
    """Whole pages as a visitor who is not signed in sees them, kept per version of what they
    show, language, the site's address (its links and Open Graph tags are absolute: in
    development the request's own origin) and address. An address with a query string is not
    kept (the language switch sends the visitor back to it: any parameter would be a page of
    its own, and random ones would push out the pages worth keeping) unless the page is made
    from its parameters (`parameters`: a list's filters and page), and then only when each
    parameter is one of those.

    Such a page differs between visitors only by its CSRF token (the language switch is a
    form): it is rendered with a placeholder this process made up, and each visitor's own
    token is put in its place when the page is served. Signed-in visitors, visitors with a
    message to be shown once, and anything but GET and HEAD are rendered as usual."""

    def __init__(self, max_entries: int):
        self.kept = Kept(max_entries)
        self.placeholder = f"kept-csrf-{secrets.token_hex(16)}"

    def key(self, request, version: str, parameters: Collection[str] = ()) -> tuple | None:
        """What a visit's page is kept under, or None if it is not to be kept. `parameters`:
        the query string's parameters the page is made from (its address, query string
        included, is then part of the key)."""
        if (
            not version
            or request.method not in ("GET", "HEAD")
            or (request.META.get("QUERY_STRING") and not all(p in parameters for p in request.GET))
            or request.user.is_authenticated
            or messages.get_messages(request)
        ):
            return None
        return (version, get_language(), site_url(request), request.get_full_path())

    def get(self, request, key: tuple) -> HttpResponse | None:
        content = self.kept.get(key)
        return None if content is None else self._response(request, content)

    def render(self, request, key: tuple, template_name: str, context: dict) -> HttpResponse:
        html = loader.render_to_string(
            template_name, {**context, "csrf_token": self.placeholder}, request
        )
        # Kept encoded: a page's text has Japanese in it (the language switch at least), so
        # Python would hold it at two bytes a character, twice its UTF-8.
        content = html.encode()
        self.kept.put(key, content)
        return self._response(request, content)

    def _response(self, request, content: bytes) -> HttpResponse:
        token = get_token(request).encode()
        return HttpResponse(content.replace(self.placeholder.encode(), token))


#: statements compiled from querysets, per process (`rows`).
STATEMENTS: Kept = Kept(max_entries=2000)


def statement(key: Hashable, compile_statement) -> tuple:
    """The statement (SQL, parameters) `compile_statement()` returns, compiled once per process
    and `key` (what the statement is built from: the same key, the same statement)."""
    compiled = STATEMENTS.get(key)
    if compiled is None:
        compiled = compile_statement()
        STATEMENTS.put(key, compiled)
    return compiled


def rows(key: Hashable | None, make_queryset, db: str) -> list[tuple]:
    """The rows of the queryset `make_queryset()` builds, its statement compiled once per
    process and `key` (`statement`), then sent as it is; without a key, compiled each time.
    Building and compiling a queryset of many expressions (a search's words in both languages)
    costs more Python than its database takes to answer. A queryset that can match nothing (no
    statement to send) has no rows."""

    def compile_queryset():
        return make_queryset().query.get_compiler(using=db).as_sql()

    try:
        sql = compile_queryset() if key is None else statement(key, compile_queryset)
    except EmptyResultSet:
        return []
    with connections[db].cursor() as cursor:
        cursor.execute(*sql)
        return cursor.fetchall()
