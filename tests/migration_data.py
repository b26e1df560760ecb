"""Rows that data migrations create (taxonomy, moderator group), restored when missing.

A transactional test (browser journeys, concurrent moderators) ends with a flush that removes
them, and `--reuse-db` keeps that database for the next run; the `_migration_data` fixture of
tests/conftest.py calls `restore()` before every test that uses the database (cheap when the
rows are there).
"""

from importlib import import_module

from django.apps import apps
from django.contrib.auth.models import Group, Permission

from accounts.models import MODERATOR_GROUP
from listings.models import Field


def restore() -> None:
    if not Field.objects.exists():
        import_module("listings.migrations.0003_load_taxonomy").load(apps, None)
    group, created = Group.objects.get_or_create(name=MODERATOR_GROUP)
    if created:
        codenames = import_module("listings.migrations.0004_staff_permissions").CODENAMES
        group.permissions.add(*Permission.objects.filter(codename__in=codenames))
