from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListingsConfig(AppConfig):
    name = "listings"
    verbose_name = _("Technologies and moderation")

    def ready(self):
        from . import fieldindex
        from .models import Technology
        from .registry import register

        register(Technology)
        fieldindex.connect(Technology)
