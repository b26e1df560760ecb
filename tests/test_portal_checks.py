"""Start-up checks: a production cache must be shared between app-server processes."""

import pytest

from portal.checks import shared_cache

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DATABASE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "c"}}
REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379",
    }
}


def test_per_process_cache_in_production_warns(settings):
    settings.DEBUG, settings.CACHES = False, LOCMEM
    [warning] = shared_cache(None)
    assert warning.id == "portal.W001"
    assert "REDIS_URL" in warning.hint


@pytest.mark.parametrize("debug, caches", [(True, LOCMEM), (False, DATABASE), (False, REDIS)])
def test_shared_cache_or_development_is_quiet(settings, debug, caches):
    settings.DEBUG, settings.CACHES = debug, caches
    assert shared_cache(None) == []


def test_the_check_runs_with_the_system_checks(settings):
    from django.core import checks

    settings.DEBUG, settings.CACHES = False, LOCMEM
    assert "portal.W001" in {message.id for message in checks.run_checks()}


def _default_cache_backend(**env) -> str:
    import os
    import subprocess
    import sys

    from django.conf import settings

    code = "from portal import settings; print(settings.CACHES['default']['BACKEND'])"
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "REDIS_URL", "SECRET_KEY"}}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**clean, "DATABASE_URL": "postgres://unused/none", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    "env, backend",
    [
        ({"DEBUG": "false"}, "django.core.cache.backends.db.DatabaseCache"),
        (
            {"DEBUG": "false", "REDIS_URL": "redis://127.0.0.1:6379/0"},
            "django.core.cache.backends.redis.RedisCache",
        ),
        ({"DEBUG": "true"}, "django.core.cache.backends.locmem.LocMemCache"),
    ],
)
def test_settings_choose_a_shared_cache_in_production(env, backend):
    assert _default_cache_backend(**env) == backend


def test_an_app_server_warns_at_start_when_its_cache_is_per_process(tmp_path):
    import os
    import subprocess
    import sys

    from django.conf import settings

    (tmp_path / "locmem_settings.py").write_text(
        "from portal.settings import *\n"
        "DEBUG = False\n"
        "CACHES = {'default': {'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}}\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(settings.BASE_DIR)]),
        "DJANGO_SETTINGS_MODULE": "locmem_settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import portal.wsgi"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "(portal.W001) The default cache (LocMemCache) is not shared" in result.stderr
