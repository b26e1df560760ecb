"""Sign-up attempts per client address, counted in the shared cache like the API's requests."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from lib.clients import client_address


class SignupThrottle(SimpleRateThrottle):
    """settings.SIGNUP_THROTTLE_RATE sign-up attempts (valid or not) per client address."""

    scope = "signup"

    def get_rate(self):
        return settings.SIGNUP_THROTTLE_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}
