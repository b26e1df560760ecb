"""Why not: every path that passes on something asks for a reason from the fixed list; the
provider sees counts per technology and for its organisation (names only when shared), staff
see totals, the statistics publish reasons by field from three organisations upwards."""

import pytest
from django.urls import reverse

from accounts.models import Organization
from licensing import services
from licensing.models import DeclineFeedback, DeclineReason, LicenceRequest
from matching.models import Match
from opendata import stats
from tests.factories import make_member, make_need, make_staff, make_technology

pytestmark = pytest.mark.django_db
Status = LicenceRequest.Status
Path = DeclineFeedback.Path


@pytest.fixture
def provider():
    return make_member(type=Organization.Type.UNIVERSITY, name="Tohoku Institute")


@pytest.fixture
def company():
    return make_member(type=Organization.Type.COMPANY, name="Nagoya Ceramics")


@pytest.fixture
def technology(provider):
    return make_technology(provider.organization, author=provider, title="Ceramic membrane")


def send(user, technology):
    return services.send_request(
        user, technology, purpose=LicenceRequest.Purpose.LICENCE, message="Terms?"
    )


def status_url(request):
    return reverse("licensing:request_status", args=[request.pk])


# Each path --------------------------------------------------------------------------------


def test_requester_withdrawing_needs_a_reason_and_keeps_the_note(client, company, technology):
    request = send(company, technology)
    client.force_login(company)
    response = client.post(status_url(request), {"status": "withdrawn", "note": "Too costly"})
    assert response.status_code == 400
    assert "Please choose a reason from the list." in response.content.decode()
    assert "Too costly" in response.content.decode()  # what was typed is kept
    request.refresh_from_db()
    assert request.status == Status.OPEN
    assert not DeclineFeedback.objects.exists()

    response = client.post(
        status_url(request), {"status": "withdrawn", "note": "Too costly", "reason": "terms"}
    )
    assert response.status_code == 302
    feedback = DeclineFeedback.objects.get()
    assert (feedback.path, feedback.reason, feedback.note) == (
        Path.REQUEST_WITHDRAWN,
        "terms",
        "Too costly",
    )
    assert feedback.recipient_organization == technology.organization
    assert feedback.decliner_organization == company.organization
    assert feedback.technology == technology
    assert feedback.licence_request == request
    assert not feedback.share_name


def test_owner_declining_a_request_gives_the_requester_a_reason(company, provider, technology):
    request = send(company, technology)
    with pytest.raises(services.RequestError):
        services.change_status(request, provider, Status.DECLINED)
    services.change_status(request, provider, Status.DECLINED, reason="outside_field")
    feedback = DeclineFeedback.objects.get()
    assert feedback.path == Path.REQUEST_DECLINED
    assert feedback.recipient_organization == company.organization
    assert feedback.decliner_organization == provider.organization


def test_unknown_reason_is_refused(company, technology):
    request = send(company, technology)
    with pytest.raises(services.RequestError):
        services.change_status(request, company, Status.WITHDRAWN, reason="because")
    assert not DeclineFeedback.objects.exists()


def test_need_owner_declining_a_proposal_tells_the_provider(company, provider, technology):
    need = make_need(company.organization, author=company)
    proposal = services.send_proposal(provider, need, technology=technology, message="Ours fits.")
    with pytest.raises(services.RequestError):
        services.change_status(proposal, company, Status.DECLINED)
    services.change_status(proposal, company, Status.DECLINED, reason="too_early")
    feedback = DeclineFeedback.objects.get()
    assert feedback.path == Path.PROPOSAL_DECLINED
    assert feedback.technology == technology
    assert feedback.recipient_organization == provider.organization


def test_provider_withdrawing_its_own_proposal_gives_no_reason(company, provider, technology):
    need = make_need(company.organization, author=company)
    proposal = services.send_proposal(provider, need, technology=technology, message="Ours fits.")
    services.change_status(proposal, provider, Status.WITHDRAWN)
    assert not DeclineFeedback.objects.exists()


def test_dismissing_a_suggestion_asks_why_and_keeps_the_note(client, company, technology):
    need = make_need(company.organization, author=company)
    client.force_login(company)
    pair = {"need": need.pk, "technology": technology.pk, "note": "Not for us"}
    response = client.post(reverse("matching:dismiss"), pair)
    assert response.status_code == 400
    assert "Not for us" in response.content.decode()
    assert not Match.objects.filter(dismissed_by_need_owner=True).exists()

    response = client.post(
        reverse("matching:dismiss"), pair | {"reason": "benefit_unclear", "share_name": "on"}
    )
    assert response.status_code == 302
    assert Match.objects.get().dismissed_by_need_owner
    feedback = DeclineFeedback.objects.get()
    assert feedback.path == Path.SUGGESTION_DISMISSED
    assert feedback.technology == technology
    assert feedback.recipient_organization == technology.organization
    assert feedback.share_name


def test_technology_owner_dismissing_a_need_tells_the_need_owner(company, provider, technology):
    from matching import services as matching_services

    need = make_need(company.organization, author=company)
    matching_services.dismiss(need, technology, provider, reason="route_unclear")
    feedback = DeclineFeedback.objects.get()
    assert feedback.need == need and feedback.technology is None
    assert feedback.recipient_organization == company.organization


