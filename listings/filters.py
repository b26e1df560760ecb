"""Filters for the public lists (and, later, the API): one definition serves both."""

import copy

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from lib import kept

from .models import TRL, Field, IPStatus, Partnership, Technology, country_choices
from .widgets import CountrySelect, FastCheckboxes, FastSelect, FastTextInput, FieldSelect


class TaxonomyChoiceField(django_filters.fields.ModelChoiceField):
    """The choice of one field of technology, checked against the same light read of the
    taxonomy (rows, not model instances) that its widget, `FieldSelect`, renders: one query per
    page for both instead of one each."""

    def taxonomy_rows(self) -> tuple:
        """(pk, value, parent_id, name_en, name_ja) of every field, in the taxonomy's order;
        read once per form (a form's fields are copies made for it: see `__deepcopy__`)."""
        rows = self.__dict__.get("_taxonomy_rows")
        if rows is None:
            to_field = self.to_field_name or "pk"
            columns = ("pk", to_field, "parent_id", "name_en", "name_ja")
            query = self.queryset.query  # what the queryset is: its filters and order
            rows = tuple(  # the statement compiled once per process
                kept.rows(
                    ("taxonomy rows", query.model, str(query.where), query.order_by, *columns),
                    lambda: self.queryset.values_list(*columns),
                    self.queryset.db,
                )
            )
            self._taxonomy_rows = rows
        return rows

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.__dict__.pop("_taxonomy_rows", None)
        return result

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        if isinstance(value, Field):
            value = getattr(value, self.to_field_name or "pk")
        rows = {str(row[1]): row for row in self.taxonomy_rows()}
        row = rows.get(str(value))
        if row is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        field = self._field(row)
        parent = next((r for r in rows.values() if r[0] == row[2]), None)
        field._state.fields_cache["parent"] = self._field(parent) if parent else None
        return field

    def _field(self, row) -> Field:
        field = Field(pk=row[0], parent_id=row[2], name_en=row[3], name_ja=row[4])
        setattr(field, self.to_field_name or "pk", row[1])
        field._state.adding, field._state.db = False, self.queryset.db
        return field


class TaxonomyChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = TaxonomyChoiceField


class SharedParts(dict):
    """A filter set class's filters (`base_filters`) or its form class's fields
    (`base_fields`), whose deep copies share what no copy changes. django-filter copies every
    filter for each filter set, Django every field for each form, so that each may change its
    own; a copy here still has its own filter or field, its own `extra` dict (a filter set may
    set a key of it: the sort's choices), widget and queryset, but shares what a filter was
    declared with (`extra`'s values: label, choices, widget, queryset, each copied again
    where a form field is made from it) and a choice field's choices. Copied whole, the ten
    filters and ten fields of a list cost 0.7 ms of a search's Python (docs/performance.md,
    *Tenth pass*)."""

    def __deepcopy__(self, memo):
        for item in self.values():
            for part in _unchanged_parts(item):
                memo.setdefault(id(part), part)  # copy.deepcopy gives what memo holds
        return {name: copy.deepcopy(item, memo) for name, item in self.items()}


def _unchanged_parts(item) -> list:
    if isinstance(item, django_filters.Filter):
        return list(item.extra.values())
    choices = item.__dict__.get("_choices")  # a choice field's (ModelChoiceField: a query)
    return [] if choices is None else [choices]


#: Each filter set class's form class (`ListingFilterSet.get_form_class`).
_FORM_CLASSES: dict[type, type] = {}


