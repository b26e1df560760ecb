"""Absolute links (lib/urls.py): in development they reach the running site whatever its port;
in production an explicit SITE_URL rules."""

import csv
import io
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from accounts.models import Membership
from listings.lifecycle import Status
from tests.factories import make_member, make_organization, make_staff, make_technology, make_user

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
RUNNING = "127.0.0.1:8100"  # `make run PORT=8100`
ON_RUNNING = {"HTTP_HOST": RUNNING}
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(autouse=True)
def _setup(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def development(settings):
    settings.DEBUG = True
    settings.SITE_URL_FROM_REQUEST = True
    settings.SITE_URL = "http://127.0.0.1:8000"  # the default: not where the site runs


@pytest.fixture
def production(settings):
    settings.SITE_URL_FROM_REQUEST = False
    settings.SITE_URL = "https://portal.example.org"


SIGNUP = {
    "full_name": "Aiko Tanaka",
    "email": "aiko@example.org",
    "password1": "a-long-enough-passphrase-2026",
    "password2": "a-long-enough-passphrase-2026",
    "organization_choice": "create",
    "organization_name": "Kyoto Photonics",
    "organization_type": "startup",
    "organization_country": "JP",
}


def _signup_link(client, django_capture_on_commit_callbacks, **headers) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:signup"), SIGNUP, **headers)
    [message] = mail.outbox
    return next(line for line in message.body.splitlines() if "/accounts/verify/" in line)


def test_verification_link_reaches_the_running_site_in_development(
    client, development, django_capture_on_commit_callbacks
):
    link = _signup_link(client, django_capture_on_commit_callbacks, **ON_RUNNING)
    assert link.startswith(f"http://{RUNNING}/accounts/verify/")
    path = link.removeprefix(f"http://{RUNNING}")
    assert client.get(path, **ON_RUNNING).status_code == 302


def test_verification_link_follows_site_url_in_production(
    client, production, django_capture_on_commit_callbacks
):
    link = _signup_link(client, django_capture_on_commit_callbacks, **ON_RUNNING)
    assert link.startswith("https://portal.example.org/accounts/verify/")


def test_notification_links_reach_the_running_site_in_development(
    client, development, django_capture_on_commit_callbacks
):
    member = make_member()
    technology = make_technology(member.organization, status=Status.SUBMITTED, author=member)
    client.force_login(make_staff())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("listings:action", args=["technology", technology.pk]),
            {"action": "approve"},
            **ON_RUNNING,
        )
    [message] = mail.outbox
    assert f"http://{RUNNING}{technology.get_absolute_url()}" in message.body
    assert "127.0.0.1:8000" not in message.body


def test_join_request_mail_links_to_the_running_site(
    client, development, django_capture_on_commit_callbacks
):
    organization = make_organization()
    admin = make_user(organization=organization, role=Membership.Role.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:signup"),
            {**SIGNUP, "organization_choice": "join", "existing_organization": organization.pk},
            **ON_RUNNING,
        )
    [to_admin] = [m for m in mail.outbox if m.to == [admin.email]]
    assert f"http://{RUNNING}{reverse('accounts:members')}" in to_admin.body


def test_csv_url_column_reaches_the_running_site_in_development(client, development):
    technology = make_technology()
    response = client.get("/technologies/export.csv", **ON_RUNNING)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    [row] = csv.DictReader(io.StringIO(text))
    assert row["url"] == f"http://{RUNNING}{technology.get_absolute_url()}"


def test_csv_url_column_follows_site_url_in_production(client, production):
    technology = make_technology()
    response = client.get("/technologies/export.csv", **ON_RUNNING)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    [row] = csv.DictReader(io.StringIO(text))
    assert row["url"] == f"https://portal.example.org{technology.get_absolute_url()}"


def test_api_url_fields_reach_the_running_site_in_development(client, development):
    technology = make_technology()
    body = client.get(f"/api/v1/technologies/{technology.pk}/", **ON_RUNNING).json()
    assert body["url"] == f"http://{RUNNING}{technology.get_absolute_url()}"
    assert body["organization"]["url"].startswith(f"http://{RUNNING}/")


def test_api_url_fields_follow_site_url_in_production(client, production):
    technology = make_technology()
    body = client.get(f"/api/v1/technologies/{technology.pk}/", **ON_RUNNING).json()
    assert body["url"] == f"https://portal.example.org{technology.get_absolute_url()}"


def test_feed_and_sitemap_links_reach_the_running_site_in_development(client, development):
    technology = make_technology()
    feed = ElementTree.fromstring(client.get("/technologies/feed/", **ON_RUNNING).content)
    entry = feed.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}link").get("href") == (
        f"http://{RUNNING}{technology.get_absolute_url()}"
    )
    author = entry.find(f"{ATOM}author").find(f"{ATOM}uri").text
    assert author == f"http://{RUNNING}{technology.organization.get_absolute_url()}"

    index = ElementTree.fromstring(client.get("/sitemap.xml", **ON_RUNNING).content)
    sections = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert sections and all(s.startswith(f"http://{RUNNING}/") for s in sections)
    section = sections[0].removeprefix(f"http://{RUNNING}")
    urls = ElementTree.fromstring(client.get(section, **ON_RUNNING).content)
    locations = [loc.text for loc in urls.iter(f"{SITEMAP}loc")]
    assert locations and all(u.startswith(f"http://{RUNNING}/") for u in locations)


def test_feed_links_follow_site_url_in_production(client, production):
    technology = make_technology()
    feed = ElementTree.fromstring(client.get("/technologies/feed/", **ON_RUNNING).content)
    links = [link.get("href") for link in feed.iter(f"{ATOM}link")]
    assert f"https://portal.example.org{technology.get_absolute_url()}" in links
    assert links and all(link.startswith("https://portal.example.org/") for link in links)


def test_sitemap_follows_site_url_in_production(client, production):
    make_technology()
    index = ElementTree.fromstring(client.get("/sitemap.xml", **ON_RUNNING).content)
    sections = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert sections and all(s.startswith("https://portal.example.org/") for s in sections)


def test_api_example_and_robots_reach_the_running_site_in_development(client, development):
    page = client.get(reverse("opendata:api_overview"), **ON_RUNNING).content.decode()
    assert f"curl 'http://{RUNNING}/api/v1/technologies/" in page
    robots = client.get("/robots.txt", **ON_RUNNING).content.decode()
    assert f"Sitemap: http://{RUNNING}/sitemap.xml" in robots


def _settings_in_subprocess(**env) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "HOST", "PORT")}
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.SITE_URL, settings.SITE_URL_FROM_REQUEST)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_off_request_links_use_the_host_and_port_the_site_runs_on():
    assert _settings_in_subprocess(HOST="127.0.0.1", PORT="8100") == "http://127.0.0.1:8100 True"
    assert _settings_in_subprocess() == "http://127.0.0.1:8000 True"


def test_explicit_site_url_rules_in_production():
    production = {"SITE_URL": "https://portal.example.org/", "SECRET_KEY": "x" * 50}
    assert _settings_in_subprocess(**production, PORT="8100") == (
        "https://portal.example.org False"
    )


def test_make_run_passes_host_and_port_to_the_site():
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8100", "HOST=0.0.0.0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "HOST=0.0.0.0 PORT=8100 .venv/bin/python manage.py runserver 0.0.0.0:8100" in (
        result.stdout
    )
