"""The benchmark's own database: next to the configured one, never the configured one."""

import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection


class BenchDatabaseError(Exception):
    """The bench database cannot be created, migrated or is the configured database."""


def configured_url() -> str:
    return settings.DATABASE_URL


def bench_url(name: str) -> str:
    """The configured DATABASE_URL with its database name replaced by `name`."""
    parts = urlsplit(configured_url())
    return urlunsplit(parts._replace(path="/" + name))


def _quoted(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise BenchDatabaseError(
            f"Refusing the database name {name!r}: letters, digits and _ only."
        )
    return f'"{name}"'


def check_name(name: str) -> None:
    if name == settings.DATABASES["default"]["NAME"]:
        raise BenchDatabaseError(
            f"The bench database {name!r} is the configured database; choose another name."
        )


def exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def create(name: str) -> None:
    """Create an empty database `name` on the configured server (dropping an older bench run)."""
    check_name(name)
    drop(name)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {_quoted(name)}")


def drop(name: str) -> None:
    check_name(name)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")


def run_manage(args: list[str], env: dict) -> None:
    """Run `manage.py <args>` in a subprocess against the bench database (output passes through)."""
    manage = str(settings.BASE_DIR / "manage.py")
    result = subprocess.run([sys.executable, manage, *args], env=env, check=False)
    if result.returncode != 0:
        raise BenchDatabaseError(
            f"`manage.py {' '.join(args)}` failed with exit code {result.returncode}."
        )


def bench_environment(url: str, static_root: str, media_root: str) -> dict:
    """Environment of every bench process: production-like settings on the bench database.

    DEBUG off with a throwaway key, local HTTP only, no shared cache (REDIS_URL removed so bench
    figures never land in a real cache), no SMTP.
    """
    env = dict(os.environ)
    for name in ("REDIS_URL", "EMAIL_HOST", "EMAIL_BACKEND", "SITE_URL"):
        env.pop(name, None)
    env.update(
        {
            "DATABASE_URL": url,
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-" + os.urandom(16).hex(),
            "ALLOWED_HOSTS": "127.0.0.1,testserver",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_ROOT": static_root,
            "MEDIA_ROOT": media_root,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env
