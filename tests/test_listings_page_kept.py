"""A technology's page keeps the markup made from the technology alone (`{% per_content %}`,
keyed by a digest of the row its statement read) and runs that statement prepared once per
connection (`lib.prepared`): the page must still show every change at once, never a hidden
listing, never one visitor's details to another."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, connections, transaction
from django.template import Context, Template
from django.urls import set_script_prefix
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from lib import prepared
from lib.kept import digest
from lib.templatetags.lib_tags import PerContentNode
from listings import selectors
from listings.lifecycle import Status
from tests.factories import make_member, make_technology

pytestmark = pytest.mark.django_db

KEPT = Template(
    "{% load i18n lib_tags %}{% per_content version with thing %}"
    "[{{ thing }}|{{ user }}|{% csrf_token %}|{{ request.path }}|{% trans 'Description' %}]"
    "{% endper_content %}"
)


class Counted:
    """Renders as how many times it was rendered."""

    def __init__(self):
        self.renders = 0

    def __str__(self):
        self.renders += 1
        return f"thing{self.renders}"


def kept(version, thing, template=KEPT, **more) -> str:
    return template.render(Context({"version": version, "thing": thing, **more}))


def test_kept_markup_holds_only_the_named_variables(rf):
    context = {"user": make_member(), "request": rf.get("/secret/"), "csrf_token": "TOKEN"}
    with translation.override("en"):
        assert kept("v-visitor", "x", **context) == "[x||||Description]"


def test_kept_markup_is_reused_per_version_and_language():
    thing = Counted()
    with translation.override("en"):
        first, again = kept("v1", thing), kept("v1", thing)
        other_version = kept("v2", thing)
    with translation.override("ja"):
        japanese = kept("v1", thing)
    assert first == again == "[thing1||||Description]"
    assert other_version == "[thing2||||Description]"
    assert japanese == "[thing3||||説明]"


def test_kept_markup_is_per_script_prefix():
    """Kept links hold the prefix of a site served under a sub-path (SCRIPT_NAME)."""
    template = Template(
        "{% load lib_tags %}{% per_content version with thing %}{% url 'about' %}"
        "{% endper_content %}{% per_language %}{% url 'home' %}{% endper_language %}"
    )
    with translation.override("en"):
        at_root = kept("v-prefix", "x", template)
        set_script_prefix("/exchange/")
        try:
            under = kept("v-prefix", "x", template)
        finally:
            set_script_prefix("/")
    assert at_root == "/about//" and under == "/exchange/about//exchange/"


def test_without_a_version_it_is_rendered_every_time():
    thing = Counted()
    with translation.override("en"):
        assert [kept(v, thing) for v in ("", None, "")] == [
            f"[thing{n}||||Description]" for n in (1, 2, 3)
        ]


def test_the_least_recently_used_renderings_are_let_go(monkeypatch):
    monkeypatch.setattr(PerContentNode, "MAX_ENTRIES", 2)
    thing, template = Counted(), Template(KEPT.source)
    with translation.override("en"):
        for version in ("a", "b", "a", "c", "a", "b"):  # "b" let go when "c" came
            kept(version, thing, template)
    assert thing.renders == 4


def test_a_page_shows_every_change_to_what_it_was_read_from(client):
    technology = make_technology(fields=("solar",), title="Old title")
    page = technology.get_absolute_url()
    neighbour = make_technology(fields=("solar",), title="Neighbour one")
    assert "Old title" in client.get(page).content.decode()

    technology.title = "New title"
    technology.save()
    technology.organization.name = "Renamed University"
    technology.organization.save()
    technology.patents.create(number="JP 2020-1", office="JP", status="granted")
    technology.images.create(image="technologies/a.png", thumbnail="t/a.jpg", position=1)
    neighbour.title = "Neighbour renamed"
    neighbour.save()
    html = client.get(page).content.decode()
    assert "New title" in html and "Old title" not in html
    assert "Renamed University" in html
    assert "JP 2020-1" in html and "t/a.jpg" in html
    assert "Neighbour renamed" in html and "Neighbour one" not in html


def test_a_page_kept_before_the_technology_was_withdrawn_is_not_shown(client):
    technology = make_technology()
    assert client.get(technology.get_absolute_url()).status_code == 200
    technology.status = Status.WITHDRAWN
    technology.save()
    assert client.get(technology.get_absolute_url()).status_code == 404


def test_the_contact_email_is_never_kept_for_the_next_visitor(client):
    technology = make_technology(contact_name="Dr Contact", contact_email="tlo@example.org")
    page = technology.get_absolute_url()
    client.force_login(make_member())
    assert "tlo@example.org" in client.get(page).content.decode()
    client.logout()
    html = client.get(page).content.decode()
    assert "Dr Contact" in html and "tlo@example.org" not in html


def test_the_page_version_follows_what_was_read():
    technology = make_technology()
    first = selectors.technology_page(technology.pk, AnonymousUser()).page_version
    assert selectors.technology_page(technology.pk, AnonymousUser()).page_version == first
    technology.summary = "Another summary"
    technology.save()
    assert selectors.technology_page(technology.pk, AnonymousUser()).page_version != first
    assert selectors.page_version("a", "b") != selectors.page_version("ab", "")


def test_the_page_version_is_the_digest_of_the_text_read():
    """The page's JSON is read as the database's UTF-8 bytes and digested as they are: the
    same version as its text's (a Japanese title included), and the same technology."""
    technology = make_technology(title="高温超伝導線材の低コスト製造法")
    read = selectors.read_technology_page(technology.pk, AnonymousUser())
    page, related = read.page_text.decode(), (read.related_text or b"").decode()
    assert read.version == digest(page, related)
    assert digest("高温", b"x") == digest("高温".encode(), "x") != digest("高温", "y")
    assert read.technology().title == "高温超伝導線材の低コスト製造法"


