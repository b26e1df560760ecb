"""A listing's fields, images and patents read in its own statement (listings.related_json):
the same rows, in the same order, as the prefetch queries they replace, and fewer queries per
page; the search filters' field checked against the taxonomy rows its widget renders."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.forms.models import model_to_dict
from django.template import Context
from django.urls import set_script_prefix
from django.utils import timezone, translation

from listings import search, selectors
from listings.filters import TechnologyFilterSet
from listings.lifecycle import Status
from listings.models import Field, Technology
from listings.templatetags.listing_tags import technology_card
from needs.filters import NeedFilterSet
from needs.models import Need
from tests.factories import (
    make_member,
    make_need,
    make_organization,
    make_staff,
    make_technology,
    make_user,
)

pytestmark = pytest.mark.django_db


def technology_with_everything():
    technology = make_technology(fields=("water-treatment", "solar"))
    technology.patents.create(number="JP 2", office="JP", status="pending")
    technology.patents.create(number="US 1", office="US", status="granted")
    technology.images.create(image="technologies/b.png", thumbnail="t/b.jpg", position=2)
    technology.images.create(image="technologies/a.png", thumbnail="t/a.jpg", position=1)
    return technology


def test_a_technologys_page_reads_fields_patents_and_images_in_its_own_row(
    django_assert_num_queries,
):
    technology = technology_with_everything()
    expected_fields = list(technology.fields.order_by("position", "slug"))
    with django_assert_num_queries(1):
        read = selectors.technology_page(technology.pk, AnonymousUser())
        fields = list(read.fields.all())
        groups = [field.parent for field in fields]
        patents = [(p.number, p.get_status_display()) for p in read.patents.all()]
        images = [image.image.url for image in read.images.all()]
    assert fields == expected_fields
    assert [g.slug if g else None for g in groups] == [
        f.parent.slug if f.parent_id else None for f in expected_fields
    ]
    assert patents == [("JP 2", "Pending"), ("US 1", "Granted")]  # in the order they were added
    assert images == ["/media/technologies/a.png", "/media/technologies/b.png"]  # by position


def test_a_technologys_page_reads_what_the_orm_reads(django_assert_num_queries):
    """`technology_page`'s statement, written once, gives the instance the ORM's would: every
    column but the search vectors, the organisation, the relations."""
    technology = technology_with_everything()
    by_orm = (
        Technology.objects.select_related("organization")
        .defer("search_vector", "rank_vector")
        .get(pk=technology.pk)
    )
    with django_assert_num_queries(1):
        read = selectors.technology_page(technology.pk, AnonymousUser())
        organization = read.organization
    assert {
        f.attname: getattr(read, f.attname)
        for f in Technology._meta.concrete_fields
        if f.attname not in read.get_deferred_fields()
    } == {
        f.attname: getattr(by_orm, f.attname)
        for f in Technology._meta.concrete_fields
        if f.attname not in by_orm.get_deferred_fields()
    }
    assert (
        read.get_deferred_fields()
        == by_orm.get_deferred_fields()
        == {
            "search_vector",
            "rank_vector",
        }
    )
    assert model_to_dict(organization) == model_to_dict(by_orm.organization)
    assert organization.created_at == by_orm.organization.created_at  # a date, not a string


@pytest.mark.parametrize(
    "status", [Status.PUBLISHED, Status.DRAFT, Status.SUBMITTED, Status.WITHDRAWN]
)
def test_a_technologys_page_is_shown_to_whom_visible_to_shows_it(status):
    own = make_organization()
    technology = make_technology(own, status=status)
    readers = [
        AnonymousUser(),
        make_user(),  # signed in, no organisation
        make_user(organization=own),
        make_member(),  # another organisation's member
        make_staff(),
    ]
    for reader in readers:
        visible = Technology.objects.visible_to(reader).filter(pk=technology.pk).exists()
        read = selectors.technology_page(technology.pk, reader)
        assert (read is not None) == visible, (status, reader)
        assert read is None or read.pk == technology.pk


def test_a_technology_id_past_any_stored_one_is_not_found(client):
    make_technology()
    assert client.get("/technologies/99999999999999999999999/").status_code == 404
    assert client.get("/technologies/9223372036854775807/").status_code == 404


def test_a_listing_without_fields_patents_or_images_gets_empty_lists(django_assert_num_queries):
    technology = make_technology(fields=())
    with django_assert_num_queries(1):
        read = selectors.technology_page(technology.pk, AnonymousUser())
        assert list(read.fields.all()) == list(read.patents.all()) == list(read.images.all()) == []


def test_need_cards_read_their_fields_in_the_same_statement(django_assert_num_queries):
    make_need(fields=("solar", "water-treatment"))
    with django_assert_num_queries(1):
        (need,) = Need.objects.for_cards()
        slugs = [field.slug for field in need.fields.all()]
    assert sorted(slugs) == ["solar", "water-treatment"]


@pytest.mark.django_db(transaction=True)  # the view's event commits as on a real server
def test_technology_detail_page_asks_two_statements(client, django_assert_num_queries):
    technology = technology_with_everything()
    related = make_technology(make_organization(), title="Related solar", fields=("solar",))
    client.get(technology.get_absolute_url())  # the per-process caches
    # the technology with its rows and its related technologies with theirs, and the view's
    # event committed without waiting for the disk (analytics.services.record_view)
    with django_assert_num_queries(2) as captured:
        html = client.get(technology.get_absolute_url()).content.decode()
    assert "JP 2" in html and "technologies/thumbs" not in html and "t/a.jpg" in html
    assert f'href="{related.get_absolute_url()}"' in html and "Related solar" in html
    assert captured.captured_queries[1]["sql"].startswith(
        "SET LOCAL synchronous_commit TO OFF; INSERT INTO analytics_listingevent"
    )


def related_cards_setting():
    """A technology, and technologies that share one of its fields or not, published or not,
    with and without pictures and logos, at different dates."""
    now = timezone.now()
    technology = make_technology(fields=("solar", "water-treatment"))
    logo = make_organization(name="Logo & Co", logo="organizations/logo.png")
    for days, fields in enumerate(
        [("solar",), ("wind",), ("water-treatment", "wind"), ("solar",), ("solar",), ("solar",)]
    ):
        other = make_technology(
            logo if days % 2 else None,
            title=f"Other {days} <b>",
            fields=fields,
            published_at=now - timedelta(days=days + 1),
        )
        if days == 2:
            other.images.create(image="technologies/x.png", thumbnail="t/x.jpg", caption="X")
            other.images.create(image="technologies/y.png", thumbnail="t/y.jpg", position=1)
    make_technology(fields=("solar",), status=Status.DRAFT, title="Draft")
    return technology


def test_related_technologies_come_with_the_technology_as_the_query_gives_them(
    django_assert_num_queries, rf
):
    technology = related_cards_setting()
    by_query = selectors.related_technologies(
        Technology.objects.prefetch_related("fields").get(pk=technology.pk)
    )
    selectors.KEPT_CARDS.clear()  # each card made from its JSON
    read = selectors.technology_page(technology.pk, AnonymousUser())
    context = Context({"request": rf.get("/")})
    with django_assert_num_queries(0):
        cards = selectors.related_technologies(read)
        html = [technology_card(context, card) for card in cards]
    # the newest four sharing a field, newest first, each the card the ORM's technology makes
    assert [card.pk for card in cards] == [t.pk for t in by_query] and len(cards) == 4
    assert html == [technology_card(context, t) for t in by_query]
    assert "Logo &amp; Co" in "".join(html) and "t/x.jpg" in "".join(html)  # logos, pictures


def test_related_cards_share_the_search_cards_markup_and_follow_their_rows(monkeypatch):
    """A card made for a search is not made again as a related card of a technology's page,
    nor one made for a page again for a search; a related technology that changed is made
    again, and another language makes its own."""
    technology = related_cards_setting()
    related_ids = [
        c.pk
        for c in selectors.related_technologies(
            Technology.objects.prefetch_related("fields").get(pk=technology.pk)
        )
    ]
    made = []
    card_parts = selectors.card_parts
    monkeypatch.setattr(selectors, "card_parts", lambda t: made.append(t.pk) or card_parts(t))

    def page_cards():
        read = selectors.technology_page(technology.pk, AnonymousUser())
        return selectors.related_technologies(read)

    selectors.KEPT_CARDS.clear()
    searched = list(selectors.technology_cards(related_ids[:2], ""))  # made when read
    cards = page_cards()  # two made for the search (in no order), two for the page
    assert sorted(made) == sorted(related_ids)
    assert [c.html for c in cards[:2]] == [card.html for card in searched]
    assert len(list(selectors.technology_cards(related_ids, "solar"))) == len(related_ids)
    assert sorted(made) == sorted(related_ids)  # none made again for another search
    with translation.override("ja"):
        page_cards()
    assert sorted(made) == sorted(related_ids * 2)
    made.clear()
    Technology.objects.filter(pk=related_ids[1]).update(title="Renamed <b>")
    cards = page_cards()
    assert made == [related_ids[1]] and "Renamed &lt;b&gt;" in cards[1].html
    assert "Renamed" not in cards[0].html


def test_cards_are_kept_per_script_prefix():
    """A card's link holds the script prefix a site served under a sub-path has."""
    technology = related_cards_setting()
    ids = [technology.pk]
    selectors.KEPT_CARDS.clear()
    [at_root] = [card.html for card in selectors.technology_cards(ids, "")]
    set_script_prefix("/exchange/")
    try:
        [under] = [card.html for card in selectors.technology_cards(ids, "")]
    finally:
        set_script_prefix("/")
    assert f'href="/technologies/{technology.pk}/"' in at_root
    assert f'href="/exchange/technologies/{technology.pk}/"' in under


