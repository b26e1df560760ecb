from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BundlesConfig(AppConfig):
    """Bulk import and export in the JSON exchange format (data/README.md) and CSV."""

    name = "bundles"
    verbose_name = _("Import and export")
