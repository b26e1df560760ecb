"""What a form tells people: help and errors tied to their fields, an error summary and title,
why sign-in is asked for, and a title limit the browser does not enforce silently."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.factories import PASSWORD, make_member
from tests.test_listings_views import technology_post_data

pytestmark = pytest.mark.django_db


def described_ids_missing(html: str) -> list[str]:
    """Ids that an aria-describedby points at but that no element carries."""
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    wanted = [i for value in re.findall(r'aria-describedby="([^"]+)"', html) for i in value.split()]
    return [i for i in wanted if i not in ids]


def title_of(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


# --- Help texts and errors read with their fields ----------------------------------------------


def test_sign_up_fields_point_at_help_and_errors_that_exist(client):
    html = client.get(reverse("accounts:signup")).content.decode()
    assert "aria-describedby" in html
    assert described_ids_missing(html) == []
    html = client.post(reverse("accounts:signup"), {"email": "nope"}).content.decode()
    assert 'aria-describedby="id_email_error"' in html or "id_email_error" in html
    assert described_ids_missing(html) == []


def test_sign_in_error_is_summarised_not_alerted(client):
    response = client.post(
        reverse("accounts:login"), {"username": "nobody@example.org", "password": "wrong"}
    )
    html = response.content.decode()
    assert title_of(html).startswith("Error:")
    assert 'id="error-summary"' in html and 'tabindex="-1"' in html
    assert 'role="alert"' not in html
    assert described_ids_missing(html) == []


def test_new_technology_errors_link_to_their_fields(client, member):
    client.force_login(member)
    url = reverse("listings:technology_create")
    assert described_ids_missing(client.get(url).content.decode()) == []
    response = client.post(url, technology_post_data(title="", trl="10", partnerships=[]))
    assert response.status_code == 400
    html = response.content.decode()
    assert title_of(html).startswith("Error:")
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert '<a href="#id_title">Title: This field is required.</a>' in summary
    assert '<a href="#id_trl">' in summary
    # A group of checkboxes is reached through its first choice.
    assert (
        '<a href="#id_partnerships_0">Partnerships offered: This field is required.</a>' in summary
    )
    # The summary comes first in <main>, before the heading, so it is found without JavaScript.
    main = html.split('<main id="main" class="wrap">', 1)[1]
    assert main.index('id="error-summary"') < main.index("<h1")
    # Each field is described by its error, and the error exists.
    assert re.search(r'<input[^>]*aria-describedby="[^"]*id_title_error', html)
    assert 'id="id_title_error"' in html
    assert described_ids_missing(html) == []
    assert 'role="alert"' not in html


def test_error_title_is_translated(client, member):
    client.force_login(member)
    client.cookies["django_language"] = "ja"
    html = client.post(
        reverse("listings:technology_create"), technology_post_data(title="")
    ).content.decode()
    assert title_of(html).startswith("エラー：")
    assert '<a href="#id_title">タイトル：' in html  # the Japanese colon, not ": "


def test_pages_without_errors_have_no_summary(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "error-summary" not in html
    assert not title_of(html).startswith("Error:")


def test_the_script_for_the_summary_is_a_static_file_not_inline(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert re.search(r'<script src="/static/js/a11y\.js" defer></script>', html)
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html)
    assert finders.find("js/a11y.js")


# --- A title longer than the limit -------------------------------------------------------------


def test_title_has_no_silent_browser_limit_but_a_stated_one(client, member):
    client.force_login(member)
    html = client.get(reverse("listings:technology_create")).content.decode()
    title_input = re.search(r'<input[^>]*name="title"[^>]*>', html).group(0)
    assert "maxlength" not in title_input
    assert "At most 200 characters." in html


def test_too_long_title_is_refused_with_a_message_keeping_the_text(client, member):
    client.force_login(member)
    long_title = "Self-healing concrete " + "x" * 230
    response = client.post(
        reverse("listings:technology_create"), technology_post_data(title=long_title)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ensure this value has at most 200 characters" in html
    assert f'value="{long_title}"' in html


# --- Why sign-in is asked for ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("/dashboard/", "Please sign in to see your dashboard."),
        ("/technologies/new/", "Please sign in to post a technology."),
        ("/needs/new/", "Please sign in to post a need."),
        ("/requests/received/", "Please sign in to see this page."),
    ],
)
def test_visitor_sent_to_sign_in_is_told_why(client, url, reason):
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert reason in response.content.decode()


def test_sign_in_reason_is_translated(client):
    client.cookies["django_language"] = "ja"
    html = client.get("/technologies/new/", follow=True).content.decode()
    assert "Please sign in" not in html
    assert "技術を掲載するにはログインしてください。" in html


def test_sign_in_page_opened_directly_gives_no_reason(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "Please sign in to" not in html


def test_sign_in_still_leads_to_the_page_asked_for(client):
    member = make_member()
    response = client.post(
        reverse("accounts:login") + "?next=/technologies/new/",
        {"username": member.email, "password": PASSWORD, "next": "/technologies/new/"},
    )
    assert response["Location"] == "/technologies/new/"
