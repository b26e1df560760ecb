"""Filters for the public needs list (and the API): open needs only, as for every public list."""

import django_filters
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from listings.filters import TRL_ANY, ListingFilterSet
from listings.models import TRL, Partnership
from listings.widgets import FastCheckboxes, FastSelect

from .models import Need


class NeedFilterSet(ListingFilterSet):
    SORT_CHOICES = ListingFilterSet.SORT_CHOICES + [("deadline", _("Deadline (soonest first)"))]

    trl_min = django_filters.TypedChoiceFilter(
        label=_("TRL from"),
        choices=TRL_ANY + TRL.choices,
        coerce=int,
        method="filter_trl_min",
        widget=FastSelect,
    )
    trl_max = django_filters.TypedChoiceFilter(
        label=_("TRL up to"),
        choices=TRL_ANY + TRL.choices,
        coerce=int,
        method="filter_trl_max",
        widget=FastSelect,
    )
    partnership = django_filters.MultipleChoiceFilter(
        label=_("Partnership sought"),
        choices=Partnership.choices,
        method="filter_partnerships",
        widget=FastCheckboxes,
    )

    class Meta:
        model = Need
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        # An expired deadline takes a need out of every public list, whatever the caller passes.
        queryset = Need.objects.all() if queryset is None else queryset
        super().__init__(data, queryset=queryset.open(), **kwargs)

    # A need's acceptable range [trl_min, trl_max] overlaps the range asked for.
    def filter_trl_min(self, queryset, name, value):
        return queryset.filter(trl_max__gte=value) if value else queryset

    def filter_trl_max(self, queryset, name, value):
        return queryset.filter(trl_min__lte=value) if value else queryset

    def filter_partnerships(self, queryset, name, value):
        return queryset.filter(partnerships__overlap=list(value)) if value else queryset

    def extra_ordering(self, sort):
        if sort == "deadline":
            return [F("deadline").asc(nulls_last=True), "-pk"]
        return None
