"""What is the same for every visitor, kept per process (`lib.kept`): a technology's whole page
for visitors who are not signed in, a search result's card, the list's filter panel and a
search's statement. Each must still show every change at once, never one visitor's page (or
token, or message) to another, and refuse what it refused before."""

import re
from datetime import timedelta

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse, QueryDict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import listings.views
import portal.views
from analytics.models import ListingEvent
from lib import kept
from listings import related_json, selectors
from listings.filters import TechnologyFilterSet
from listings.lifecycle import Status
from listings.models import Field, Technology
from tests.factories import (
    listed,
    make_member,
    make_need,
    make_organization,
    make_technology,
)

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SEARCH_BOX = re.compile(r'<input type="search" name="q" value="([^"]*)"')


def counted_renders(monkeypatch, pages: kept.VisitorPages) -> list:
    """The calls of `pages.render` (a page rendered from its templates) from now on."""
    made = []
    render = pages.render

    def counted(*args, **kwargs):
        made.append(args)
        return render(*args, **kwargs)

    monkeypatch.setattr(pages, "render", counted)
    return made


@pytest.fixture
def renders(monkeypatch):
    """How many times a technology's page was rendered from its templates."""
    return counted_renders(monkeypatch, portal.views.TECHNOLOGY_PAGES)


# A technology's page for visitors who are not signed in -----------------------------------------


def test_a_visitors_page_is_rendered_once_and_then_served_as_kept(client, renders):
    technology = make_technology(title="Kept page")
    pages = [client.get(technology.get_absolute_url()) for _ in range(3)]
    assert [p.status_code for p in pages] == [200, 200, 200]
    assert all("Kept page" in p.content.decode() for p in pages)
    assert len(renders) == 1


def test_each_visitor_gets_a_token_of_their_own_that_the_language_switch_accepts(db):
    technology = make_technology()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    tokens = []
    for visitor in (first, second):
        page = visitor.get(technology.get_absolute_url()).content.decode()
        assert "kept-csrf" not in page
        [token] = TOKEN.findall(page)
        tokens.append(token)
    switch = {"language": "ja", "next": technology.get_absolute_url()}
    # one visitor's token is refused with the other's cookie: each page has its own secret
    refused = second.post(reverse("set_language"), {**switch, "csrfmiddlewaretoken": tokens[0]})
    assert refused.status_code == 403
    for visitor, token in zip((first, second), tokens, strict=True):
        switched = visitor.post(reverse("set_language"), {**switch, "csrfmiddlewaretoken": token})
        assert switched.status_code == 302