class ListingFilterSet(django_filters.FilterSet):
    """Search, field (a group includes its sub-fields), country, organisation type, date, sort."""

    SORT_CHOICES = [("relevance", _("Relevance")), ("newest", _("Newest"))]
    # The filters `is_valid` checks against each other; every other one is valid or not on its
    # own (the digests validate a saved query one filter value at a time, and these together).
    CHECKED_TOGETHER = ("trl_min", "trl_max")

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=200,
        widget=FastTextInput(
            attrs={"type": "search", "placeholder": _("e.g. perovskite solar, 太陽電池")}
        ),
    )
    field = TaxonomyChoiceFilter(
        label=_("Field of technology"),
        queryset=Field.objects.select_related("parent").order_by("position"),
        to_field_name="slug",
        method="filter_field",
        empty_label=_("All fields"),
        widget=FieldSelect,
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"),
        choices=country_choices,
        method="filter_country",
        empty_label=_("All countries"),
        widget=CountrySelect,
    )
    # The query parameter keeps its name: saved searches and API clients use it.
    org_kind = django_filters.ChoiceFilter(
        label=_("Organisation type"),
        choices=Organization.Type.choices,
        field_name="organization__type",
        empty_label=_("All types"),
        widget=FastSelect,
    )
    since = django_filters.DateFilter(
        label=_("Posted since"),
        field_name="published_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        method="filter_sort",
        empty_label=None,
        null_label=None,
        widget=FastSelect,
    )

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["sort"].extra["choices"] = self.SORT_CHOICES
        self.filters["sort"].extra["required"] = False

    @classmethod
    def get_filters(cls):
        """Each filter set class's filters (django-filter's metaclass asks once per class),
        copied for each filter set sharing what none changes (`SharedParts`)."""
        return SharedParts(super().get_filters())

    def get_form_class(self):
        """The form class, built once per filter set class. django-filter builds one per
        filter set, with a new field per filter, on every list page (a third of a
        millisecond); it is the same class each time: the fields' labels and choices are
        lazy, translated when shown, and each form works on its own copies of the fields
        (so the taxonomy a form reads stays its own: `TaxonomyChoiceField`)."""
        form_class = _FORM_CLASSES.get(type(self))
        if form_class is None:
            self.filters["field"].field.label_from_instance = lambda f: (
                f"{f.parent.name} › {f.name}" if f.parent_id else f.name
            )
            form_class = super().get_form_class()
            form_class.base_fields = SharedParts(form_class.base_fields)
            _FORM_CLASSES[type(self)] = form_class
        return form_class

    def is_valid(self):
        valid = super().is_valid()
        data = self.form.cleaned_data if hasattr(self.form, "cleaned_data") else {}
        low, high = data.get("trl_min"), data.get("trl_max")
        if valid and low and high and low > high:
            self.form.add_error("trl_max", _("The upper TRL must not be below the lower one."))
            return False
        return valid

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_field(self, queryset, name, value: str):  # a Field; the hint types the API schema
        # `field_ids` holds the listing's fields and their groups (listings.fieldindex), so a
        # group matches its sub-fields' listings; with the search vector in one GIN index.
        return queryset.filter(field_ids__overlap=[value.pk])

    def filter_country(self, queryset, name, value: str):
        return queryset.filter(countries__contains=[value])

    def filter_sort(self, queryset, name, value: str):
        # Applied in `qs` after every other filter; see below.
        return queryset

    @property
    def qs(self):
        queryset = super().qs
        if not self.is_bound or not self.is_valid():
            return queryset.order_by(*self.default_order())
        return queryset.order_by(*self.ordering(self.form.cleaned_data))

    def default_order(self):
        return [F("published_at").desc(nulls_last=True), "-pk"]

    def ordering(self, data):
        sort = data.get("sort") or ("relevance" if data.get("q") else "newest")
        if sort == "relevance" and data.get("q"):
            return ["-rank", "-pk"]
        return self.extra_ordering(sort) or self.default_order()

    def extra_ordering(self, sort):
        return None


TRL_ANY = [("", _("Any"))]


class TechnologyFilterSet(ListingFilterSet):
    SORT_CHOICES = ListingFilterSet.SORT_CHOICES + [
        ("trl_desc", _("Readiness (highest first)")),
        ("trl_asc", _("Readiness (lowest first)")),
    ]

    trl_min = django_filters.TypedChoiceFilter(
        label=_("TRL from"),
        field_name="trl",
        lookup_expr="gte",
        choices=TRL_ANY + TRL.choices,
        coerce=int,
        widget=FastSelect,
    )
    trl_max = django_filters.TypedChoiceFilter(
        label=_("TRL up to"),
        field_name="trl",
        lookup_expr="lte",
        choices=TRL_ANY + TRL.choices,
        coerce=int,
        widget=FastSelect,
    )
    ip_status = django_filters.MultipleChoiceFilter(
        label=_("IP status"), choices=IPStatus.choices, widget=FastCheckboxes
    )
    # The query parameter keeps its name: saved searches store it.
    offer = django_filters.MultipleChoiceFilter(
        label=_("Partnerships offered"),
        choices=Partnership.choices,
        method="filter_partnerships",
        widget=FastCheckboxes,
    )

    class Meta:
        model = Technology
        fields = []

    def filter_partnerships(self, queryset, name, value):
        return queryset.filter(partnerships__overlap=list(value)) if value else queryset

    def extra_ordering(self, sort):
        return {"trl_desc": ["-trl", "-pk"], "trl_asc": ["trl", "-pk"]}.get(sort)
