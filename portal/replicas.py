"""Read replicas: public reads from a replica, everything else from the primary.

With `DATABASE_REPLICA_URLS` set, the settings add one database alias per replica
(`replica1`, `replica2`, …) and install `ReplicaMiddleware` and `ReplicaRouter`:

- A request may read from a replica only when it is safe (GET, HEAD, OPTIONS) and the client has
  not written within `REPLICA_STICKY_SECONDS` (read-your-writes: the middleware sets the
  `primary_until` cookie after any unsafe request, and after any write made by a signed-in user).
- Every write goes to the primary, and so does every read inside a transaction (atomic blocks,
  `select_for_update`, `get_or_create`), so a write never decides on a replica's older copy.
- Outside a request (management commands, the worker, the tests) everything uses the primary.
- A replica that cannot be reached is skipped for `REPLICA_RETRY_SECONDS` with a logged warning;
  a replica that fails in the middle of a safe request has the request served again from the
  primary. Neither is ever a 500.
"""

import contextlib
import contextvars
import logging
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

STICKY_COOKIE = "primary_until"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Routing:
    """What the current request may read from, and whether it wrote."""

    replicas_allowed: bool = False
    wrote: bool = False
    replica_used: str = ""


_routing: contextvars.ContextVar[Routing | None] = contextvars.ContextVar("routing", default=None)
#: Replica alias -> monotonic time until which it is not tried again.
_down_until: dict[str, float] = {}


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


def mark_down(alias: str, error: BaseException) -> None:
    retry = getattr(settings, "REPLICA_RETRY_SECONDS", 30)
    _down_until[alias] = time.monotonic() + retry
    logger.warning(
        "Read replica %s is unavailable (%s); reading from the primary for %ss.",
        alias,
        str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__,
        retry,
    )
    with contextlib.suppress(DatabaseError):
        connections[alias].close()


def healthy_replica() -> str | None:
    """A reachable replica alias, or None (every replica down or none configured)."""
    now = time.monotonic()
    candidates = [alias for alias in replica_aliases() if _down_until.get(alias, 0) <= now]
    random.shuffle(candidates)
    for alias in candidates:
        try:
            connections[alias].ensure_connection()
        except DatabaseError as error:
            mark_down(alias, error)
            continue
        return alias
    return None


class ReplicaRouter:
    """Reads of a replica-eligible request go to one replica; all else to the primary."""

    def db_for_read(self, model, **hints):
        state = _routing.get()
        if state is None or not state.replicas_allowed:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS  # a read inside a write decides on the primary's copy
        if not state.replica_used:
            state.replica_used = healthy_replica() or DEFAULT_DB_ALIAS
        return state.replica_used

    def db_for_write(self, model, **hints):
        state = _routing.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replicas are copies of the primary: one database

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def sticky(request) -> bool:
    """Whether the client wrote recently (read-your-writes)."""
    try:
        until = float(request.COOKIES.get(STICKY_COOKIE, ""))
    except ValueError:
        return False
    return until > time.time()


class ReplicaMiddleware:
    """Decides per request whether reads may use a replica, and marks clients who wrote."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        allowed = request.method in SAFE_METHODS and not sticky(request)
        state = Routing(replicas_allowed=allowed and bool(replica_aliases()))
        token = _routing.set(state)
        try:
            response = self.get_response(request)
        finally:
            _routing.reset(token)
        if request.method not in SAFE_METHODS or (state.wrote and signed_in(request)):
            seconds = settings.REPLICA_STICKY_SECONDS
            response.set_cookie(
                STICKY_COOKIE,
                f"{time.time() + seconds:.0f}",
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        request._replica_view = (view_func, view_args, view_kwargs)

    def process_exception(self, request, exception):
        """A replica failing mid-request: serve the (safe) request again from the primary."""
        state = _routing.get()
        if state is None or not state.replica_used or state.replica_used == DEFAULT_DB_ALIAS:
            return None
        if not isinstance(exception, DatabaseError):
            return None
        failed = state.replica_used
        view = getattr(request, "_replica_view", None)
        if view is None or _usable(failed):
            return None  # a query error, not a replica outage: let it be a 500 as it should
        mark_down(failed, exception)
        state.replica_used = DEFAULT_DB_ALIAS
        view_func, view_args, view_kwargs = view
        response = view_func(request, *view_args, **view_kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response


def _usable(alias: str) -> bool:
    wrapper = connections[alias]
    return wrapper.connection is not None and wrapper.is_usable()
