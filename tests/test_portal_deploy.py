"""`manage.py check --deploy` with the documented production variables prints no warning."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)


def _database_url(settings_dict) -> str:
    user = quote(settings_dict["USER"] or "")
    password = quote(settings_dict["PASSWORD"] or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict["HOST"] or ""
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    query = urlencode(
        {k: v for k, v in settings_dict.get("OPTIONS", {}).items() if isinstance(v, str)}
    )
    return f"postgres://{auth}{host}{port}/{settings_dict['NAME']}" + (f"?{query}" if query else "")


@pytest.fixture(scope="module")
def deploy_check(django_db_setup, django_db_blocker, tmp_path_factory):
    """Run `manage.py check --deploy` once, in a subprocess with the production variables."""
    tmp_path = tmp_path_factory.mktemp("deploy")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DEBUG", "SECURE_", "EMAIL_"))
    }
    env.update(
        SECRET_KEY=secrets.token_urlsafe(64),
        DEBUG="false",
        ALLOWED_HOSTS="portal.example.org",
        CSRF_TRUSTED_ORIGINS="https://portal.example.org",
        SITE_URL="https://portal.example.org",
        DATABASE_URL=_database_url(connection.settings_dict),
        EMAIL_HOST="smtp.example.org",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.returncode, result.stdout + result.stderr


def _issues(output: str) -> list[str]:
    return [line for line in output.splitlines() if re.match(r"^\S*: \(\w+\.[EW]\d+\)", line)]


def test_deploy_check_has_no_security_or_django_warning(deploy_check):
    _, output = deploy_check
    assert "Traceback" not in output, output
    others = [line for line in _issues(output) if "(drf_spectacular." not in line]
    assert not others, output


def test_deploy_check_prints_no_warning_at_all(deploy_check):
    returncode, output = deploy_check
    assert returncode == 0, output
    assert "System check identified no issues" in output, output
    assert not _issues(output), output
