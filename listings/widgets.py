"""Widgets of the public lists."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _


class FastSelect(forms.Select):
    """A <select> whose HTML is built in Python instead of one template include per option.

    The markup is exactly that of Django's select.html; on long lists (250 countries, the fields
    taxonomy) rendering drops from tens of milliseconds to about one on every list page.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in options:
                parts.append(
                    format_html(
                        '\n  <option value="{}"{}>{}</option>\n',
                        option["value"],
                        flatatt(option["attrs"]),
                        option["label"],
                    )
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))


def _checkbox(option) -> str:
    return format_html(
        '<li><label><input type="checkbox" name="{}" value="{}"{}> {}</label></li>',
        option["name"],
        option["value"],
        flatatt(option["attrs"]),
        option["label"],
    )


class FieldCheckboxes(forms.CheckboxSelectMultiple):
    """Fields of technology as checkboxes, one fieldset per group (a legend names the group).

    The group itself comes first in its fieldset, labelled “<group> (general)”. Plain HTML:
    no JavaScript needed, and the checked boxes come back checked after an error."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups: dict[int, list] = {}
        legends: dict[int, str] = {}
        for _group, options, _index in widget["optgroups"]:
            for option in options:
                field = option["value"].instance
                key = field.parent_id or field.pk
                if field.parent_id is None:
                    legends[key] = field.name
                    option["label"] = _("%(group)s (general)") % {"group": field.name}
                else:
                    legends.setdefault(key, field.parent.name)
                    option["label"] = field.name
                groups.setdefault(key, []).append(option)
        parts = [format_html('<div class="choice-groups" id="{}">', widget["attrs"].get("id", ""))]
        for key, options in groups.items():
            parts.append(
                format_html('<fieldset class="choice-group"><legend>{}</legend><ul>', legends[key])
            )
            parts.extend(_checkbox(option) for option in options)
            parts.append("</ul></fieldset>")
        parts.append("</div>")
        return mark_safe("".join(parts))


class CountryCheckboxes(forms.CheckboxSelectMultiple):
    """About 250 countries as checkboxes in a scrollable list.

    Works without JavaScript; static/js/choice-filter.js adds a text box that narrows the list
    (the data-filter attribute asks for it) and keeps the “Chosen” line up to date."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = [option for _g, group, _i in widget["optgroups"] for option in group]
        chosen = [str(option["label"]) for option in options if option["selected"]]
        list_id = f"{widget['attrs'].get('id', name)}_list"
        parts = [
            format_html(
                '<div class="choice-filter" data-filter="{}" data-filter-label="{}" data-none="{}">',
                list_id,
                _("Find a country"),
                _("none"),
            ),
            format_html(
                '<p class="choice-summary" aria-live="polite">{} <span class="choice-chosen">{}</span></p>',
                _("Chosen:"),
                ("、" if get_language() == "ja" else ", ").join(chosen) or _("none"),
            ),
            format_html('<ul class="choice-scroll" id="{}">', list_id),
        ]
        parts.extend(_checkbox(option) for option in options)
        parts.append("</ul></div>")
        return mark_safe("".join(parts))


class FieldSelect(FastSelect):
    """The filters' choice of one field: an <optgroup> per group, the group itself first
    (“All of <group>”: choosing it finds its sub-fields' listings too)."""

    def optgroups(self, name, value, attrs=None):
        groups, order = {}, []
        for _group, options, _index in super().optgroups(name, value, attrs):
            for option in options:
                field = getattr(option["value"], "instance", None)
                if field is None:  # the empty choice (“All fields”)
                    order.append((None, [option], len(order)))
                    continue
                key = field.parent_id or field.pk
                if key not in groups:
                    groups[key] = (field.parent.name if field.parent_id else field.name, [])
                    order.append(key)
                if field.parent_id is None:
                    option["label"] = _("All of %(group)s") % {"group": field.name}
                else:
                    option["label"] = field.name
                groups[key][1].append(option)
        return [
            entry if isinstance(entry, tuple) else (*groups[entry], index)
            for index, entry in enumerate(order)
        ]
