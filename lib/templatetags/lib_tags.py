"""Template tags every app's templates use: query strings, localised names, lists, form errors."""

import django_filters
from django import template
from django.forms import BaseForm, BaseFormSet
from django.urls import get_script_prefix
from django.utils.functional import LazyObject
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lib.i18n import list_separator
from lib.kept import Kept

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
    """An object's Japanese name when the page is in Japanese and one is given (organisations:
    their own `localized_name`, the one rule)."""
    if hasattr(obj, "localized_name"):
        return obj.localized_name()
    if get_language() == "ja":
        return getattr(obj, "name_ja", "") or obj.name
    return getattr(obj, "name_en", "") or obj.name


@register.filter(needs_autoescape=True)
def join_list(items, autoescape=True):
    """Items joined with the page language's list separator ("a, b" / "a、b"), each escaped."""
    escape = conditional_escape if autoescape else str
    return mark_safe(list_separator().join(escape(item) for item in items))


register.simple_tag(list_separator, name="list_separator")


@register.simple_tag(takes_context=True)
def page_errors(context) -> list[dict]:
    """Every error of the bound forms, formsets and filter sets the view passed, in order, for
    the error summary and the page title: each with the id of its field (None for a form's own
    errors)."""
    errors, seen = [], set()
    for value in context.flatten().values():
        forms = []
        if isinstance(value, LazyObject):
            # Not a form, and asking it what it is would build it (the visitor, the related
            # technologies a page may never render: `{% per_content %}` keeps their markup).
            continue
        if isinstance(value, BaseFormSet) and value.is_bound:
            errors.extend(
                {"field_id": None, "label": "", "message": e} for e in value.non_form_errors()
            )
            forms = value.forms
        elif isinstance(value, BaseForm):
            forms = [value]
        elif isinstance(value, django_filters.FilterSet) and value.is_bound:
            forms = [value.form]
        for form in forms:
            if not form.is_bound or id(form) in seen:
                continue
            seen.add(id(form))
            for name, messages in form.errors.items():
                field = form[name] if name in form.fields else None
                for message in messages:
                    errors.append(_error(field, message))
    return errors


def _error(field, message) -> dict:
    if field is None or field.is_hidden:
        return {"field_id": None, "label": "", "message": message}
    # A group of radio buttons or checkboxes has no id of its own: link to its first choice.
    field_id = field.id_for_label or next((w.id_for_label for w in field.subwidgets), None)
    return {"field_id": field_id, "label": field.label, "message": message}


@register.tag
def per_language(parser, token):
    """`{% per_language %}…{% endper_language %}`: markup that depends only on the code and the
    page's language (links, labels, static files of the site's frame), rendered once per
    language, script prefix (a site served under a sub-path) and process and then reused.

    The enclosed markup is rendered with an empty context, so nothing about the visitor (user,
    request, CSRF token, messages) can enter it: a variable there renders as nothing."""
    nodelist = parser.parse(("endper_language",))
    parser.delete_first_token()
    return PerLanguageNode(nodelist)


class PerLanguageNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        # by language and script prefix (its links hold it); the compiled template is kept per
        # process
        self.rendered: dict[tuple[str, str], str] = {}

    def render(self, context):
        key = (get_language(), get_script_prefix())
        html = self.rendered.get(key)
        if html is None:
            empty = template.Context(autoescape=context.autoescape)
            empty.template = context.template  # its engine's settings (e.g. string_if_invalid)
            html = self.nodelist.render(empty)
            self.rendered[key] = html
        return html


@register.tag
def per_content(parser, token):
    """`{% per_content version with name1 name2 %}…{% endper_content %}`: markup that depends
    only on the named variables, whose content `version` identifies (e.g. a digest of the row a
    page was read from), and on the page's language: rendered once per version, language,
    script prefix and process, then reused (the least recently used renderings are let go).

    The enclosed markup is rendered with a context holding only the named variables, so nothing
    about the visitor (user, request, CSRF token, messages) can enter it, and a changed listing
    has another version, so a rendering never outlives what it shows. Without a version (None,
    "") it is rendered every time."""
    bits = token.split_contents()
    if len(bits) < 4 or bits[2] != "with":
        raise template.TemplateSyntaxError(
            "per_content needs a version and the variables it reads: "
            "{% per_content version with name … %}"
        )
    nodelist = parser.parse(("endper_content",))
    parser.delete_first_token()
    return PerContentNode(nodelist, parser.compile_filter(bits[1]), bits[3:])


class PerContentNode(template.Node):
    #: renderings kept per node and process (one piece of a technology's page: a few kB at most).
    MAX_ENTRIES = 2000

    def __init__(self, nodelist, version, names):
        self.nodelist = nodelist
        self.version = version
        self.names = names
        self.rendered = Kept(self.MAX_ENTRIES)

    def render(self, context):
        version = self.version.resolve(context)
        key = (version, get_language(), get_script_prefix())  # its links hold the prefix
        html = self.rendered.get(key) if version else None
        if html is not None:
            return html
        own = template.Context(
            {name: context.get(name) for name in self.names}, autoescape=context.autoescape
        )
        own.template = context.template
        html = self.nodelist.render(own)
        if version:
            self.rendered.put(key, html)
        return html


@register.simple_tag
def form_field(field) -> str:
    """A form field as `includes/field.html` renders it (label, widget, help, errors), word for
    word, built in Python: the search page's filter panel rendered its dozen fields through
    that include, about a millisecond of every search (docs/performance.md, *Third pass*).
    A test renders both for fields of every kind, bound, in error and required."""
    e = conditional_escape
    required = field.field.required
    parts = [
        f'<div class="field{" has-error" if field.errors else ""}{" required" if required else ""}">\n  '
    ]
    star = ' <span class="req" aria-hidden="true">*</span>' if required else ""
    if field.widget_type == "checkbox":
        parts.append(f'\n    <label class="check">{e(field)} {e(field.label)}</label>\n  ')
    elif field.use_fieldset:
        described = field.aria_describedby
        described = f' aria-describedby="{e(described)}"' if described else ""
        parts.append(
            f"\n    <fieldset{described}><legend>{e(field.label)}{star}</legend>"
            f"{e(field)}</fieldset>\n  "
        )
    else:
        parts.append(
            f'\n    <label for="{e(field.id_for_label)}">{e(field.label)}{star}</label>'
            f"\n    {e(field)}\n  "
        )
    parts.append("\n  ")
    if field.help_text:
        parts.append(f'<p class="help" id="{e(field.auto_id)}_helptext">{field.help_text}</p>')
    parts.append("\n  ")
    if field.errors:
        label = e(_("Error:"))
        errors = "".join(
            f'<p><span class="visually-hidden">{label} </span>{e(error)}</p>'
            for error in field.errors
        )
        parts.append(f'<div class="error" id="{e(field.auto_id)}_error">{errors}</div>')
    parts.append("\n</div>\n")
    return mark_safe("".join(parts))
