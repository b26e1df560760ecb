"""The replica router's decisions and the read-your-writes cookie, in process (portal/replicas.py).

The real streaming replica is exercised in tests/test_scaleout_replica.py; these run anywhere.
"""

import logging
import time

import pytest
from django.db import OperationalError, connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from portal import replicas
from tests.factories import make_user

# Not inside a test transaction: the router sends reads inside one to the primary.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def with_replica(settings):
    settings.DATABASE_REPLICAS = ["replica1"]
    settings.REPLICA_STICKY_SECONDS = 30
    replicas._down_until.clear()
    yield
    replicas._down_until.clear()


def run(request, view):
    return replicas.ReplicaMiddleware(view)(request)


def test_a_public_read_uses_the_replica_and_a_write_or_a_read_inside_one_the_primary(
    with_replica, monkeypatch
):
    monkeypatch.setattr(replicas, "healthy_replica", lambda: "replica1")
    router = replicas.ReplicaRouter()
    seen = {}

    def view(request):
        seen["read"] = router.db_for_read(None)
        seen["write"] = router.db_for_write(None)
        with transaction.atomic():
            seen["read in write"] = router.db_for_read(None)
        return HttpResponse()

    run(RequestFactory().get("/technologies/"), view)
    assert seen == {"read": "replica1", "write": "default", "read in write": "default"}
    assert router.db_for_read(None) == "default"  # outside a request: commands, worker
    assert router.allow_migrate("replica1", "listings") is False


def test_a_post_makes_the_client_read_from_the_primary_for_the_configured_time(
    with_replica, monkeypatch
):
    monkeypatch.setattr(replicas, "healthy_replica", lambda: "replica1")
    router = replicas.ReplicaRouter()
    response = run(RequestFactory().post("/technologies/new/"), lambda r: HttpResponse())
    cookie = response.cookies[replicas.STICKY_COOKIE]
    assert cookie["max-age"] == 30 and float(cookie.value) > time.time() + 25
    seen = []
    request = RequestFactory().get("/technologies/1/")
    request.COOKIES[replicas.STICKY_COOKIE] = cookie.value
    run(request, lambda r: seen.append(router.db_for_read(None)) or HttpResponse())
    assert seen == ["default"]
    # Once the time has passed, the replica again.
    request.COOKIES[replicas.STICKY_COOKIE] = str(time.time() - 1)
    run(request, lambda r: seen.append(router.db_for_read(None)) or HttpResponse())
    assert seen == ["default", "replica1"]


def test_an_anonymous_read_that_counts_a_view_is_not_sticky_a_signed_in_write_is(with_replica):
    router = replicas.ReplicaRouter()

    def counting_view(request):
        router.db_for_write(None)  # e.g. the view counter
        return HttpResponse()

    anonymous = RequestFactory().get("/technologies/1/")
    anonymous.user = None
    assert replicas.STICKY_COOKIE not in run(anonymous, counting_view).cookies
    signed_in = RequestFactory().get("/technologies/1/")
    signed_in.user = make_user()
    assert replicas.STICKY_COOKIE in run(signed_in, counting_view).cookies


class UnreachableReplica:
    attempts = 0

    def ensure_connection(self):
        UnreachableReplica.attempts += 1
        raise OperationalError('connection to server at "10.0.0.9", port 5432 failed')

    def close(self):
        pass


def test_an_unreachable_replica_is_skipped_with_a_warning(with_replica, monkeypatch, caplog):
    monkeypatch.setattr(replicas, "connections", {"replica1": UnreachableReplica()})
    with caplog.at_level(logging.WARNING, logger="portal.replicas"):
        assert replicas.healthy_replica() is None
        assert replicas.healthy_replica() is None  # not tried again for a while
    assert UnreachableReplica.attempts == 1
    [warning] = [r.getMessage() for r in caplog.records if r.name == "portal.replicas"]
    assert "Read replica replica1 is unavailable" in warning and "10.0.0.9" in warning


class DeadConnection:
    connection = object()

    def is_usable(self):
        return False

    def close(self):
        pass


def test_a_replica_failing_during_a_request_has_it_served_from_the_primary(
    with_replica, monkeypatch, caplog
):
    monkeypatch.setattr(replicas, "healthy_replica", lambda: "replica1")
    monkeypatch.setattr(
        replicas, "connections", {"default": connections["default"], "replica1": DeadConnection()}
    )
    router = replicas.ReplicaRouter()

    def view(request):
        if router.db_for_read(None) == "replica1":
            raise OperationalError("server closed the connection unexpectedly")
        return HttpResponse("from the primary")

    middleware = replicas.ReplicaMiddleware(None)
    request = RequestFactory().get("/technologies/")

    def handler(request):  # what Django's handler does around the view
        middleware.process_view(request, view, (), {})
        try:
            return view(request)
        except OperationalError as error:
            return middleware.process_exception(request, error)

    middleware.get_response = handler
    with caplog.at_level(logging.WARNING, logger="portal.replicas"):
        response = middleware(request)
    assert response.status_code == 200 and response.content == b"from the primary"
    assert "Read replica replica1 is unavailable" in caplog.text
