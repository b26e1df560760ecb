"""The list's filter sets copy their filters and form fields for each filter set sharing what
no copy changes (`listings.filters.SharedParts`): each must still have its own."""

from django.http import QueryDict

from listings.filters import TechnologyFilterSet
from needs.filters import NeedFilterSet


def test_each_filter_set_has_its_own_filters_and_form_fields(db):
    first, second = (TechnologyFilterSet(QueryDict(f"q={q}")) for q in ("solar", "wind"))
    assert first.is_valid() and second.is_valid()
    for name, declared in TechnologyFilterSet.base_filters.items():
        own, other = first.filters[name], second.filters[name]
        assert own is not other and own is not declared
        assert own.extra is not other.extra and own.extra is not declared.extra
        assert own.parent is first and other.parent is second
    # a method filter calls its own filter set's method
    assert first.filters["q"].filter.f is first.filters["q"]
    assert first.filters["q"].filter.method.__self__ is first
    # what was declared is shared, not copied
    for name in ("org_kind", "trl_min"):  # lists of choices
        assert first.filters[name].extra["choices"] is second.filters[name].extra["choices"]
    first.filters["sort"].extra["choices"] = [("mine", "Mine")]
    assert second.filters["sort"].extra["choices"] == TechnologyFilterSet.SORT_CHOICES
    for name in first.form.fields:
        own, other = first.form.fields[name], second.form.fields[name]
        assert own is not other and own.widget is not other.widget
    first.form.fields["org_kind"].choices = [("mine", "Mine")]
    assert ("mine", "Mine") not in list(second.form.fields["org_kind"].choices)
    assert ("mine", "Mine") not in list(
        TechnologyFilterSet(QueryDict()).form.fields["org_kind"].choices
    )
    assert first.form.cleaned_data["q"] == "solar" and second.form.cleaned_data["q"] == "wind"


def test_each_filter_set_class_keeps_its_own_sort_choices(db):
    needs = NeedFilterSet(QueryDict("sort=deadline"))
    technologies = TechnologyFilterSet(QueryDict("sort=deadline"))
    assert needs.is_valid()
    assert not technologies.is_valid() and "sort" in technologies.form.errors
