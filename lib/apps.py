from django.apps import AppConfig


class LibConfig(AppConfig):
    """Low-level helpers every app may use; an app only so that its template tags load."""

    name = "lib"
