"""A technology's card is built in Python (listing_tags.technology_card): it must read exactly
as the template include it replaced, with a picture, a logo, a search's headline, and text
that needs escaping."""

import pytest
from django.template import Context, Template
from django.urls import set_script_prefix
from django.utils import translation
from django.utils.text import Truncator

from listings.cards import summary_chars, technology_url
from listings.models import Technology
from listings.templatetags.listing_tags import technology_card
from tests.factories import make_organization, make_technology
from tests.test_listings_pictures import add_picture, give_logo

pytestmark = pytest.mark.django_db

# The include the tag replaced, word for word.
FORMER_INCLUDE = """{% load i18n lib_tags %}<article class="card listing-card{% if technology.images.all %} has-picture{% endif %}">
  {% with picture=technology.images.all|first %}{% if picture %}<img class="card-picture" src="{{ picture.thumbnail.url }}" alt="{{ picture.caption|default:technology.title }}" width="{{ picture.THUMBNAIL_WIDTH }}" height="{{ picture.THUMBNAIL_HEIGHT }}" loading="lazy" decoding="async">{% endif %}{% endwith %}
  <h3><a href="{{ technology.get_absolute_url }}" lang="{{ technology.language }}">{{ technology.title }}</a></h3>
  <ul class="meta">
    <li class="card-org">{% if technology.organization.logo %}<img class="org-logo" src="{{ technology.organization.logo.url }}" alt="" width="24" height="24" loading="lazy" decoding="async">{% endif %}{{ technology.organization|localized_name }}</li>
    <li>{% trans "TRL" %} {{ technology.trl }}</li>
    <li>{{ technology.get_ip_status_display }}</li>
    {% if show_status %}<li>{% include "listings/includes/status_badge.html" with listing=technology %}</li>{% endif %}
  </ul>
  <p lang="{{ technology.language }}">{% if technology.headline %}{{ technology.headline|safe }}{% else %}{{ technology.summary|truncatechars:240 }}{% endif %}</p>
  <ul class="tags">{% for field in technology.fields.all %}<li class="tag">{{ field.name }}</li>{% endfor %}</ul>
</article>
"""  # noqa: E501


def both(technology, **context):
    former = Template(FORMER_INCLUDE).render(Context({"technology": technology, **context}))
    built = Template("{% load listing_tags %}{% technology_card technology %}").render(
        Context({"technology": technology, **context})
    )
    return former, built


@pytest.mark.parametrize("language", ["en", "ja"])
def test_card_reads_as_the_former_include(language):
    organization = make_organization(name="Kyoto <Lab> & Co", name_ja="京都ラボ")
    give_logo(organization)
    plain = make_technology(organization, title='Solar "window" <b>', summary="x & y " * 80)
    pictured = make_technology(organization, title="Pictured")
    add_picture(pictured, "")  # no caption: the title is the picture's text
    captioned = make_technology(organization, title="Captioned")
    add_picture(captioned, 'A "roof" <view>')
    cards = Technology.objects.for_cards().filter(pk__in=[plain.pk, pictured.pk, captioned.pk])
    with translation.override(language):
        for technology in cards:
            for context in ({}, {"show_status": True}):
                former, built = both(technology, **context)
                assert built == former
            technology.headline = "the <mark>solar</mark> window"
            former, built = both(technology)
            assert built == former and "<mark>solar</mark>" in built


def test_card_escapes_what_people_typed():
    technology = make_technology(make_organization(), title="<script>alert(1)</script>")
    html = technology_card(Context({}), Technology.objects.for_cards().get(pk=technology.pk))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_an_edited_technology_shows_its_new_text_at_once(client):
    technology = make_technology(title="Old window title", summary="Old summary words.")
    pages = ["/technologies/", "/", technology.get_absolute_url()]
    for url in pages:  # rendered once: anything kept per process would be kept now
        assert "Old window title" in client.get(url).content.decode()
    technology.title, technology.summary = "New window title", "New summary words."
    technology.save()
    for url in pages:
        html = client.get(url).content.decode()
        assert "New window title" in html and "Old window title" not in html


def test_a_renamed_organisation_shows_on_the_cards_at_once(client):
    organization = make_organization(name="Old Lab")
    make_technology(organization)
    assert "Old Lab" in client.get("/technologies/").content.decode()
    organization.name = "Renamed Lab"
    organization.save()
    html = client.get("/technologies/").content.decode()
    assert "Renamed Lab" in html and "Old Lab" not in html


@pytest.mark.parametrize(
    "text",
    [
        "",
        "short",
        "x" * 240,
        "x" * 241,
        "e\u0301" * 100,  # decomposed: given back composed, as Truncator does
        "e\u0301" * 200,  # decomposed: 400 characters, 200 once composed
        "\u0958" * 150,  # composed 150, 300 in NFC (a composition exclusion)
        "x\u0301" * 250,  # no composed form: 500 characters, 250 counted
        "x\u0301" * 200 + "y" * 40,  # 440 characters, 240 counted: not cut
        "太陽電池の" * 60,
    ],
)
def test_a_cards_summary_is_cut_as_truncatechars_cuts_it(text):
    assert summary_chars(text) == Truncator(text).chars(240)


def test_a_cards_address_is_the_technologys_own_under_any_script_prefix():
    technology = make_technology(make_organization())
    assert technology_url(technology.pk) == technology.get_absolute_url()
    set_script_prefix("/exchange/")
    try:
        assert technology_url(technology.pk) == technology.get_absolute_url()
        assert technology_url(technology.pk).startswith("/exchange/technologies/")
    finally:
        set_script_prefix("/")
