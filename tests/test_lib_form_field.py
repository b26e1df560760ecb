"""`{% form_field %}` (lib_tags) renders a field word for word as `includes/field.html` does:
the search page's filter panel uses the tag, every other form the include."""

import pytest
from django import forms
from django.template.loader import render_to_string
from django.utils import translation

from lib.templatetags.lib_tags import form_field
from listings.filters import TechnologyFilterSet
from needs.filters import NeedFilterSet

pytestmark = pytest.mark.django_db


class EveryKindForm(forms.Form):
    name = forms.CharField(label="Name <b>", help_text="Your <em>full</em> name", max_length=5)
    agree = forms.BooleanField(label="I agree & accept")
    colours = forms.MultipleChoiceField(
        label="Colours", choices=[("r", "Red"), ("g", "Green")], widget=forms.CheckboxSelectMultiple
    )
    size = forms.ChoiceField(
        label="Size", choices=[("s", "S"), ("m", "M")], widget=forms.RadioSelect, required=False
    )
    note = forms.CharField(label="Note", widget=forms.Textarea, required=False)


def both(field):
    return render_to_string("includes/field.html", {"field": field}), form_field(field)


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize(
    "data",
    [None, {}, {"name": "far too long <x>", "agree": "on", "colours": ["r", "x"], "size": "l"}],
)
def test_form_field_renders_like_the_include(language, data):
    with translation.override(language):
        form = EveryKindForm(data)
        form.is_valid() if data is not None else None
        for field in form:
            include, tag = both(field)
            assert tag == include, field.name


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize(
    "data",
    [
        None,
        {"q": "solar", "trl_min": "3", "field": "solar", "ip_status": ["granted"]},
        {"trl_min": "99", "field": "nowhere", "since": "x", "country": "XX", "offer": ["?"]},
        {"trl_min": "7", "trl_max": "3", "sort": "bogus", "q": "x" * 300},
    ],
)
@pytest.mark.parametrize("filterset_class", [TechnologyFilterSet, NeedFilterSet])
def test_the_filter_panels_fields_render_like_the_include(language, data, filterset_class):
    with translation.override(language):
        filterset = filterset_class(data)
        if data is not None:
            filterset.is_valid()
        for field in filterset.form.visible_fields():
            include, tag = both(field)
            assert tag == include, field.name