def test_a_technology_without_related_ones_gets_none(django_assert_num_queries):
    technology = make_technology(fields=())
    make_technology(fields=("solar",))
    read = selectors.technology_page(technology.pk, AnonymousUser())
    with django_assert_num_queries(0):
        assert selectors.related_technologies(read) == []


def test_search_page_asks_three_queries(client, django_assert_num_queries):
    for i in range(3):
        make_technology(title=f"Solar panel {i}", fields=("solar",))
    params = {"q": "solar", "trl_min": 3, "field": "solar"}
    client.get("/technologies/", params)
    # the taxonomy (the chosen field and the filter panel), the ids of the first matches (the
    # count and the page: selectors.search_listings), the page's cards
    with django_assert_num_queries(3) as captured:
        html = client.get("/technologies/", params).content.decode()
    assert html.count("listing-card") == 3 and "3 technologies" in html
    ids_sql = captured.captured_queries[1]["sql"]
    assert ids_sql.endswith(f"LIMIT {selectors.COUNT_LIMIT + 1}") and "COUNT(" not in ids_sql


def test_a_field_renamed_shows_on_the_next_page(client):
    technology = make_technology(fields=("solar",))
    Field.objects.filter(slug="solar").update(name_en="Sunlight power")
    assert "Sunlight power" in client.get(technology.get_absolute_url()).content.decode()


