"""Security headers with DEBUG off: a Content-Security-Policy on every response, its own for the
API reference page, and that page loads nothing from another site."""

import re

import pytest
from django.urls import reverse

from tests.factories import make_member, make_need, make_technology

pytestmark = pytest.mark.django_db

SITE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def _policy(response) -> dict[str, list[str]]:
    directives = [d.split() for d in response["Content-Security-Policy"].split(";")]
    return {d[0]: d[1:] for d in directives if d}


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/technologies/",
        "/needs/",
        "/statistics/",
        "/about/",
        "/api/",
        "/accounts/login/",
        "/accounts/signup/",
        "/api/v1/technologies/",
        "/technologies/feed/",
        "/no-such-page/",
    ],
)
def test_every_response_carries_the_policy_next_to_the_other_headers(client, url):
    make_technology(title="A technology")
    response = client.get(url)
    assert response.status_code in (200, 404)
    assert response["Content-Security-Policy"] == SITE_POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_pages_of_a_signed_in_member_and_forms_carry_it_too(client):
    member = make_member()
    client.force_login(member)
    technology = make_technology(member.organization)
    make_need(member.organization)
    for url in (reverse("dashboard"), technology.get_absolute_url(), "/technologies/new/"):
        assert client.get(url)["Content-Security-Policy"] == SITE_POLICY, url
    # A refused request (the moderation queue is for staff) and a POST answer as well.
    assert client.get(reverse("matching:board"))["Content-Security-Policy"] == SITE_POLICY
    response = client.post(reverse("accounts:profile"), {"full_name": ""})
    assert response["Content-Security-Policy"] == SITE_POLICY


def test_no_page_has_inline_script_or_style(client):
    member = make_member()
    technology = make_technology(member.organization)
    pages = ["/", "/technologies/", "/statistics/", "/about/", technology.get_absolute_url()]
    client.force_login(member)
    pages += [reverse("dashboard"), "/technologies/new/", "/api/docs/"]
    for url in pages:
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), url
        assert not re.search(r"\sstyle=|<style|\son[a-z]+=", html), url


def test_the_api_reference_page_has_its_own_policy(client):
    policy = _policy(client.get("/api/docs/"))
    # Redoc injects its styles and searches in a blob: worker; still only this site.
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["worker-src"] == ["'self'", "blob:"]
    assert policy["script-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"] and policy["img-src"] == ["'self'", "data:"]


def test_the_api_reference_page_refers_to_no_other_host(client):
    html = client.get("/api/docs/").content.decode()
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    [script] = re.findall(r'<script src="([^"]+)"', html)
    assert script == reverse("api:redoc_script")
    response = client.get(script)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"Redoc" in body
    # The one remote resource of the sidecar's bundle (Redocly's logo) is gone.
    assert b"cdn.redoc.ly" not in body and b"fonts.g" not in body
    assert client.get(script, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
