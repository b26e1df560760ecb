"""Text that follows the reader's language beyond the catalogue's sentences."""

from collections.abc import Iterable
from functools import cache

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