def test_a_kept_page_is_per_language_and_site_and_never_for_a_query_string(
    client, renders, settings
):
    settings.ALLOWED_HOSTS = ["testserver", "b.example"]
    settings.SITE_URL_FROM_REQUEST = True  # development: links follow the request's origin
    technology = make_technology()
    page = technology.get_absolute_url()
    english = client.get(page).content.decode()
    japanese = client.get(page, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    other_site = client.get(page, HTTP_HOST="b.example").content.decode()
    assert '<html lang="en">' in english and '<html lang="ja">' in japanese
    assert len(renders) == 3
    with_query = client.get(page, {"from": "feed"}).content.decode()
    assert len(renders) == 3  # rendered as usual, not kept
    assert f'name="next" value="{page}"' in english
    assert f'name="next" value="{page}?from=feed"' in with_query
    assert 'href="http://testserver' in english and 'href="http://b.example' in other_site


def test_a_signed_in_visitor_never_gets_nor_leaves_a_kept_page(client, renders):
    technology = make_technology(contact_name="Dr Contact", contact_email="tlo@example.org")
    page = technology.get_absolute_url()
    assert "Sign out" not in client.get(page).content.decode()  # kept for visitors
    client.force_login(make_member())
    html = client.get(page).content.decode()
    assert "Sign out" in html and "tlo@example.org" in html
    client.logout()
    html = client.get(page).content.decode()
    assert "Sign out" not in html and "tlo@example.org" not in html
    assert len(renders) == 1  # the signed-in page went the usual way


def test_a_message_is_shown_to_its_visitor_and_the_page_not_kept(client, rf, renders):
    technology = make_technology()
    page = technology.get_absolute_url()
    client.get(page)  # kept
    storage = CookieStorage(rf.get("/"))
    storage.add(messages.INFO, "Shown once only")
    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies["messages"] = carrier.cookies["messages"].value
    assert "Shown once only" in client.get(page).content.decode()
    assert "Shown once only" not in client.get(page).content.decode()
    assert len(renders) == 1
    assert portal.views.TECHNOLOGY_PAGES.key(rf.post(page), "v1") is None


def test_a_visit_to_a_kept_page_is_counted(client):
    technology = make_technology()
    for _ in range(3):
        client.get(technology.get_absolute_url())
    events = ListingEvent.objects.filter(listing_id=technology.pk, event="view")
    assert events.count() == 3


def test_a_kept_page_is_never_shown_for_a_withdrawn_or_changed_technology(client):
    technology = make_technology(title="Before")
    page = technology.get_absolute_url()
    client.get(page)
    Technology.objects.filter(pk=technology.pk).update(title="After")
    html = client.get(page).content.decode()
    assert "After" in html and "Before" not in html
    Technology.objects.filter(pk=technology.pk).update(status=Status.WITHDRAWN)
    assert client.get(page).status_code == 404


def test_the_kept_pages_are_bounded(monkeypatch, client):
    pages = kept.VisitorPages(max_entries=2)
    monkeypatch.setattr(portal.views, "TECHNOLOGY_PAGES", pages)
    for technology in [make_technology() for _ in range(4)]:
        client.get(technology.get_absolute_url())
    assert len(pages.kept) == 2


# Search: cards, filter panel, statement ----------------------------------------------------------


@pytest.fixture
def cards_made(monkeypatch):
    made = []
    build = related_json.from_page

    def counted(model, page, db):
        made.append(page["listing"]["id"])
        return build(model, page, db)

    monkeypatch.setattr(related_json, "from_page", counted)
    return made


def test_a_card_shown_before_is_not_made_again(client, cards_made):
    solar = make_technology(title="Solar kept card")
    for _ in range(3):
        assert listed(client.get("/technologies/", {"q": "solar"})) == ["Solar kept card"]
    assert cards_made == [solar.pk]


def test_a_card_made_for_one_search_serves_another_with_its_own_snippet(client, cards_made):
    solar = make_technology(
        title="Solar kept card", summary="A solar panel that keeps cool in the desert heat."
    )
    panel = client.get("/technologies/", {"q": "panel"}).content.decode()
    desert = client.get("/technologies/", {"q": "desert"}).content.decode()
    assert cards_made == [solar.pk]  # made once, for the first search
    assert "<mark>panel</mark>" in panel and "<mark>desert</mark>" not in panel
    assert "<mark>desert</mark>" in desert and "<mark>panel</mark>" not in desert
    newest = client.get("/technologies/").content.decode()  # no words: the summary itself
    assert "A solar panel that keeps cool in the desert heat." in newest
    assert "<mark>" not in newest and cards_made == [solar.pk]


def test_a_changed_technology_shows_on_its_card_at_once(client):
    technology = make_technology(title="Solar before")
    assert "Solar before" in client.get("/technologies/", {"q": "solar"}).content.decode()
    Technology.objects.filter(pk=technology.pk).update(title="Solar after")
    html = client.get("/technologies/", {"q": "solar"}).content.decode()
    assert "Solar after" in html and "Solar before" not in html


def test_a_card_is_kept_per_language(client):
    organization = make_organization(name="Kept University", name_ja="保管大学")
    make_technology(organization, title="Solar language card")
    english = client.get("/technologies/", {"q": "solar"}).content.decode()
    japanese = client.get("/technologies/", {"q": "solar"}, HTTP_ACCEPT_LANGUAGE="ja")
    assert "Kept University" in english and "保管大学" not in english
    assert "保管大学" in japanese.content.decode()


def test_a_search_kept_as_a_statement_finds_what_was_published_since(client):
    make_technology(title="Solar first")
    assert listed(client.get("/technologies/", {"q": "solar"})) == ["Solar first"]
    make_technology(title="Solar second")
    assert listed(client.get("/technologies/", {"q": "solar"})) == ["Solar second", "Solar first"]


def test_the_filter_panel_shows_each_searchs_own_values(client):
    make_technology(title="Solar panel")
    first = client.get("/technologies/", {"q": "solar", "trl_min": 3}).content.decode()
    second = client.get("/technologies/", {"q": "wind"}).content.decode()
    assert SEARCH_BOX.findall(first) == ["solar"] and SEARCH_BOX.findall(second) == ["wind"]
    assert re.search(r'<option value="3" selected>', first)
    assert not re.search(r'<option value="3" selected>', second)


def test_the_search_box_is_not_part_of_the_kept_panel(client):
    first = selectors.filter_panel_version(TechnologyFilterSet(QueryDict("q=solar")), "/t/")
    assert first == selectors.filter_panel_version(TechnologyFilterSet(QueryDict("q=wind")), "/t/")
    html = client.get("/technologies/", {"q": "wind"}).content.decode()
    assert SEARCH_BOX.findall(html) == ["wind"]


def test_a_value_of_another_type_is_searched_but_its_statement_not_kept(monkeypatch):
    make_technology(title="Solar typed")
    filterset = TechnologyFilterSet(QueryDict("q=solar"))
    assert filterset.is_valid()
    filterset.form.cleaned_data["q"] = {"not": "hashable"}
    assert selectors._statement_key(filterset, timezone.localdate()) is None


def test_a_filter_panel_in_error_is_never_kept(client):
    in_error = TechnologyFilterSet(QueryDict("trl_min=7&trl_max=2"))
    assert selectors.filter_panel_version(in_error, "/technologies/") == ""
    assert selectors.filter_panel_version(TechnologyFilterSet(QueryDict("trl_min=7")), "/t/")
    for _ in range(2):
        response = client.get("/technologies/", {"trl_min": 7, "trl_max": 2})
        assert response.status_code == 400
        assert "The upper TRL must not be below the lower one." in response.content.decode()
    assert "The upper TRL" not in client.get("/technologies/", {"trl_min": 7}).content.decode()


def test_the_filter_panel_follows_the_taxonomy(client):
    client.get("/technologies/")
    Field.objects.filter(slug="solar").update(name_en="Sunlight power")
    assert "Sunlight power" in client.get("/technologies/").content.decode()


def test_a_queryset_that_can_match_nothing_has_no_rows():
    assert kept.rows(("nothing",), Technology.objects.none, "default") == []


def test_a_statement_is_compiled_once_per_key(django_assert_num_queries):
    make_technology(title="Solar once")
    built = []

    def titles():
        built.append(1)
        return Technology.objects.filter(title__startswith="Solar").values_list("title")

    key = ("titles starting with Solar", id(built))
    for _ in range(3):
        with django_assert_num_queries(1):
            assert kept.rows(key, titles, "default") == [("Solar once",)]
    assert built == [1]


def test_a_kept_search_follows_a_slug_given_to_another_field(client):
    solar, wind = Field.objects.get(slug="solar"), Field.objects.get(slug="wind")
    make_technology(title="On the sun", fields=("solar",))
    make_technology(title="On the wind", fields=("wind",))
    assert listed(client.get("/technologies/", {"field": "solar"})) == ["On the sun"]
    Field.objects.filter(pk=solar.pk).update(slug="solar-old")
    Field.objects.filter(pk=wind.pk).update(slug="solar")
    assert listed(client.get("/technologies/", {"field": "solar"})) == ["On the wind"]


def test_a_kept_search_of_needs_leaves_out_a_need_whose_deadline_passed(client, monkeypatch):
    today = timezone.localdate()
    make_need(title="Due today", deadline=today)
    assert listed(client.get("/needs/")) == ["Due today"]
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today + timedelta(days=1))
    assert listed(client.get("/needs/")) == []


