"""Each listing's text is marked with its own language (`lang`), whatever the page's language;
screen-reader details: unread counts in words, keyboard-reachable wide tables, result headings."""

import re

import pytest
from django.urls import reverse

from licensing import services as licensing
from licensing.models import LicenceRequest
from listings.lifecycle import Status
from tests.factories import make_member, make_technology

pytestmark = pytest.mark.django_db

EN_TITLE, JA_TITLE = "Perovskite film", "有機薄膜太陽電池"


def marked(html: str, title: str) -> str | None:
    """The lang of the element right around the title (None when unmarked)."""
    tag = re.search(rf"<([^<>]*)>{re.escape(title)}<", html)
    assert tag, title
    lang = re.search(r'\slang="(\w+)"', tag.group(1))
    return lang.group(1) if lang else None


@pytest.mark.parametrize("page_language", ["en", "ja"])
def test_public_pages_mark_each_listing_with_its_own_language(client, page_language):
    english = make_technology(title=EN_TITLE, language="en")
    japanese = make_technology(title=JA_TITLE, language="ja")
    client.cookies["django_language"] = page_language
    for url in ("/technologies/", "/"):
        html = client.get(url).content.decode()
        assert marked(html, EN_TITLE) == "en", url
        assert marked(html, JA_TITLE) == "ja", url
    html = client.get(english.get_absolute_url()).content.decode()
    assert re.search(rf'<h1 lang="en">{EN_TITLE}</h1>', html)
    html = client.get(japanese.get_absolute_url()).content.decode()
    assert re.search(rf'<h1 lang="ja">{JA_TITLE}</h1>', html)


def test_owner_and_staff_pages_mark_listing_language(client, staff):
    member = make_member()
    english = make_technology(member.organization, title=EN_TITLE, status=Status.SUBMITTED)
    make_technology(member.organization, title=JA_TITLE, language="ja", status=Status.SUBMITTED)
    client.cookies["django_language"] = "ja"
    client.force_login(member)
    html = client.get(reverse("dashboard")).content.decode()
    assert marked(html, EN_TITLE) == "en" and marked(html, JA_TITLE) == "ja"
    client.force_login(staff)
    html = client.get(reverse("listings:moderation_queue")).content.decode()
    assert marked(html, EN_TITLE) == "en" and marked(html, JA_TITLE) == "ja"
    html = client.get(reverse("listings:review", args=["technology", english.pk])).content.decode()
    assert f'<span lang="en">{EN_TITLE}</span>' in html  # in the Japanese heading
    assert f'<h2 lang="en">{EN_TITLE}</h2>' in html


def test_unread_count_is_read_as_words(client):
    owner = make_member()
    technology = make_technology(owner.organization)
    licensing.send_request(
        make_member(), technology, purpose=LicenceRequest.Purpose.LICENCE, message="Hello."
    )
    client.force_login(owner)
    header = client.get(reverse("dashboard")).content.decode().split("</header>")[0]
    assert (
        '<span aria-hidden="true">1</span><span class="visually-hidden">1 unread</span>' in header
    )


def test_wide_tables_are_keyboard_reachable_regions(client, staff):
    make_technology()
    html = client.get(reverse("opendata:statistics")).content.decode()
    wraps = re.findall(r'<div class="table-wrap"[^>]*>', html)
    assert wraps
    for wrap in wraps:
        assert 'role="region"' in wrap and 'tabindex="0"' in wrap
        assert re.search(r'aria-label="[^"]+"', wrap)


@pytest.mark.parametrize("url", ["/technologies/", "/needs/"])
def test_result_lists_do_not_skip_a_heading_level(client, url):
    make_technology()
    html = client.get(url).content.decode()
    levels = [int(n) for n in re.findall(r"<h([1-6])", html.split('<main id="main"')[1])]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
