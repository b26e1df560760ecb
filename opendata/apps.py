from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    """Statistics, feeds, sitemaps, CSV exports and the read-only JSON API."""

    name = "opendata"
    verbose_name = _("Open data")

    def ready(self):
        from . import receivers  # noqa: F401  (statistics follow listing changes)
