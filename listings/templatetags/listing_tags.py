from django import template

from listings.lifecycle import Action

register = template.Library()


@register.filter
def model_kind(obj) -> str:
    """The URL kind of a listing ("technology", "need")."""
    return obj._meta.model_name


@register.simple_tag
def action_label(action: str) -> str:
    return dict(Action.choices).get(action, action)
