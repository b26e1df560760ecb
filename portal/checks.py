"""System checks for settings that work in development but fail quietly in production."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches)
def shared_cache(app_configs, **kwargs):
    """Throttling counts live in the cache: a per-process cache multiplies every limit by the
    number of app-server processes (and forgets it on restart)."""
    if settings.DEBUG:
        return []
    backend = settings.CACHES["default"]["BACKEND"]
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            f"The default cache ({backend.rsplit('.', 1)[-1]}) is not shared between processes, "
            "so each app-server process counts API and sign-up throttling on its own.",
            hint="Set REDIS_URL, or use the database cache (the settings' default without it).",
            id="portal.W001",
        )
    ]
