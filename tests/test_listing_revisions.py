"""The pending revision of a published listing: the typed value and its one reader and writer."""

from datetime import UTC, datetime

import pytest

from listings import services
from listings.lifecycle import Action, Status
from listings.models import Technology
from listings.revisions import PendingRevision, store
from tests.factories import make_member, make_staff, make_technology

pytestmark = pytest.mark.django_db

SENT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def test_a_revision_survives_the_round_trip_through_json():
    revision = PendingRevision(data={"title": "New", "fields": ["solar"]}, at=SENT)
    assert PendingRevision.from_json(revision.to_json()) == revision
    asked = revision.with_changes_requested("Say which patent.")
    assert PendingRevision.from_json(asked.to_json()) == asked
    assert (asked.changes_requested, asked.is_submitted, asked.data) == (
        True,
        False,
        revision.data,
    )


def test_the_stored_json_keeps_its_documented_keys():
    revision = PendingRevision(data={"title": "New"}, at=SENT).with_changes_requested("Why?")
    assert revision.to_json() == {
        "state": "changes_requested",
        "data": {"title": "New"},
        "at": "2026-03-01T09:30:00+00:00",
        "reason": "Why?",
    }


def test_a_listing_without_a_revision_reads_as_none():
    technology = make_technology()
    assert PendingRevision.from_listing(technology) is None
    assert technology.revision is None


def test_a_revision_written_without_a_date_still_reads():
    revision = PendingRevision.from_json({"state": "submitted", "data": {"title": "x"}})
    assert (revision.at, revision.reason, revision.is_submitted) == (None, "", True)


def test_store_writes_only_the_revision_not_the_edit_on_the_instance():
    technology = make_technology(title="Public title")
    technology.title = "Unreviewed title"  # as a validated form leaves it on its instance
    store(technology, PendingRevision.submitted({"title": "Unreviewed title"}))
    stored = Technology.objects.get(pk=technology.pk)
    assert stored.title == "Public title"
    assert stored.revision.data == {"title": "Unreviewed title"}
    assert stored.revision.at is not None
    store(technology, None)
    assert Technology.objects.get(pk=technology.pk).revision is None
    assert technology.pending_revision is None


def test_the_queue_finds_listings_by_the_state_of_their_revision():
    waiting, asked, plain = make_technology(), make_technology(), make_technology()
    store(waiting, PendingRevision.submitted({"title": "A"}))
    store(asked, PendingRevision.submitted({"title": "B"}).with_changes_requested("Why?"))
    assert list(Technology.objects.with_submitted_revision()) == [waiting]
    assert plain not in Technology.objects.filter(
        PendingRevision.in_state(PendingRevision.CHANGES_REQUESTED)
    )
    assert asked in Technology.objects.filter(
        PendingRevision.in_state(PendingRevision.CHANGES_REQUESTED)
    )


def test_a_held_revision_is_queued_since_it_was_sent():
    technology = make_technology()
    store(technology, PendingRevision(data={"title": "A"}, at=SENT))
    assert technology.queued_since() == SENT


def test_staff_asking_for_changes_keeps_the_edit_and_tells_the_owner_why(client):
    member, staff = make_member(verified=False), make_staff()
    technology = make_technology(member.organization, status=Status.PUBLISHED)
    services.save_revision(technology, {"title": "Edited title"}, member)
    services.transition(technology, Action.REQUEST_CHANGES, staff, reason="Cite the patent.")
    technology.refresh_from_db()
    revision = technology.revision
    assert revision.changes_requested
    assert (revision.data, revision.reason) == ({"title": "Edited title"}, "Cite the patent.")
    client.force_login(member)
    page = client.get(technology.get_absolute_url()).content.decode()
    assert "Cite the patent." in page and "Revision: changes requested" in page
