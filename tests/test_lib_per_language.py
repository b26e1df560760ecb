"""The frame of every page (links, labels, static files) is rendered once per language and
process (`{% per_language %}`): it must follow the page's language, and nothing about the
visitor may ever be kept in it."""

import pytest
from django.template import Context, Template
from django.utils import translation

from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_a_kept_frame_never_shows_another_language(client):
    for language, sign_in, needs in [("en", "Sign in", "Needs"), ("ja", "ログイン", "ニーズ")] * 2:
        html = client.get("/technologies/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        other = "ログイン" if language == "en" else ">Sign in<"
        assert f'<html lang="{language}">' in html
        assert sign_in in html and other not in html
        assert f">{needs}</a>" in html


def test_a_kept_fragment_holds_nothing_of_the_visitor(rf):
    fragment = Template(
        "{% load lib_tags %}{% per_language %}[{{ user }}|{% csrf_token %}|{{ request.path }}]"
        "{% endper_language %}"
    )
    request = rf.get("/secret-path/")
    member = make_member()
    context = Context({"user": member, "request": request, "csrf_token": "TOKEN"})
    with translation.override("en"):
        first = fragment.render(context)
        again = fragment.render(Context({"user": "someone else"}))
    assert first == again == "[||]"


def test_signed_in_visitors_see_their_menu_not_the_kept_sign_in_links(client):
    client.get("/technologies/")  # the anonymous frame is kept first
    member = make_member()
    client.force_login(member)
    html = client.get("/technologies/").content.decode()
    assert "Sign out" in html and "Register</a>" not in html
    assert member.get_short_name() in html