def prepared_names() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements ORDER BY name")
        return [row[0] for row in cursor.fetchall()]


def test_placeholders_are_numbered_in_order():
    assert prepared.numbered("SELECT %s WHERE a = %s OR b = %s") == (
        "SELECT $1 WHERE a = $2 OR b = $3"
    )


def test_a_statement_is_prepared_once_per_connection():
    technology = make_technology()
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    prepared.forget(connections["default"])
    for _ in range(3):
        assert selectors.technology_page(technology.pk, AnonymousUser()).pk == technology.pk
    assert prepared_names() == ["technology_page"]


def test_a_prepared_statement_outlives_a_rolled_back_transaction():
    technology = make_technology()
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    prepared.forget(connections["default"])
    with pytest.raises(RuntimeError), transaction.atomic():
        selectors.technology_page(technology.pk, AnonymousUser())
        raise RuntimeError
    assert selectors.technology_page(technology.pk, AnonymousUser()).pk == technology.pk


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_it_again():
    technology = make_technology()
    selectors.technology_page(technology.pk, AnonymousUser())
    connection.close()  # a new session: no prepared statement in it
    assert selectors.technology_page(technology.pk, AnonymousUser()).pk == technology.pk
    assert prepared_names() == ["technology_page"]


def test_a_kept_page_does_not_make_its_related_cards_again(client, monkeypatch):
    technology = make_technology(fields=("solar",))
    make_technology(fields=("solar",), title="Related one")
    made = []
    read = selectors.related_technologies
    monkeypatch.setattr(selectors, "related_technologies", lambda t: made.append(t) or read(t))
    for _ in range(3):
        assert "Related one" in client.get(technology.get_absolute_url()).content.decode()
    assert len(made) == 1


def test_the_error_summary_never_builds_a_lazy_value(rf):
    def never():
        raise AssertionError("built")

    template = Template("{% load lib_tags %}{% page_errors as errors %}{{ errors|length }}")
    assert template.render(Context({"lazy": SimpleLazyObject(never)})) == "0"
