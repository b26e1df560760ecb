"""Text that follows the reader's language beyond the catalogue's sentences."""

from collections.abc import Iterable

from django.utils.translation import pgettext


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
