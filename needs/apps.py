from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NeedsConfig(AppConfig):
    name = "needs"
    verbose_name = _("Partner needs")

    def ready(self):
        from listings import fieldindex
        from listings.registry import register

        from .models import Need

        register(Need)
        fieldindex.connect(Need)
