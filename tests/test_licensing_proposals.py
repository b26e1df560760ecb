"""Proposed solutions for a need: who may propose and read them, the status moves, the notices,
and the call to action on every need page. A proposal is a LicenceRequest whose subject is a
need (one conversation model, one thread machinery)."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Organization
from licensing import services
from licensing.models import LicenceRequest
from listings.lifecycle import Status as ListingStatus
from tests.factories import make_member, make_need, make_staff, make_technology, make_user

pytestmark = pytest.mark.django_db
Status = LicenceRequest.Status


@pytest.fixture
def seeker():
    return make_member(type=Organization.Type.COMPANY, name="Osaka Motors")


@pytest.fixture
def provider():
    return make_member(type=Organization.Type.UNIVERSITY, name="Kyushu University")


@pytest.fixture
def need(seeker):
    return make_need(seeker.organization, author=seeker, title="Lighter battery casing")


@pytest.fixture
def technology(provider):
    return make_technology(provider.organization, author=provider, title="Carbon foam")


@pytest.fixture
def proposal(provider, need, technology, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.send_proposal(
            provider, need, technology=technology, message="Our foam is 40% lighter."
        )


def test_proposal_opens_a_conversation_about_the_need_and_mails_the_seeker(proposal, need, seeker):
    assert proposal.subject == need
    assert proposal.technology is None
    assert proposal.purpose == LicenceRequest.Purpose.PROPOSAL
    assert proposal.status == Status.NEW
    assert [m.to for m in mail.outbox] == [[seeker.email]]
    assert "Lighter battery casing" in mail.outbox[0].subject
    assert "Carbon foam" in mail.outbox[0].body


def test_capability_in_words_is_a_proposal_too(provider, need):
    proposal = services.send_proposal(
        provider, need, capability="We machine titanium lattices.", message="Interested?"
    )
    assert proposal.proposed_technology is None
    assert proposal.capability == "We machine titanium lattices."


def test_proposal_needs_a_technology_or_a_capability(provider, need):
    with pytest.raises(services.RequestError):
        services.send_proposal(provider, need, message="Hello")


def test_another_organisations_technology_cannot_be_proposed(provider, need):
    foreign = make_technology(title="Not ours")
    with pytest.raises(services.RequestError):
        services.send_proposal(provider, need, technology=foreign, message="Hello")


def test_own_need_cannot_be_answered(seeker, need):
    with pytest.raises(services.RequestError):
        services.send_proposal(seeker, need, capability="x", message="Hello")


def test_database_refuses_a_conversation_with_two_subjects(proposal, technology):
    with pytest.raises(IntegrityError), transaction.atomic():
        LicenceRequest.objects.filter(pk=proposal.pk).update(technology=technology)


def test_one_open_proposal_per_organisation_and_need(proposal, provider, need):
    with pytest.raises(services.RequestError):
        services.send_proposal(provider, need, capability="again", message="Again")


@pytest.mark.parametrize(
    "who, status",
    [("anonymous", 404), ("outsider", 404), ("provider", 200), ("seeker", 200), ("staff", 200)],
)
def test_who_may_read_a_proposal(client, proposal, provider, seeker, who, status):
    users = {
        "anonymous": None,
        "outsider": make_member(name="Elsewhere Inc."),
        "provider": provider,
        "seeker": seeker,
        "staff": make_staff(),
    }
    if users[who] is not None:
        client.force_login(users[who])
    response = client.get(reverse("licensing:request_detail", args=[proposal.pk]))
    assert response.status_code == status
    if status == 200:
        assert "Our foam is 40% lighter." in response.content.decode()


@pytest.mark.parametrize("who", ["outsider", "provider"])
def test_only_the_needs_organisation_moves_a_proposal(client, proposal, provider, who):
    user = provider if who == "provider" else make_member(name="Elsewhere Inc.")
    client.force_login(user)
    response = client.post(
        reverse("licensing:request_status", args=[proposal.pk]), {"status": "shortlisted"}
    )
    assert response.status_code in (400, 404)
    proposal.refresh_from_db()
    assert proposal.status == Status.NEW


def test_seeker_moves_new_to_in_discussion_to_shortlisted_then_declined(
    client, proposal, seeker, provider, django_capture_on_commit_callbacks
):
    client.force_login(seeker)
    url = reverse("licensing:request_status", args=[proposal.pk])
    mail.outbox.clear()
    for status in ("in_discussion", "shortlisted", "declined"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url, {"status": status, "note": f"now {status}", "reason": "ip_unclear"}
            )
        assert response.status_code == 302
        proposal.refresh_from_db()
        assert proposal.status == status
    assert proposal.closed_at is not None
    # The provider hears of every move.
    assert [m.to for m in mail.outbox] == [[provider.email]] * 3
    assert "Declined" in mail.outbox[-1].subject


def test_a_declined_proposal_cannot_move_back(proposal, seeker):
    services.change_status(proposal, seeker, Status.DECLINED, reason="too_early")
    with pytest.raises(services.RequestError):
        services.change_status(proposal, seeker, Status.SHORTLISTED)


def test_a_proposal_cannot_be_agreed_like_a_licence(proposal, seeker):
    with pytest.raises(services.RequestError):
        services.change_status(proposal, seeker, Status.AGREED)


def test_seekers_first_reply_moves_new_to_in_discussion_and_mails_provider(
    proposal, seeker, provider, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(proposal, seeker, "Can you send a sample?")
    proposal.refresh_from_db()
    assert proposal.status == Status.IN_DISCUSSION
    assert [m.to for m in mail.outbox] == [[provider.email]]


def test_provider_may_withdraw(proposal, provider):
    services.change_status(proposal, provider, Status.WITHDRAWN)
    proposal.refresh_from_db()
    assert proposal.status == Status.WITHDRAWN


def test_unread_count_in_the_navigation_includes_new_proposals(client, proposal, seeker):
    from licensing.selectors import unread_count

    assert unread_count(seeker.organization) == 1
    client.force_login(seeker)
    client.get(reverse("licensing:request_detail", args=[proposal.pk]))
    assert unread_count(seeker.organization) == 0


# --- the need's page -------------------------------------------------------------------------


def test_visitor_sees_sign_in_to_propose_and_only_a_count(client, proposal, need):
    body = client.get(need.get_absolute_url()).content.decode()
    assert "Sign in to propose" in body
    assert "1 proposal received so far" in body
    assert "Our foam is 40% lighter." not in body
    assert "Kyushu University" not in body


def test_other_member_sees_propose_a_solution(client, need):
    client.force_login(make_member(name="Tokyo Labs"))
    body = client.get(need.get_absolute_url()).content.decode()
    assert reverse("licensing:proposal_create", args=[need.pk]) in body
    assert "Propose a solution" in body


def test_needs_organisation_and_staff_see_the_proposals(client, proposal, need, seeker):
    for user in (seeker, make_staff()):
        client.force_login(user)
        body = client.get(need.get_absolute_url()).content.decode()
        assert "Proposals received" in body
        assert reverse("licensing:request_detail", args=[proposal.pk]) in body


def test_other_members_do_not_see_the_proposals_on_the_need(client, proposal, need):
    client.force_login(make_member(name="Tokyo Labs"))
    body = client.get(need.get_absolute_url()).content.decode()
    assert reverse("licensing:request_detail", args=[proposal.pk]) not in body


def test_dashboard_lists_proposals_received_and_sent(client, proposal, seeker, provider):
    client.force_login(seeker)
    assert "Lighter battery casing" in client.get(reverse("dashboard")).content.decode()
    client.force_login(provider)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Proposals we sent" in body and "Lighter battery casing" in body


def test_need_page_query_count_does_not_grow_with_proposals(
    client, need, seeker, django_assert_max_num_queries
):
    client.force_login(seeker)
    client.get(need.get_absolute_url())  # warm caches (content types, sessions)
    for n in range(3):
        services.send_proposal(make_member(), need, capability=f"c{n}", message="m")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(need.get_absolute_url())
    for n in range(5):
        services.send_proposal(make_member(), need, capability=f"d{n}", message="m")
    with django_assert_max_num_queries(len(few)):
        client.get(need.get_absolute_url())


# --- the proposal form -----------------------------------------------------------------------


def test_form_offers_only_own_published_technologies_and_sends(client, provider, need, technology):
    make_technology(provider.organization, status=ListingStatus.DRAFT, title="Draft idea")
    make_technology(title="Someone else's")
    client.force_login(provider)
    url = reverse("licensing:proposal_create", args=[need.pk])
    body = client.get(url).content.decode()
    assert "Carbon foam" in body
    assert "Draft idea" not in body and "Someone else" not in body
    response = client.post(url, {"technology": technology.pk, "message": "Try our foam."})
    proposal = LicenceRequest.objects.get()
    assert response.status_code == 302 and response.url == proposal.get_absolute_url()


def test_form_keeps_what_was_typed_when_nothing_is_proposed(client, provider, need):
    client.force_login(provider)
    url = reverse("licensing:proposal_create", args=[need.pk])
    response = client.post(url, {"message": "My careful message"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "My careful message" in body
    assert "Choose one of your technologies or describe the capability." in body
    assert not LicenceRequest.objects.exists()


def test_form_refuses_the_needs_own_organisation(client, seeker, need):
    client.force_login(seeker)
    assert client.get(reverse("licensing:proposal_create", args=[need.pk])).status_code == 403


def test_form_is_404_for_an_unpublished_need(client, provider, seeker):
    draft = make_need(seeker.organization, status=ListingStatus.DRAFT)
    client.force_login(provider)
    assert client.get(reverse("licensing:proposal_create", args=[draft.pk])).status_code == 404


def test_form_sends_anonymous_visitors_to_sign_in(client, need):
    response = client.get(reverse("licensing:proposal_create", args=[need.pk]))
    assert response.status_code == 302 and "login" in response.url


def test_unverified_user_without_organisation_is_refused(client, need):
    client.force_login(make_user(verified=False))
    response = client.get(reverse("licensing:proposal_create", args=[need.pk]))
    assert response.status_code in (302, 403)


def test_staff_dashboard_counts_licence_requests_without_proposals(client, proposal):
    client.force_login(make_staff())
    body = client.get(reverse("dashboard")).content.decode()
    assert "0 open licence requests" in body
