"""Absolute URLs: the one place that decides which address links point to.

In production an explicit ``SITE_URL`` rules (behind a proxy the request may not know the public
address). In development (``SITE_URL_FROM_REQUEST``, on when DEBUG is on or SITE_URL is unset)
links follow the request being served, so they reach the running site whatever its host and
port; work done outside a request (commands, cron) falls back to ``SITE_URL``, which
`make run` derives from its HOST and PORT.
"""

from contextvars import ContextVar

from django.conf import settings


class _Origin:
    """The origin of the request being served, worked out when a link first needs it."""

    def __init__(self, request):
        self.request = request
        self.value = None

    def get(self) -> str:
        if self.value is None:
            self.value = origin_of(self.request)
        return self.value


_request_origin: ContextVar[_Origin | None] = ContextVar("request_origin", default=None)


def origin_of(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def site_url(request=None) -> str:
    """The base address (scheme://host[:port], no trailing slash) for absolute links."""
    if settings.SITE_URL_FROM_REQUEST:
        if request is not None:
            return origin_of(request)
        origin = _request_origin.get()
        if origin is not None:
            return origin.get()
    return settings.SITE_URL


def absolute_url(path: str, request=None) -> str:
    """`path` (as from reverse() or get_absolute_url()) as an absolute URL."""
    return site_url(request) + path


class RequestOriginMiddleware:
    """Remember the request being served, so that links built deeper down (e-mails sent by
    services, CSV rows, API fields) use its origin without passing the request. The origin is
    worked out only where one is built: most pages build none this way, and in production
    (`SITE_URL` set) none at all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_origin.set(_Origin(request))
        try:
            return self.get_response(request)
        finally:
            _request_origin.reset(token)
