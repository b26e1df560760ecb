import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the Django ORM calls made by
# tests around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _english_by_default():
    # A request in Japanese leaves its language active in this thread; start each test in English.
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    # Real hashing is slow by design; tests only need passwords to round-trip.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SITE_URL = "http://testserver"


@pytest.fixture(autouse=True)
def _empty_cache():
    # Throttling counts (API, sign-up) and cached figures must not leak from one test to another.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_kept_search_pages():
    # A search's page kept for visitors (listings.views.SEARCH_PAGES) has no template context:
    # a search one test made must not be served to the next as it was kept.
    from listings.views import SEARCH_PAGES

    SEARCH_PAGES.kept.clear()


@pytest.fixture(autouse=True)
def _migration_data(request):
    """Every test that uses the database finds the rows data migrations create (taxonomy, staff
    group): a transactional test ends with a flush that removes them, and `--reuse-db` keeps
    that database for the next run. Cheap when the rows are there."""
    uses_database = request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames for name in ("db", "transactional_db", "live_server")
    )
    if not uses_database:
        return
    request.getfixturevalue("_django_db_helper")
    from tests import migration_data

    migration_data.restore()


@pytest.fixture(autouse=True)
def _suggestions_at_once(request, monkeypatch):
    # Stored suggestion lists are re-ranked after commit, which a test's transaction never
    # reaches: tests see them re-ranked at once instead. Tests of the after-commit path itself
    # are marked `suggestions_after_commit`.
    if request.node.get_closest_marker("suggestions_after_commit"):
        return
    from matching import hooks
    from tasks import jobs

    monkeypatch.setattr(hooks, "schedule_refresh", jobs.refresh_suggestions)


@pytest.fixture
def staff(db):
    from tests.factories import make_staff

    return make_staff()


@pytest.fixture
def member(db):
    from tests.factories import make_member

    return make_member()


pytest_plugins = ["tests.browser"]
