"""Text that follows the reader's language beyond the catalogue's sentences."""

from collections.abc import Iterable
from functools import cache

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.middleware import locale
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language, pgettext
from django_countries import countries


def list_separator() -> str:
    """What stands between list items: ", " in English, "、" in Japanese (set by the catalogue)."""
    # Translators: put between the items of a list ("solar, wind"); Japanese uses "、".
    return pgettext("list separator", ", ")


def join_list(items: Iterable) -> str:
    """Items as the active language lists them: "solar, wind" / "太陽光、風力"."""
    return list_separator().join(str(item) for item in items)


def format_range(low, high) -> str:
    """A range as the active language writes it: "4–9" in English, "4～9" in Japanese."""
    # Translators: put between the two ends of a range ("4–9"); Japanese uses "～".
    return pgettext("range separator", "–").join([str(low), str(high)])


@cache
def _country_name(code: str, language: str | None) -> str:
    return str(countries.name(code))


def country_name(code: str) -> str:
    """A country's name in the active language: django-countries' lookup (~50 µs) once per
    code and language."""
    return _country_name(code, get_language())


@cache
def _labels(field) -> dict:
    return dict(make_hashable(field.flatchoices))  # as Django's own: any value as a key


class ChoiceLabels:
    """Model mixin: `get_FOO_display()` by one lookup. Django's builds a dictionary of every
    choice on each call and hashes each label, which translates them all (a readiness level's
    nine: ~0.14 ms) to show one; here the labels are looked up in a dictionary made once per
    field and stay lazy, so only the one shown is translated. Choices given by a callable may
    change between calls: those go Django's way."""

    def _get_FIELD_display(self, field):
        if not isinstance(field.choices, list | tuple):
            return super()._get_FIELD_display(field)
        value = make_hashable(getattr(self, field.attname))
        return force_str(_labels(field).get(value, value), strings_only=True)


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's `LocaleMiddleware` (the visitor's language from the language cookie, else the
    browser's Accept-Language), less the work done for addresses that start with a language
    code (`i18n_patterns`), which this site's addresses do not: Django looks for a language in
    every address twice a request ("/technologies/…" is tried as a language code and fails, an
    exception each time): 2.4 % of a kept technology page's instructions, a third of what the
    middleware cost (docs/performance.md, *Twelfth pass*). With `i18n_patterns` in the
    URLconf, Django's own steps run."""

    def process_request(self, request):
        if self._prefixed(request):
            return super().process_request(request)
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        if self._prefixed(request):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response

    @staticmethod
    def _prefixed(request) -> bool:
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        return is_language_prefix_patterns_used(urlconf)[0]
