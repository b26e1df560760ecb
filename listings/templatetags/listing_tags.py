from django import template

from listings.lifecycle import Action

register = template.Library()


@register.filter
def listing_type(obj) -> str:
    """The listing type of a listing ("technology", "need"), as its URLs spell it."""
    return obj._meta.model_name


@register.simple_tag
def action_label(action: str) -> str:
    return dict(Action.choices).get(action, action)
