from django.conf import settings
from rest_framework.throttling import AnonRateThrottle

from lib.clients import client_address


class AnonThrottle(AnonRateThrottle):
    """Anonymous clients, per address: settings.API_ANON_THROTTLE_RATE (read on each request,
    so deployments and tests can change it without a restart of the class)."""

    def get_rate(self):
        return settings.API_ANON_THROTTLE_RATE

    def get_ident(self, request):
        # The connection's address, not DRF's default, which believes any X-Forwarded-For.
        return client_address(request)
