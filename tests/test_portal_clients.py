"""lib.clients.client_address: the connection's address unless proxies are trusted."""

import pytest
from django.test import RequestFactory

from lib.clients import client_address


def _request(forwarded=None, remote="10.0.0.2"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(_request("203.0.113.5")) == "10.0.0.2"


@pytest.mark.parametrize(
    "count, forwarded, expected",
    [
        (1, "192.0.2.1, 203.0.113.5", "203.0.113.5"),
        (1, "203.0.113.5", "203.0.113.5"),
        (2, "192.0.2.1, 203.0.113.5, 10.0.0.1", "203.0.113.5"),
        (2, "203.0.113.5", "203.0.113.5"),  # fewer hops than proxies: the leftmost there is
        (1, "", "10.0.0.2"),  # no header: the connection
    ],
)
def test_with_trusted_proxies_the_outermost_ones_view_is_the_client(
    settings, count, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_address(_request(forwarded)) == expected


@pytest.mark.parametrize("count, expected", [(0, "10.0.0.2"), (1, "203.0.113.5")])
def test_failed_sign_in_locks_count_the_same_address(settings, count, expected):
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXY_COUNT = count
    assert get_client_ip_address(_request("192.0.2.1, 203.0.113.5")) == expected
