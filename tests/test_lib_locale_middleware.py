"""The visitor's language (`lib.i18n.LocaleMiddleware`): the language cookie, else the
browser's Accept-Language, else English; Django's own steps where addresses carry a language
prefix (`i18n_patterns`)."""

import pytest
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.urls import path
from django.utils import translation


def language_view(request):
    return HttpResponse(f"{request.LANGUAGE_CODE} {translation.get_language()}")


#: a URLconf with language-prefixed addresses, as a site using `i18n_patterns` has.
urlpatterns = i18n_patterns(path("page/", language_view), prefix_default_language=False)


@pytest.mark.parametrize(
    ("cookie", "accept", "expected"),
    [
        (None, "ja,en;q=0.5", "ja"),
        (None, "en-GB,ja;q=0.5", "en"),
        (None, "de,fr", "en"),
        ("ja", "en", "ja"),
        ("en", "ja", "en"),
        ("xx", "ja", "ja"),  # a cookie naming no language of the site is ignored
    ],
)
@pytest.mark.django_db
def test_the_language_is_the_cookies_else_the_browsers(client, cookie, accept, expected):
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    response = client.get("/about/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert response["Content-Language"] == expected
    assert f'<html lang="{expected}"' in response.content.decode()
    assert "Accept-Language" in response["Vary"]


@pytest.mark.django_db
def test_an_address_that_looks_like_a_language_changes_nothing(client):
    """Without `i18n_patterns`, "/ja/…" is an address like any other (a 404 in English)."""
    response = client.get("/ja/about/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Language"] == "en"


@pytest.mark.django_db
def test_language_prefixed_addresses_keep_djangos_steps(client, settings):
    settings.ROOT_URLCONF = __name__
    response = client.get("/ja/page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.content.decode() == "ja ja"
    assert response["Content-Language"] == "ja"
    assert "Accept-Language" not in response.get("Vary", "")  # the address said it
    unprefixed = client.get("/page/", HTTP_ACCEPT_LANGUAGE="ja")
    assert unprefixed.content.decode() == "en en"  # the default language has no prefix
