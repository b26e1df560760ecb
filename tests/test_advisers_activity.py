"""The activity pages for JPO: counts per assignment, scores before and after, CSV."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from advisers import services
from advisers.models import ShortlistEntry
from licensing.models import Agreement, LicenceRequest
from listings.lifecycle import Status
from matching.models import Match
from tests.adviser_factories import make_assignment
from tests.factories import make_need, make_organization, make_staff, make_technology, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity():
    assignment = make_assignment(days_before=5, days_after=30)
    university = assignment.organization
    owner = make_user(organization=university)
    technology = make_technology(university, status=Status.DRAFT, benefits="Cheaper.")
    old = make_technology(university, title="Before the assignment")
    old.created_at = timezone.now() - datetime.timedelta(days=60)
    old.save(update_fields=["created_at"])
    data = {"benefits": "30 % cheaper than the current process."}
    proposal = services.propose_edit(technology, assignment.adviser, data)
    services.accept_proposal(proposal, owner)
    services.propose_edit(technology, assignment.adviser, {"trl": 6})
    company = make_organization(type="company")
    ShortlistEntry.objects.create(
        technology=technology, partner=company, added_by=assignment.adviser
    )
    agreed = LicenceRequest.objects.create(
        technology=old, requester_organization=company, purpose="licence", message="Hello",
        status=LicenceRequest.Status.AGREED, closed_at=timezone.now(),
    )  # fmt: skip
    Agreement.objects.create(
        request=agreed, type=Agreement.Type.LICENCE, signed_on=timezone.localdate(),
        recorded_by_side="owner", confirmed_at=timezone.now(),
    )  # fmt: skip
    Match.objects.create(
        need=make_need(company), technology=old, confirmed=True, confirmed_at=timezone.now()
    )
    # Another adviser's assignment elsewhere counts nothing here.
    make_assignment()
    return assignment, proposal


def test_counts_per_assignment(client, activity):
    assignment, proposal = activity
    client.force_login(make_staff())
    url = reverse("advisers:activity_adviser", args=[assignment.adviser.pk])
    response = client.get(url)
    rows = response.context["rows"]
    assert len(rows) == 1
    assert rows[0].counts == {
        "listings_added": 1,
        "listings_improved": 1,
        "proposals": 2,
        "proposals_accepted": 1,
        "partners_shortlisted": 1,
        "licence_requests": 1,
        "confirmed_matches": 1,
        "agreements": 1,
    }
    page = response.content.decode()
    assert f"{proposal.score_before} → {proposal.score_after}" in page
    assert proposal.score_after > proposal.score_before


def test_activity_query_count_is_constant(client, activity, django_assert_num_queries):
    client.force_login(make_staff())
    url = reverse("advisers:activity")
    client.get(url)
    with django_assert_num_queries(6):
        client.get(url)
    for _ in range(3):
        make_assignment()
    with django_assert_num_queries(6):
        client.get(url)


def test_activity_csv_per_organisation(client, activity):
    assignment, proposal = activity
    client.force_login(make_staff())
    url = reverse("advisers:activity_organization", args=[assignment.organization.slug])
    response = client.get(url + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "IP adviser"
    assert rows[1][1] == assignment.adviser.email
    assert rows[1][5:13] == ["1", "1", "2", "1", "1", "1", "1", "1"]
    assert f"{proposal.score_before}→{proposal.score_after}" in rows[1][13]
