from django import template

from lib.i18n import join_list
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
def join_labels(rules) -> str:
    """The rules' labels as the page's language lists them."""
    return join_list(rule.label for rule in rules)
