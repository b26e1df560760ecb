"""Content-Security-Policy: which sources a page may load from and run.

Every response carries settings.CONTENT_SECURITY_POLICY; a view that needs another one (the API
reference, whose Redoc injects its own styles and runs a web worker) is wrapped in
`with_policy`. A small middleware rather than django-csp: the site has no inline script and needs
no nonces, so two fixed policies are all there is to it.
"""

from functools import wraps

from django.conf import settings

HEADER = "Content-Security-Policy"


def header_value(policy: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.site_policy = header_value(settings.CONTENT_SECURITY_POLICY)  # the same every time

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER not in response.headers:
            policy = getattr(response, "content_security_policy", None)
            response.headers[HEADER] = header_value(policy) if policy else self.site_policy
        return response


def with_policy(policy: dict[str, list[str]]):
    """Give a view's responses `policy` instead of the site's."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response.content_security_policy = policy
            return response

        return wrapped

    return decorator
