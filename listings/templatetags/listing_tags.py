from django import template

from listings.cards import KeptCard, card_markup
from listings.lifecycle import Action

register = template.Library()


@register.filter
def listing_type(obj) -> str:
    """The listing type of a listing ("technology", "need"), as its URLs spell it."""
    return obj._meta.model_name


@register.simple_tag
def action_label(action: str) -> str:
    return dict(Action.choices).get(action, action)


@register.simple_tag(takes_context=True)
def technology_card(context, technology) -> str:
    """A technology's card (`listings.cards.card_markup`), or the markup of a card already
    made (`KeptCard`, search results); `show_status` in the context adds the status badge."""
    if isinstance(technology, KeptCard):
        return technology.html
    badge = ""
    if context.get("show_status"):
        template = context.template.engine.get_template("listings/includes/status_badge.html")
        with context.push(listing=technology):
            badge = template.render(context)
    return card_markup(technology, badge)
