"""Filters for the public lists (and, later, the API): one definition serves both."""

import django_filters
from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization

from .models import TRL, Field, IPStatus, Partnership, Technology, country_choices
from .widgets import CountrySelect, FastCheckboxes, FastSelect, FieldSelect


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
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("e.g. perovskite solar, 太陽電池")}
        ),
    )
    field = django_filters.ModelChoiceFilter(
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
        self.filters["field"].field.label_from_instance = lambda f: (
            f"{f.parent.name} › {f.name}" if f.parent_id else f.name
        )

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