def test_suggestion_on_the_need_page_offers_the_reason_list(client, company, provider):
    need = make_need(
        company.organization,
        author=company,
        title="Hydrogen storage tank for small fuel cell vehicles",
        description="We need a light hydrogen storage tank.",
        fields=("hydrogen-fuel-cells",),
    )
    make_technology(
        provider.organization,
        title="Lightweight hydrogen storage tank",
        summary="A composite hydrogen storage tank for fuel cell vehicles.",
        fields=("hydrogen-fuel-cells",),
    )
    client.force_login(company)
    page = client.get(need.get_absolute_url()).content.decode()
    assert "Lightweight hydrogen storage tank" in page
    assert 'name="reason"' in page
    assert "Outside our field or strategy" in page


# Who sees what ----------------------------------------------------------------------------


def give(decliner, technology, reason, *, share=False):
    request = send(decliner, technology)
    return services.change_status(
        request,
        decliner,
        Status.WITHDRAWN,
        "note from " + str(decliner.organization),
        reason=reason,
        share_name=share,
    )


def test_provider_sees_counts_per_technology_and_names_only_when_shared(
    client, provider, technology
):
    other = make_technology(provider.organization, author=provider, title="Porous glass")
    anonymous = make_member(type=Organization.Type.COMPANY, name="Secret Motors")
    sharing = make_member(type=Organization.Type.COMPANY, name="Open Robotics")
    give(anonymous, technology, "terms")
    give(sharing, technology, "terms", share=True)
    give(anonymous, other, "ip_unclear")

    client.force_login(provider)
    response = client.get(reverse("licensing:feedback"))
    assert response.status_code == 200
    report = response.context["report"]
    reasons = DeclineReason.values
    rows = {row["title"]: row for row in report["rows"]}
    assert rows["Ceramic membrane"]["counts"][reasons.index("terms")] == 2
    assert rows["Porous glass"]["counts"][reasons.index("ip_unclear")] == 1
    assert report["total"] == 3
    html = response.content.decode()
    assert "Open Robotics" in html
    assert "Secret Motors" not in html
    assert "note from Secret Motors" not in html  # a note could name the anonymous decliner


def test_feedback_page_queries_do_not_grow(client, provider, technology):
    client.force_login(provider)
    client.get(reverse("licensing:feedback"))
    for n in range(3):
        give(make_member(type=Organization.Type.COMPANY), technology, "terms", share=n % 2 == 0)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("licensing:feedback"))
    for _n in range(4):
        tech = make_technology(provider.organization, author=provider)
        give(make_member(type=Organization.Type.COMPANY), tech, "too_early", share=True)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("licensing:feedback"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_decliner_does_not_see_the_feedback_it_gave(client, provider, technology):
    company = make_member(type=Organization.Type.COMPANY)
    give(company, technology, "terms")
    client.force_login(company)
    assert client.get(reverse("licensing:feedback")).context["report"]["total"] == 0


def test_staff_see_totals_and_members_may_not(client, provider, technology):
    give(make_member(type=Organization.Type.COMPANY), technology, "terms")
    give(make_member(type=Organization.Type.COMPANY), technology, "other")
    client.force_login(provider)
    assert client.get(reverse("licensing:moderator_feedback")).status_code == 403
    client.force_login(make_staff())
    response = client.get(reverse("licensing:moderator_feedback"))
    assert response.status_code == 200
    assert response.context["report"]["total"] == 2
    assert "Licence request withdrawn" in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("licensing:feedback"))
    assert response.status_code == 302 and "login" in response["Location"]


# Statistics -------------------------------------------------------------------------------


def reasons_in_field(slug="alternative-energy"):
    data = stats.apply_privacy_rule(stats.compute_statistics())
    return next(r for r in data["decline_reasons_by_field"] if r["slug"] == slug)


def test_statistics_publish_a_reason_only_from_three_organisations(client, technology):
    first = make_member(type=Organization.Type.COMPANY)
    give(first, technology, "terms")
    give(make_member(type=Organization.Type.COMPANY), technology, "terms")
    # One organisation twice (another technology) is still two organisations.
    give(first, make_technology(technology.organization), "terms")
    assert reasons_in_field()["terms"] is None
    give(make_member(type=Organization.Type.COMPANY), technology, "terms")
    assert reasons_in_field()["terms"] == 4
    assert reasons_in_field()["too_early"] is None

    page = client.get("/statistics/").content.decode()
    assert "Why organisations passed, by field" in page
    api = client.get(reverse("api:statistics")).json()
    solar = next(r for r in api["decline_reasons_by_field"] if r["slug"] == "alternative-energy")
    assert solar["terms"] == 4 and solar["other"] is None
    csv = client.get(reverse("opendata:statistics_csv", args=["decline-reasons"]))
    lines = b"".join(csv.streaming_content).decode().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("field,too_early")
    solar_line = next(line for line in lines if line.startswith("alternative-energy,"))
    assert solar_line.split(",")[1 + DeclineReason.values.index("terms")] == "4"