# A technologies search's whole page for visitors who are not signed in -------------------------


@pytest.fixture
def searches_rendered(monkeypatch):
    """How many times a list's page was rendered from its templates for a visitor whose page
    is kept (`listings.views.SEARCH_PAGES`)."""
    return counted_renders(monkeypatch, listings.views.SEARCH_PAGES)


def test_a_visitors_search_is_rendered_once_and_then_served_as_kept(client, searches_rendered):
    make_technology(title="Solar kept search", summary="A solar roof tile.")
    pages = [client.get("/technologies/", {"q": "solar", "trl_min": 3}) for _ in range(3)]
    assert [p.status_code for p in pages] == [200, 200, 200]
    assert len(searches_rendered) == 1
    kept_token, rendered_token = tokens(pages[2], pages[0])
    assert (
        pages[2].content.decode().replace(kept_token, rendered_token) == pages[0].content.decode()
    )
    assert listed(pages[2]) == ["Solar kept search"]
    assert "<mark>solar</mark>" in pages[2].content.decode()
    assert SEARCH_BOX.findall(pages[2].content.decode()) == ["solar"]


def tokens(*pages) -> tuple[str, ...]:
    """The CSRF token (the language switch's) of each page."""
    return tuple(TOKEN.search(page.content.decode())[1] for page in pages)


def test_a_kept_search_has_each_visitors_own_token_and_address(client, searches_rendered):
    make_technology(title="Solar tokens")
    make_technology(title="Wind tokens")
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    pages = [visitor.get("/technologies/", {"q": "solar"}) for visitor in (first, second)]
    assert len(searches_rendered) == 1
    first_token, second_token = tokens(*pages)
    assert first_token != second_token and "kept-csrf" not in pages[1].content.decode()
    switch = {"language": "ja", "next": "/technologies/?q=solar"}
    refused = second.post(reverse("set_language"), {**switch, "csrfmiddlewaretoken": first_token})
    assert refused.status_code == 403
    switched = second.post(reverse("set_language"), {**switch, "csrfmiddlewaretoken": second_token})
    assert switched.status_code == 302 and switched["Location"] == "/technologies/?q=solar"
    assert 'name="next" value="/technologies/?q=solar"' in pages[1].content.decode()
    wind = client.get("/technologies/", {"q": "wind"}).content.decode()
    assert 'name="next" value="/technologies/?q=wind"' in wind  # another address, another page
    # the same results at another address: the language switch comes back to this one
    first_page = client.get("/technologies/", {"q": "solar", "page": 1}).content.decode()
    assert 'name="next" value="/technologies/?q=solar&amp;page=1"' in first_page
    assert len(searches_rendered) == 3


