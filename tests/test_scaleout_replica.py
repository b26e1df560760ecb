"""A real streaming replica of the test server behind a real app server (portal/replicas.py).

Started here: `pg_basebackup -R` into a temporary directory, a hot standby on another port, and
gunicorn with DATABASE_REPLICA_URLS pointing at it. Replay is paused to make lag visible.
"""

import contextlib
import re

import psycopg2
import pytest
import requests
from django.urls import reverse

from analytics.models import Event, ListingEvent
from listings.lifecycle import Status
from listings.models import Technology
from tests.factories import make_member, make_technology
from tests.servers import Replica, app_server, sign_in, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def replica(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        replica = Replica()
        try:
            yield replica
        finally:
            replica.cleanup()


@pytest.fixture(scope="module")
def server(replica, django_db_blocker):
    with django_db_blocker.unblock():
        env = {"DATABASE_REPLICA_URLS": replica.url, "REPLICA_STICKY_SECONDS": "120"}
        with app_server(env) as server:
            yield server


@pytest.fixture(autouse=True)
def _replica_caught_up(replica):
    replica.catch_up()
    yield
    with contextlib.suppress(psycopg2.OperationalError):  # the replica was stopped by the test
        replica.resume()


def test_a_publication_reaches_the_replica_and_is_served_from_it(replica, server):
    replica.pause()
    technology = make_technology(title="Perovskite tandem cell")
    url = f"{server.url}{technology.get_absolute_url()}"
    # Not replayed yet: the public page is read from the replica, which does not have it.
    assert requests.get(url, timeout=30).status_code == 404
    assert "Perovskite tandem cell" not in requests.get(f"{server.url}/technologies/").text
    replica.resume()
    replica.catch_up()
    page = requests.get(url, timeout=30)
    assert page.status_code == 200 and "Perovskite tandem cell" in page.text
    assert "Perovskite tandem cell" in requests.get(f"{server.url}/technologies/").text


def test_a_write_during_a_public_read_goes_to_the_primary_and_the_replica_refuses_writes(
    replica, server
):
    technology = make_technology(title="Counted technology")
    replica.catch_up()
    views = ListingEvent.objects.filter(listing_id=technology.pk, event=Event.VIEW)
    assert requests.get(f"{server.url}{technology.get_absolute_url()}", timeout=30).ok
    assert views.count() == 1  # the view's one append went to the primary
    with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
        replica.query("UPDATE listings_technology SET title = 'x' WHERE id = %s", (technology.pk,))
    assert "read-only" not in server.output() and "Error" not in server.output()


def test_the_author_reads_their_own_write_during_replica_lag(replica, server):
    author = make_member()
    technology = make_technology(author.organization, status=Status.DRAFT, title="Old title")
    session = sign_in(server.url, author)
    replica.catch_up()
    replica.pause()
    edit = f"{server.url}{reverse('listings:technology_edit', args=[technology.pk])}"
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', session.get(edit, timeout=30).text
    ).group(1)
    data = {
        "csrfmiddlewaretoken": token,
        "title": "New title typed by the author",
        "summary": technology.summary,
        "description": technology.description,
        "benefits": "",
        "fields": ["solar"],
        "keywords": "",
        "trl": technology.trl,
        "ip_status": technology.ip_status,
        "partnerships": technology.partnerships,
        "countries": technology.countries,
        "language": "en",
        "contact_name": "",
        "contact_email": "",
        "patents-TOTAL_FORMS": "0",
        "patents-INITIAL_FORMS": "0",
    }
    response = session.post(edit, data=data, headers={"Referer": edit}, timeout=30)
    # The author's next page (the redirect after saving) shows what they typed...
    assert response.ok and "New title typed by the author" in response.text
    assert response.url.endswith(technology.get_absolute_url())
    # ...although the replica still has the old copy,
    pk = technology.pk
    assert replica.query("SELECT title FROM listings_technology WHERE id = %s", (pk,)) == [
        ("Old title",)
    ]
    assert Technology.objects.get(pk=pk).title == "New title typed by the author"
    # which the same page without the read-your-writes cookie would have shown.
    stale = requests.Session()
    stale.cookies.set("sessionid", session.cookies["sessionid"])
    assert "Old title" in stale.get(response.url, timeout=30).text


def test_a_replica_going_away_degrades_to_the_primary_with_a_warning(replica, server):
    technology = make_technology(title="Still served")
    replica.catch_up()
    replica.stop("immediate")
    wait_until(lambda: "replica1 is unavailable" in _served(server, technology), what="warning")
    assert "Read replica replica1 is unavailable" in server.output()
    assert " 500 " not in server.output() and "Traceback" not in server.output()


def _served(server, technology) -> str:
    """Fetch the public list and detail page (never a 500) and return the server's log."""
    for path in ("/technologies/", technology.get_absolute_url()):
        response = requests.get(f"{server.url}{path}", timeout=30)
        assert response.status_code == 200, response.text[:500]
        assert technology.title in response.text
    return server.output()