def test_the_chosen_field_is_checked_against_the_taxonomy_read_for_the_panel(
    django_assert_num_queries,
):
    solar = Field.objects.select_related("parent").get(slug="solar")
    filterset = TechnologyFilterSet({"field": "solar"}, queryset=Technology.objects.all())
    with django_assert_num_queries(1):
        assert filterset.is_valid()
        chosen = filterset.form.cleaned_data["field"]
        group = chosen.parent
        html = str(filterset.form["field"])
    assert chosen == solar and (chosen.slug, chosen.name_en) == (solar.slug, solar.name_en)
    assert group == solar.parent and group.name_en == solar.parent.name_en
    assert '<option value="solar" selected>' in html


def test_an_unknown_field_is_refused_with_a_message(client):
    response = client.get("/technologies/", {"field": "no-such-field"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_each_form_reads_the_taxonomy_afresh(client):
    """The rows are kept on one form's copy of the field, never on the class's: a field
    renamed between two pages shows (and validates) on the second."""
    assert client.get("/technologies/", {"field": "solar"}).status_code == 200
    Field.objects.filter(slug="solar").update(slug="solar-power", name_en="Solar power")
    response = client.get("/technologies/", {"field": "solar-power"})
    assert response.status_code == 200 and "Solar power" in response.content.decode()
    assert client.get("/technologies/", {"field": "solar"}).status_code == 400


@pytest.mark.parametrize("query", ["", "solar", "太陽 OR wind", '"solar panel" -wind'])
def test_search_cards_are_the_orms_cards(query, django_assert_num_queries, rf):
    """The search page's cards (selectors.technology_cards: one statement written once, the
    markup kept per row) are the card markup of the technologies and snippets that
    `for_cards()` and the ORM's snippet give."""
    technology = related_cards_setting()
    technology.images.create(image="technologies/z.png", thumbnail="t/z.jpg", caption="Z <i>")
    Technology.objects.filter(pk=technology.pk).update(summary="A solar panel, 太陽電池 & wind")
    ids = list(Technology.objects.order_by("-pk").values_list("pk", flat=True))  # a draft too
    base = Technology.objects.published().for_cards()
    by_orm = selectors.with_headline(base.filter(pk__in=ids), query).in_bulk()
    marks = search.highlight_terms(query)
    for listing in by_orm.values():
        if query:
            listing.headline = search.safe_headline(listing.headline, marks)
    context = Context({"request": rf.get("/")})
    with django_assert_num_queries(1):
        cards = selectors.technology_cards(ids + [0], query)
        html = {card.pk: technology_card(context, card) for card in cards}
    assert len(cards) == 7  # the draft is not a card
    assert [card.pk for card in cards] == [pk for pk in ids if pk in by_orm]  # in ids' order
    assert html == {pk: technology_card(context, card) for pk, card in by_orm.items()}
    if query:
        assert any("<mark>" in card.html for card in cards)


def test_a_filter_sets_form_class_is_built_once_and_speaks_the_pages_language():
    form_class = TechnologyFilterSet({"q": "x"}).form.__class__
    assert TechnologyFilterSet().form.__class__ is form_class
    assert NeedFilterSet().form.__class__ is not form_class  # its own filters
    with translation.override("ja"):
        japanese = str(TechnologyFilterSet().form["trl_min"].label)
    assert japanese != str(TechnologyFilterSet().form["trl_min"].label) == "TRL from"