def test_a_kept_search_shows_what_was_published_changed_or_withdrawn_since(client):
    first = make_technology(title="Solar first kept")
    assert listed(client.get("/technologies/", {"q": "solar"})) == ["Solar first kept"]
    make_technology(title="Solar second kept")
    html = client.get("/technologies/", {"q": "solar"}).content.decode()
    assert "2 technologies" in html
    assert listed(client.get("/technologies/", {"q": "solar"})) == [
        "Solar second kept",
        "Solar first kept",
    ]
    Technology.objects.filter(pk=first.pk).update(title="Solar first renamed")
    html = client.get("/technologies/", {"q": "solar"}).content.decode()
    assert "Solar first renamed" in html and "Solar first kept" not in html
    Technology.objects.filter(pk=first.pk).update(status=Status.WITHDRAWN)
    html = client.get("/technologies/", {"q": "solar"}).content.decode()
    assert "Solar first renamed" not in html and "1 technology" in html


def test_a_kept_search_follows_the_count_beyond_its_page(client):
    for number in range(21):
        make_technology(title=f"Solar number {number}")
    newest = {"q": "solar", "sort": "newest"}
    assert "21 technologies" in client.get("/technologies/", newest).content.decode()
    # published before the others: on the second page, the first page's cards unchanged
    make_technology(title="Solar oldest", published_at=timezone.now() - timedelta(days=9))
    assert "22 technologies" in client.get("/technologies/", newest).content.decode()
    second_page = client.get("/technologies/", {**newest, "page": 2})
    assert listed(second_page) == ["Solar number 0", "Solar oldest"]


def test_a_kept_search_is_per_language_and_site(client, settings, searches_rendered):
    settings.ALLOWED_HOSTS = ["testserver", "b.example"]
    settings.SITE_URL_FROM_REQUEST = True
    make_technology(title="Solar per language")
    english = client.get("/technologies/", {"q": "solar"}).content.decode()
    japanese = client.get("/technologies/", {"q": "solar"}, HTTP_ACCEPT_LANGUAGE="ja")
    other_site = client.get("/technologies/", {"q": "solar"}, HTTP_HOST="b.example")
    assert '<html lang="en">' in english and '<html lang="ja">' in japanese.content.decode()
    assert 'href="http://b.example' in other_site.content.decode()
    assert 'href="http://b.example' not in english
    assert len(searches_rendered) == 3


def test_a_search_is_not_kept_for_a_signed_in_visitor_an_error_or_another_parameter(
    client, searches_rendered
):
    make_technology(title="Solar not kept")
    client.get("/technologies/", {"q": "solar"})  # kept
    member = make_member()
    client.force_login(member)
    html = client.get("/technologies/", {"q": "solar"}).content.decode()
    assert "Sign out" in html and 'name="name" maxlength="100" required value="solar"' in html
    client.logout()
    assert "Sign out" not in client.get("/technologies/", {"q": "solar"}).content.decode()
    assert client.get("/technologies/", {"trl_min": 7, "trl_max": 2}).status_code == 400
    assert client.get("/technologies/", {"q": "solar", "from": "feed"}).status_code == 200
    assert len(searches_rendered) == 1


def test_a_needs_list_and_similar_titles_are_rendered_each_time(client, searches_rendered):
    make_need(title="Cooling need")
    make_technology(title="Perovskite tandem solar cell")
    for _ in range(2):
        assert listed(client.get("/needs/")) == ["Cooling need"]
        similar = client.get("/technologies/", {"q": "perovskit tandme"})
        assert listed(similar) == ["Perovskite tandem solar cell"]
        assert "similar words" in similar.content.decode()
    assert searches_rendered == []


def test_a_kept_search_with_a_page_out_of_range_or_not_a_number_still_answers(client):
    make_technology(title="Solar page")
    for page in ("abc", "0", "-1", "99999", "1.5", ""):
        for _ in range(2):  # rendered, then served kept
            response = client.get("/technologies/", {"q": "solar", "page": page})
            assert response.status_code == 200
            assert listed(response) == ["Solar page"]
