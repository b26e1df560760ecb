"""A new app-server worker serves the public pages to itself first (portal/warmup.py)."""

import gc
import importlib.util

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session

from analytics.models import ListingEvent
from portal import warmup

from .factories import make_need, make_technology

pytestmark = pytest.mark.django_db(transaction=True)


def test_warm_up_serves_each_page_in_both_languages_and_writes_nothing():
    make_technology(title="Solar cell with a perovskite layer")
    make_need(title="Battery recycling")
    events, sessions = ListingEvent.objects.count(), Session.objects.count()
    served = warmup.warm_up()
    assert {(language, path) for language, path, _ in served} == {
        (language, path) for language in warmup.LANGUAGES for path in warmup.PATHS
    }
    assert all(status == 200 for _, _, status in served)
    assert (ListingEvent.objects.count(), Session.objects.count()) == (events, sessions)


def test_warm_up_passes_https_redirects(settings):
    settings.SECURE_SSL_REDIRECT = True
    assert all(status == 200 for *_, status in warmup.warm_up(paths=("/",)))


def gunicorn_config():
    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", settings.BASE_DIR / "gunicorn.conf.py"
    )
    config = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(config)
    return config


@pytest.fixture
def unfrozen():
    """The test process's collector as it was: a worker's freeze undone afterwards."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_gunicorn_workers_warm_up_before_taking_visitors(monkeypatch, unfrozen):
    calls = []
    monkeypatch.setattr(warmup, "warm_up", lambda: calls.append("warmed"))
    gunicorn_config().post_worker_init(worker=None)
    assert calls == ["warmed"]


def test_a_worker_freezes_what_it_loaded_out_of_the_collector(monkeypatch, unfrozen):
    loaded = []
    monkeypatch.setattr(warmup, "warm_up", lambda: loaded.append([{"template": "kept"}]))
    assert gc.get_freeze_count() == 0
    gunicorn_config().post_worker_init(worker=None)
    assert gc.get_freeze_count() > 0
    assert not any(o is loaded[0] for o in gc.get_objects())  # no longer walked


def test_a_failing_warm_up_does_not_stop_the_worker(monkeypatch, caplog, unfrozen):
    def broken():
        raise RuntimeError("database unreachable")

    monkeypatch.setattr(warmup, "warm_up", broken)
    gunicorn_config().post_worker_init(worker=None)
    assert "warm-up failed" in caplog.text
    assert gc.get_freeze_count() > 0  # frozen all the same: what is loaded stays loaded
