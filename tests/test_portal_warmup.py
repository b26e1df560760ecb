"""A new app-server worker serves the public pages to itself first (portal/warmup.py)."""

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


def test_gunicorn_workers_warm_up_before_taking_visitors(monkeypatch):
    calls = []
    monkeypatch.setattr(warmup, "warm_up", lambda: calls.append("warmed"))
    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", settings.BASE_DIR / "gunicorn.conf.py"
    )
    config = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(config)
    config.post_worker_init(worker=None)
    assert calls == ["warmed"]


def test_a_failing_warm_up_does_not_stop_the_worker(monkeypatch, caplog):
    def broken():
        raise RuntimeError("database unreachable")

    monkeypatch.setattr(warmup, "warm_up", broken)
    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", settings.BASE_DIR / "gunicorn.conf.py"
    )
    config = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(config)
    config.post_worker_init(worker=None)
    assert "warm-up failed" in caplog.text
