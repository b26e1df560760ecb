from django import template
from django.utils import translation

from listings.models import Technology

from .. import quality

register = template.Library()


@register.simple_tag
def listing_quality(listing):
    """The quality check of a saved technology (None for anything else, e.g. a need)."""
    if not isinstance(listing, Technology) or listing.pk is None:
        return None
    return quality.check(listing)


@register.filter
def join_words(items) -> str:
    """Join in the page's language: “a, b” in English, “a、b” in Japanese."""
    separator = "、" if translation.get_language() == "ja" else ", "
    return separator.join(str(item) for item in items)


@register.filter
def join_labels(rules) -> str:
    return join_words(rule.label for rule in rules)
