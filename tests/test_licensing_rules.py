"""The rules of licence requests, through the services every view uses."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from accounts.models import Membership, Organization
from licensing import services
from licensing.forms import LicenceRequestForm
from licensing.models import LicenceRequest, RequestMessage
from licensing.selectors import unread_count
from listings.lifecycle import Status as ListingStatus
from tests.factories import make_member, make_staff, make_technology, make_user

pytestmark = pytest.mark.django_db


Status = LicenceRequest.Status


@pytest.fixture
def parties():
    """A university with an author and an administrator, a company with a member and an
    administrator, and a published technology of the university."""
    university = make_member(type=Organization.Type.UNIVERSITY, name="Kyoto Tech University")
    uni = university.organization
    uni_admin = make_user(organization=uni, role=Membership.Role.ADMIN)
    company = make_member(type=Organization.Type.COMPANY, name="Osaka Motors")
    company_admin = make_user(organization=company.organization, role=Membership.Role.ADMIN)
    technology = make_technology(uni, author=university, title="Solid-state hydrogen tank")
    return {
        "university": university,
        "uni_admin": uni_admin,
        "company": company,
        "company_admin": company_admin,
        "technology": technology,
    }


def send(user, technology, **kwargs):
    kwargs.setdefault("purpose", LicenceRequest.Purpose.LICENCE)
    kwargs.setdefault("message", "We would like a licence for cars.")
    return services.send_request(user, technology, **kwargs)


def test_verified_member_of_another_organisation_sends_a_request(parties):
    request = send(parties["company"], parties["technology"], territory=" Japan ")
    assert request.status == Status.OPEN
    assert request.requester_organization == parties["company"].organization
    assert request.territory == "Japan"


def addressees() -> list[str]:
    """Who the sent mail reached (one message per recipient, in their language)."""
    assert all(len(message.to) == 1 for message in mail.outbox)
    return sorted(message.to[0] for message in mail.outbox)


def test_new_request_emails_the_owner_side_only(parties, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(parties["company"], parties["technology"])
    assert addressees() == sorted([parties["university"].email, parties["uni_admin"].email])
    for message in mail.outbox:
        assert "Osaka Motors" in message.body
        assert "/requests/" in message.body


def test_duplicate_open_request_is_refused_by_the_service(parties):
    send(parties["company"], parties["technology"])
    with pytest.raises(services.RequestError, match="already has an open request"):
        send(parties["company_admin"], parties["technology"])
    assert LicenceRequest.objects.count() == 1


def test_duplicate_open_request_is_refused_by_the_database(parties):
    first = send(parties["company"], parties["technology"])
    with pytest.raises(IntegrityError), transaction.atomic():
        LicenceRequest.objects.create(
            technology=first.technology,
            requester_organization=first.requester_organization,
            purpose=LicenceRequest.Purpose.MORE_INFORMATION,
            message="Again",
            status=Status.IN_DISCUSSION,
        )


def test_duplicate_open_request_is_refused_by_the_form(parties):
    send(parties["company"], parties["technology"])
    form = LicenceRequestForm(
        {"purpose": "licence", "message": "Hello again"},
        organization=parties["company"].organization,
        technology=parties["technology"],
    )
    assert not form.is_valid()
    assert "already has an open request" in str(form.non_field_errors())


def test_a_new_request_is_possible_after_the_last_one_is_closed(parties):
    first = send(parties["company"], parties["technology"])
    services.change_status(first, parties["company"], Status.WITHDRAWN, reason="terms")
    second = send(parties["company"], parties["technology"])
    assert second.pk != first.pk
    assert LicenceRequest.objects.open().get() == second


def test_request_on_own_organisation_technology_is_refused(parties):
    with pytest.raises(services.RequestError, match="belongs to your organisation"):
        send(parties["uni_admin"], parties["technology"])


def test_unverified_user_is_refused(parties):
    unverified = make_user(organization=parties["company"].organization, verified=False)
    with pytest.raises(services.RequestError, match="verified members"):
        send(unverified, parties["technology"])


def test_user_without_active_membership_is_refused(parties):
    pending = make_user(organization=make_member().organization, status=Membership.Status.PENDING)
    with pytest.raises(services.RequestError):
        send(pending, parties["technology"])


def test_unpublished_technology_is_refused(parties):
    draft = make_technology(parties["university"].organization, status=ListingStatus.DRAFT)
    with pytest.raises(services.RequestError, match="published technologies"):
        send(parties["company"], draft)


def test_owner_reply_moves_request_to_in_discussion_and_emails_the_requester_side(
    parties, django_capture_on_commit_callbacks
):
    request = send(parties["company"], parties["technology"])
    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(request, parties["university"], "Happy to talk. When?")
    request.refresh_from_db()
    assert request.status == Status.IN_DISCUSSION
    assert addressees() == sorted([parties["company"].email, parties["company_admin"].email])
    assert "Happy to talk" in mail.outbox[0].body


def test_messages_email_the_other_side_but_not_the_writer(
    parties, django_capture_on_commit_callbacks
):
    request = send(parties["company"], parties["technology"])
    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(request, parties["company_admin"], "Any news?")
    assert addressees() == sorted([parties["university"].email, parties["uni_admin"].email])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(request, parties["uni_admin"], "Yes, soon.")
    assert addressees() == sorted([parties["company"].email, parties["company_admin"].email])
    request.refresh_from_db()
    assert request.status == Status.IN_DISCUSSION


def test_only_owner_agrees_or_declines_and_only_requester_withdraws(
    parties, django_capture_on_commit_callbacks
):
    request = send(parties["company"], parties["technology"])
    with pytest.raises(services.RequestError):
        services.change_status(request, parties["company"], Status.AGREED)
    with pytest.raises(services.RequestError):
        services.change_status(request, parties["university"], Status.WITHDRAWN)
    with pytest.raises(services.RequestError):
        services.change_status(request, parties["university"], Status.IN_DISCUSSION)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request = services.change_status(request, parties["university"], Status.AGREED, "Signed.")
    assert request.status == Status.AGREED
    assert request.closed_at is not None
    assert addressees() == sorted([parties["company"].email, parties["company_admin"].email])
    assert "Agreed" in mail.outbox[0].subject
    entry = RequestMessage.objects.get(request=request)
    assert (entry.new_status, entry.body) == (Status.AGREED, "Signed.")


def test_closed_request_accepts_no_messages_and_no_further_decisions(parties):
    request = send(parties["company"], parties["technology"])
    services.change_status(request, parties["university"], Status.DECLINED, reason="terms")
    with pytest.raises(services.RequestError, match="closed"):
        services.post_message(request, parties["company"], "But why?")
    with pytest.raises(services.RequestError, match="already closed"):
        services.change_status(request, parties["company"], Status.WITHDRAWN)
    assert RequestMessage.objects.filter(body="But why?").count() == 0


def test_outsiders_and_staff_may_not_write_or_decide(parties):
    request = send(parties["company"], parties["technology"])
    for user in (make_member(), make_staff()):
        with pytest.raises(services.RequestError):
            services.post_message(request, user, "Hello")
        with pytest.raises(services.RequestError):
            services.change_status(request, user, Status.DECLINED, reason="terms")


def test_empty_message_is_refused(parties):
    request = send(parties["company"], parties["technology"])
    with pytest.raises(services.RequestError):
        services.post_message(request, parties["company"], "   ")


def test_unread_counts_per_side(parties):
    uni, company = parties["university"], parties["company"]
    request = send(company, parties["technology"])
    assert unread_count(uni.organization) == 1  # a new, unopened request
    assert unread_count(company.organization) == 0
    services.mark_read(request, uni)
    assert unread_count(uni.organization) == 0
    services.post_message(request, uni, "Hello")
    services.post_message(request, uni, "And more")
    assert unread_count(company.organization) == 2
    assert unread_count(uni.organization) == 0
    services.mark_read(request, company)
    assert unread_count(company.organization) == 0
    services.mark_read(request, make_staff())  # staff reading changes nothing
    services.post_message(request, company, "Thanks")
    assert unread_count(uni.organization) == 1


def test_visible_to_scopes_requests_to_the_two_organisations_and_staff(parties):
    request = send(parties["company"], parties["technology"])
    for user in (parties["company"], parties["uni_admin"], make_staff()):
        assert list(LicenceRequest.objects.visible_to(user)) == [request]
    assert not LicenceRequest.objects.visible_to(make_member()).exists()
    assert not LicenceRequest.objects.visible_to(make_user()).exists()
