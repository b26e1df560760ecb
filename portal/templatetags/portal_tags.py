from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from portal.i18n import list_separator

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


@register.filter(needs_autoescape=True)
def join_list(items, autoescape=True):
    """Items joined with the page language's list separator ("a, b" / "a、b"), each escaped."""
    escape = conditional_escape if autoescape else str
    return mark_safe(list_separator().join(escape(item) for item in items))


register.simple_tag(list_separator, name="list_separator")
