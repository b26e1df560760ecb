"""Who is asking: the client address that throttling and failed-sign-in locks count against."""

from django.conf import settings


def client_address(request) -> str:
    """The address of the connection, or, behind settings.TRUSTED_PROXY_COUNT proxies, the
    address the outermost of them saw.

    Each trusted proxy appends the address it received from to X-Forwarded-For, so only the last
    TRUSTED_PROXY_COUNT entries can be believed; whatever a client writes there itself comes
    before them and is never used.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if not hops:
        return remote
    return hops[-min(trusted, len(hops))]
