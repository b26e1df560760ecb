"""Long choices on the listing forms: fields as grouped checkboxes, countries as a filterable
checkbox list. Plain HTML posts (no JavaScript) and choices survive an error."""

import re

import pytest
from django.urls import reverse

from accounts.models import Organization
from listings.models import Field, Technology
from listings.widgets import CountryCheckboxes, FieldCheckboxes
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def technology_data(**changes) -> dict:
    data = {
        "title": "Self-healing concrete",
        "summary": "Bacteria close cracks.",
        "description": "Spores in the mix precipitate calcite when water enters a crack.",
        "fields": ["solar", "water-treatment"],
        "keywords": "concrete",
        "trl": "5",
        "ip_status": "pending",
        "partnerships": ["non_exclusive_licence"],
        "countries": ["JP", "DE"],
        "language": "en",
        "patents-TOTAL_FORMS": "0",
        "patents-INITIAL_FORMS": "0",
        "patents-MIN_NUM_FORMS": "0",
        "patents-MAX_NUM_FORMS": "20",
    }
    data.update(changes)
    return data


def checked_values(html: str, name: str) -> set[str]:
    boxes = re.findall(rf'<input type="checkbox" name="{name}" value="([^"]*)"([^>]*)>', html)
    return {value for value, attrs in boxes if " checked" in attrs}


def test_fields_are_checkboxes_in_one_fieldset_per_group(client):
    member = make_member()
    client.force_login(member)
    html = client.get(reverse("listings:technology_create")).content.decode()

    assert "<select multiple" not in html and 'multiple name="fields"' not in html
    groups = list(Field.objects.groups().order_by("position"))
    legends = re.findall(r'<fieldset class="choice-group"><legend>([^<]*)</legend>', html)
    assert legends == [group.name for group in groups]
    assert html.count('type="checkbox" name="fields"') == Field.objects.count()
    # The outer fieldset is labelled by the field's own label.
    assert re.search(r"<fieldset[^>]*><legend>Fields of technology", html)


def test_field_groups_read_in_japanese(client):
    member = make_member()
    client.force_login(member)
    client.cookies["django_language"] = "ja"
    html = client.get(reverse("listings:technology_create")).content.decode()
    group = Field.objects.groups().order_by("position").first()
    assert f"<legend>{group.name_ja}</legend>" in html
    assert f"{group.name_ja}（全般）" in html


def test_countries_are_a_checkbox_list_with_a_filter_hook(client):
    member = make_member()
    client.force_login(member)
    html = client.get(reverse("listings:technology_create")).content.decode()

    assert 'multiple name="countries"' not in html
    assert html.count('type="checkbox" name="countries"') >= 240
    assert (
        'data-filter="id_countries_list"' in html
        and '<ul class="choice-scroll" id="id_countries_list">' in html
    )
    assert "choice-filter.js" in html
    # No inline script: the filter box comes from a static file.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_chosen_fields_and_countries_are_saved_from_a_plain_post(client):
    member = make_member()
    client.force_login(member)
    response = client.post(reverse("listings:technology_create"), technology_data())
    assert response.status_code == 302
    technology = Technology.objects.get()
    assert {f.slug for f in technology.fields.all()} == {"solar", "water-treatment"}
    assert technology.countries == ["JP", "DE"]


def test_choices_stay_checked_after_an_error(client):
    member = make_member()
    client.force_login(member)
    response = client.post(reverse("listings:technology_create"), technology_data(title=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert checked_values(html, "fields") == {"solar", "water-treatment"}
    assert checked_values(html, "countries") == {"JP", "DE"}
    assert re.search(
        r'class="choice-chosen">Germany, Japan<|class="choice-chosen">Japan, Germany<', html
    )


def test_more_than_five_fields_is_refused_and_all_stay_checked(client):
    member = make_member()
    client.force_login(member)
    slugs = list(Field.objects.filter(parent__isnull=False).values_list("slug", flat=True)[:6])
    response = client.post(reverse("listings:technology_create"), technology_data(fields=slugs))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose at most five fields." in html
    assert checked_values(html, "fields") == set(slugs)


def test_need_form_uses_the_same_choices_and_keeps_them_after_an_error(client):
    member = make_member(type=Organization.Type.COMPANY)
    client.force_login(member)
    data = {
        "title": "",
        "description": "Our casings cannot be recycled.",
        "fields": ["solar"],
        "trl_min": "3",
        "trl_max": "6",
        "countries": ["JP", "US"],
        "partnerships": ["joint_development"],
        "language": "en",
    }
    response = client.post(reverse("needs:need_create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert checked_values(html, "fields") == {"solar"}
    assert checked_values(html, "countries") == {"JP", "US"}


def test_widgets_render_nothing_chosen_as_none():
    from listings.forms import ListingFormMixin

    countries = ListingFormMixin.base_fields["countries"]
    html = CountryCheckboxes(choices=countries.choices).render("countries", [])
    assert 'class="choice-chosen">none<' in html
    fields = ListingFormMixin.base_fields["fields"]
    assert isinstance(fields.widget, FieldCheckboxes)


@pytest.mark.parametrize("url", ["/technologies/", "/needs/"])
def test_filter_panel_lists_fields_by_group(client, url):
    html = client.get(url, {"field": "smart-grid"}).content.decode()
    select = re.search(r'<select name="field".*?</select>', html, re.S).group(0)
    groups = list(Field.objects.groups().order_by("position"))
    assert re.findall(r'<optgroup label="([^"]*)">', select) == [g.name for g in groups]
    assert (
        '<option value="energy-efficiency">All of Energy conservation and efficiency</option>'
        in select
    )
    assert (
        '<option value="smart-grid" selected>Smart grids and power electronics</option>' in select
    )
    assert "›" not in select
