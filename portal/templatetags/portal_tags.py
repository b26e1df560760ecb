from django import template
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **changes):
    """The current query string with some parameters replaced (used by pagination and sorting)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def localized_name(obj):
    """An object's Japanese name when the page is in Japanese and one is given."""
    if get_language() == "ja":
        return getattr(obj, "name_ja", "") or obj.name
    return getattr(obj, "name_en", "") or obj.name
