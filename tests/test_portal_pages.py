"""Site-wide pages: home, about, robots.txt, error pages, language switch."""

import re

import pytest
from django.conf import settings
from django.urls import include, path, reverse

from accounts.models import Membership
from listings.lifecycle import Status
from tests.factories import make_member, make_technology


def _boom(request):
    raise RuntimeError("deliberate failure for the 500 page test")


# A URLconf for the 500 test: the real site plus one failing view, with the real handlers.
urlpatterns = [path("boom/", _boom), path("", include("portal.urls"))]
handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Home, about, robots ---------------------------------------------------------------------------


def test_home_explains_the_exchange_and_shows_what_is_new(client, db):
    published = make_technology(title="Solid-state hydrogen storage")
    draft = make_technology(title="Secret draft invention", status=Status.DRAFT)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Research results, ready for industry" in page
    assert published.title in page
    assert draft.title not in page
    assert reverse("accounts:signup") in page


def test_about_page(client, db):
    response = client.get(reverse("about"))
    assert response.status_code == 200
    assert "<h1" in response.content.decode()


def test_robots_txt(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Disallow: /accounts/" in body and "Sitemap: http://testserver/sitemap.xml" in body


def test_base_layout_has_landmarks_and_no_external_assets(client, db):
    page = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in page
    assert 'class="skip-link" href="#main"' in page and '<main id="main"' in page
    assert "<footer" in page and "<nav" in page
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', page)
    assert not [u for u in external if not u.startswith("http://testserver")], external


# Error pages -------------------------------------------------------------------------------------


def test_404_uses_the_site_template(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert "base.html" in [t.name for t in response.templates]
    assert "Page not found" in response.content.decode()


def test_403_renders_the_site_page_with_the_reason(client, db):
    member = make_member(role=Membership.Role.MEMBER)
    client.force_login(member)
    response = client.get(reverse("accounts:members"))
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert "You may not do this" in page
    assert "Only the organisation&#x27;s administrators may do this." in page
    assert "Sign out" in page  # the full layout, with the user's navigation


def test_400_handler_renders_the_site_page(rf, db):
    from django.contrib.auth.models import AnonymousUser

    from portal.views import bad_request

    request = rf.get("/")
    request.user = AnonymousUser()
    response = bad_request(request)
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


@pytest.mark.urls(__name__)
def test_500_page_is_served_for_an_unhandled_error(client, db):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page and 'lang="ja"' in page
    assert "deliberate failure" not in page


def test_csrf_failure_is_a_403_not_a_500(db):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(reverse("accounts:login"), {"username": "a@b.c", "password": "x"})
    assert response.status_code == 403


# Language ----------------------------------------------------------------------------------------


def test_language_switch_to_japanese_and_back(client, db):
    response = client.post(reverse("set_language"), {"language": "ja", "next": reverse("about")})
    assert response.status_code == 302 and response["Location"] == reverse("about")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ja"
    page = client.get(reverse("home")).content.decode()
    assert '<html lang="ja">' in page
    assert 'name="language" value="en"' in page  # the switcher now offers English
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get(reverse("home")).content.decode()


def test_language_switch_ignores_an_unknown_language_and_a_foreign_next(client, db):
    response = client.post(
        reverse("set_language"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")
    assert '<html lang="en">' in client.get(reverse("home")).content.decode()


def test_browser_language_is_honoured(client, db):
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ja,en;q=0.5").content.decode()
    assert '<html lang="ja">' in page


# Settings --------------------------------------------------------------------------------


def test_development_defaults_are_not_the_production_ones():
    # The test settings run without SECRET_KEY: the deploy check above proves the other side.
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.X_FRAME_OPTIONS == "DENY"
