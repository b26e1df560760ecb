"""Widgets of the public lists."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

#: Option markup already built, by language and choices (see `FastSelect.option_markup`). The
#: key holds every value and label, so a changed choice (a renamed field) is a new entry and
#: nothing here can go stale; the dictionary is only bounded, per process.
_OPTION_MARKUP: dict[tuple, list] = {}
_OPTION_MARKUP_LIMIT = 256


def _attributes(attrs: dict) -> str:
    """Django's attrs.html: in order, False left out, True as a bare name."""
    return "".join(
        ""
        if value is False
        else f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
    )


class FastTextInput(forms.TextInput):
    """A text box (or, given `type` in its attrs, a search box) whose HTML is built in Python:
    exactly that of Django's input.html, without a pass through the template engine. The list
    pages' search box is rendered on every visit, outside the kept filter panel (`{%
    per_content %}` in includes/filter_form.html)."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        value = self.format_value(value)
        shown = "" if value is None else f' value="{conditional_escape(value)}"'
        return mark_safe(
            f'<input type="{conditional_escape(self.input_type)}"'
            f' name="{conditional_escape(name)}"{shown}{_attributes(attrs)}>'
        )


class FastSelect(forms.Select):
    """A <select> whose HTML is built in Python instead of one template include per option.

    The markup is exactly that of Django's select.html. The options' markup (escaped values
    and labels, grouped) is built once per language and set of choices and kept: on long lists
    (250 countries, the fields taxonomy) a page then only marks the chosen option.
    """

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        chosen = self.format_value(value)
        parts = [f'<select name="{conditional_escape(name)}"{_attributes(attrs)}>']
        has_selected = False
        for group_label, options in self.option_markup(name):
            if group_label:
                parts.append(f'\n  <optgroup label="{group_label}">')
            for option_value, value_html, label_html in options:
                # As Django's Select: only the first option with a chosen value is selected.
                selected = not has_selected and option_value in chosen
                has_selected |= selected
                mark = " selected" if selected else ""
                parts.append(f'\n  <option value="{value_html}"{mark}>{label_html}</option>\n')
            if group_label:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))

    def option_markup(self, name) -> list:
        """[(escaped group label or "", [(value, escaped value, escaped label), …]), …] for the
        current language, built once per distinct set of choices."""
        key = (type(self), name, get_language(), self.choices_key())
        markup = _OPTION_MARKUP.get(key)
        if markup is None:
            if len(_OPTION_MARKUP) >= _OPTION_MARKUP_LIMIT:
                _OPTION_MARKUP.clear()
            markup = [
                (
                    conditional_escape(group_name) if group_name else "",
                    [
                        (str(o["value"]), escape(o["value"]), conditional_escape(o["label"]))
                        for o in options
                    ],
                )
                for group_name, options, _index in self.optgroups(name, [])
            ]
            _OPTION_MARKUP[key] = markup
        return markup

    def choices_key(self) -> tuple:
        """Everything about the choices that the markup shows (values, labels, groups)."""
        return tuple(
            (str(value), tuple((str(v), str(sub)) for v, sub in label))
            if isinstance(label, (list, tuple))
            else (str(value), str(label))
            for value, label in self.choices
        )


class FastCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes built in Python, exactly the markup of Django's multiple_input.html (one
    template include per option costs more than the rest of a short list's field)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        box_id, css = widget["attrs"].get("id"), widget["attrs"].get("class")
        parts = ["<div"]
        if box_id:
            parts.append(f' id="{conditional_escape(box_id)}"')
        if css:
            parts.append(f' class="{conditional_escape(css)}"')
        parts.append(">")
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(f"\n  <div><label>{conditional_escape(group)}</label>")
            for option in options:
                option_id = option["attrs"].get("id")
                label_for = f' for="{conditional_escape(option_id)}"' if option_id else ""
                value_attr = (
                    ""
                    if option["value"] is None
                    else f' value="{conditional_escape(option["value"])}"'
                )
                parts.append(
                    f'<div>\n    <label{label_for}><input type="{option["type"]}"'
                    f' name="{conditional_escape(option["name"])}"{value_attr}'
                    f"{_attributes(option['attrs'])}>\n {conditional_escape(option['label'])}"
                    "</label>\n\n</div>"
                )
            if group:
                parts.append("\n  </div>")
        parts.append("\n</div>")
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


class CountrySelect(FastSelect):
    """The filters' choice of one country. Its choices are always the countries of the page's
    language (`listings.models.country_choices`) after the empty label: those are its key, which
    spares going through 250 choices on every list page only to find the markup already built."""

    def choices_key(self) -> tuple:
        field = getattr(self.choices, "field", None)  # the filter's field (django-filters)
        return ("countries", str(getattr(field, "empty_label", None)))


class FieldSelect(FastSelect):
    """The filters' choice of one field: an <optgroup> per group, the group itself first
    (“All of <group>”: choosing it finds its sub-fields' listings too).

    Its choices are the rows of the taxonomy, read with one light query (no model instances)
    on every page, the one its field (`listings.filters.TaxonomyChoiceField`) checks the
    chosen value against: they are the key of the kept markup, so a renamed or moved field
    shows at once."""

    def option_markup(self, name) -> list:
        iterator = self.choices  # the field's ModelChoiceIterator
        rows = iterator.field.taxonomy_rows()
        empty_label = iterator.field.empty_label
        language = get_language()
        key = (type(self), name, language, empty_label and str(empty_label), rows)
        markup = _OPTION_MARKUP.get(key)
        if markup is None:
            if len(_OPTION_MARKUP) >= _OPTION_MARKUP_LIMIT:
                _OPTION_MARKUP.clear()
            markup = (
                [] if empty_label is None else [("", [("", "", conditional_escape(empty_label))])]
            )
            names = {row[0]: row[4] if language == "ja" else row[3] for row in rows}
            groups: dict[int, list] = {}
            for pk, value, parent_id, *_names in rows:
                group = parent_id or pk
                if group not in groups:
                    groups[group] = []
                    markup.append((conditional_escape(names.get(group, "")), groups[group]))
                label = names[pk] if parent_id else _("All of %(group)s") % {"group": names[pk]}
                groups[group].append((str(value), escape(value), conditional_escape(label)))
            _OPTION_MARKUP[key] = markup
        return markup
