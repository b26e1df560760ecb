from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonThrottle(AnonRateThrottle):
    """Anonymous clients, per address: settings.API_ANON_THROTTLE_RATE (read on each request,
    so deployments and tests can change it without a restart of the class)."""

    def get_rate(self):
        return settings.API_ANON_THROTTLE_RATE
