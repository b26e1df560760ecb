"""An adviser's proposed edit: a revision the owner accepts or declines."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from advisers.models import Proposal
from listings.lifecycle import Status
from listings.models import Technology
from listings.revisions import PendingRevision, store
from tests.adviser_factories import make_assignment
from tests.factories import make_technology, make_user

pytestmark = pytest.mark.django_db


def form_data(technology, **changes):
    data = {
        "title": technology.title,
        "summary": technology.summary,
        "description": technology.description,
        "benefits": technology.benefits,
        "fields": [f.slug for f in technology.fields.all()],
        "keywords": ", ".join(technology.keywords),
        "trl": technology.trl,
        "ip_status": technology.ip_status,
        "partnerships": technology.partnerships,
        "countries": technology.countries,
        "language": technology.language,
        "contact_name": technology.contact_name,
        "contact_email": technology.contact_email,
        "message": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def setting():
    technology = make_technology(status=Status.DRAFT, benefits="Cheaper than sintering.")
    owner = make_user(organization=technology.organization, role=Membership.Role.ADMIN)
    adviser = make_assignment(technology.organization).adviser
    return technology, owner, adviser


def propose(client, adviser, technology, **changes):
    client.force_login(adviser)
    return client.post(
        reverse("advisers:propose", args=[technology.pk]), form_data(technology, **changes)
    )


def test_adviser_proposal_leaves_the_listing_unchanged_and_tells_the_owner(
    client, setting, mailoutbox, django_capture_on_commit_callbacks
):
    technology, owner, adviser = setting
    with django_capture_on_commit_callbacks(execute=True):
        response = propose(
            client,
            adviser,
            technology,
            benefits="40 % less energy than sintering.",
            message="Quantified",
        )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.state == Proposal.State.OPEN
    assert proposal.score_after > proposal.score_before
    technology.refresh_from_db()
    assert technology.benefits == "Cheaper than sintering."
    assert owner.email in mailoutbox[-1].to


def test_owner_accepts_and_the_draft_changes(
    client, setting, mailoutbox, django_capture_on_commit_callbacks
):
    technology, owner, adviser = setting
    propose(client, adviser, technology, benefits="40 % less energy than sintering.")
    proposal = Proposal.objects.get()
    client.force_login(owner)
    page = client.get(reverse("advisers:technology", args=[technology.pk])).content.decode()
    assert "40 % less energy than sintering." in page  # the change, shown before deciding
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("advisers:proposal_accept", args=[proposal.pk]))
    proposal.refresh_from_db()
    technology.refresh_from_db()
    assert proposal.state == Proposal.State.ACCEPTED
    assert proposal.decided_by == owner
    assert technology.benefits == "40 % less energy than sintering."
    assert adviser.email in mailoutbox[-1].to


def test_owner_declines_with_a_reason_and_nothing_changes(
    client, setting, mailoutbox, django_capture_on_commit_callbacks
):
    technology, owner, adviser = setting
    propose(client, adviser, technology, benefits="40 % less energy than sintering.")
    proposal = Proposal.objects.get()
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("advisers:proposal_decline", args=[proposal.pk]),
            {"reason": "Not measured yet"},
        )
    proposal.refresh_from_db()
    technology.refresh_from_db()
    assert proposal.state == Proposal.State.DECLINED
    assert proposal.reason == "Not measured yet"
    assert technology.benefits == "Cheaper than sintering."
    assert "Not measured yet" in mailoutbox[-1].body


def test_accepted_edit_of_a_published_listing_goes_to_review(client):
    technology = make_technology(status=Status.PUBLISHED, benefits="Cheaper.")
    owner = make_user(organization=technology.organization)
    adviser = make_assignment(technology.organization).adviser
    propose(client, adviser, technology, benefits="30 % cheaper than the current coating.")
    client.force_login(owner)
    client.post(reverse("advisers:proposal_accept", args=[Proposal.objects.get().pk]))
    technology = Technology.objects.get(pk=technology.pk)
    assert technology.benefits == "Cheaper."  # the published version stays until review
    assert technology.revision.is_submitted
    assert technology.revision.data["benefits"] == "30 % cheaper than the current coating."


def test_the_adviser_cannot_accept_their_own_proposal(client, setting):
    technology, owner, adviser = setting
    propose(client, adviser, technology, benefits="40 % less.")
    proposal = Proposal.objects.get()
    client.post(reverse("advisers:proposal_accept", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.OPEN


def test_a_decided_proposal_cannot_be_decided_again(client, setting):
    technology, owner, adviser = setting
    propose(client, adviser, technology, benefits="40 % less.")
    proposal = Proposal.objects.get()
    client.force_login(owner)
    client.post(reverse("advisers:proposal_decline", args=[proposal.pk]))
    response = client.post(reverse("advisers:proposal_accept", args=[proposal.pk]), follow=True)
    assert "This proposal has already been decided." in response.content.decode()
    technology.refresh_from_db()
    assert technology.benefits == "Cheaper than sintering."


def test_an_invalid_proposal_is_refused_and_keeps_what_was_typed(client, setting):
    technology, owner, adviser = setting
    response = propose(client, adviser, technology, title="", benefits="Typed with care")
    assert response.status_code == 400
    assert "Typed with care" in response.content.decode()
    assert not Proposal.objects.exists()


def test_comment_and_note_are_kept_and_an_empty_one_is_refused(client, setting):
    technology, owner, adviser = setting
    client.force_login(adviser)
    client.post(reverse("advisers:comment_add", args=[technology.pk]), {"body": "Add a figure"})
    client.post(reverse("advisers:note_add", args=[technology.pk]), {"body": "File in the US"})
    assert technology.adviser_comments.get().author == adviser
    assert technology.strategy_notes.get().body == "File in the US"
    response = client.post(reverse("advisers:note_add", args=[technology.pk]), {"body": " "})
    assert response.status_code == 400


def test_the_proposal_form_starts_from_the_owners_pending_edit(client):
    technology = make_technology(status=Status.PUBLISHED, benefits="Cheaper.")
    revision = {"benefits": "Owner's pending wording", "title": technology.title}
    store(technology, PendingRevision.submitted(revision))
    adviser = make_assignment(technology.organization).adviser
    client.force_login(adviser)
    page = client.get(reverse("advisers:propose", args=[technology.pk])).content.decode()
    assert "Owner&#x27;s pending wording" in page
