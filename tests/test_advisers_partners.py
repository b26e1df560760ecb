"""Partner search: ranking on a small fixture, reasons, privacy, shortlist and its query count."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import Organization
from advisers import partners
from advisers.models import ShortlistEntry
from licensing.models import LicenceRequest
from listings.lifecycle import Status
from tests.adviser_factories import make_assignment
from tests.factories import make_need, make_organization, make_technology, make_user

pytestmark = pytest.mark.django_db

COMPANY = Organization.Type.COMPANY


def request_licence(technology, organization):
    return LicenceRequest.objects.create(
        technology=technology,
        requester_organization=organization,
        purpose=LicenceRequest.Purpose.LICENCE,
        message="We would like to license this.",
    )


@pytest.fixture
def fixture():
    """A perovskite technology of a university; companies with various links to it."""
    university = make_organization(name="Kyoto Example University", country="JP")
    technology = make_technology(
        university,
        status=Status.DRAFT,
        title="Low-temperature perovskite solar cell ink",
        summary="A perovskite ink printed at low temperature for flexible solar cells.",
        description="Perovskite solar cell ink printed on plastic film.",
        fields=("solar",),
        countries=["JP", "DE"],
    )
    needer = make_organization(name="Needer Solar KK", type=COMPANY, country="US")
    make_need(
        needer,
        title="Perovskite ink for flexible solar cells",
        description="We need a perovskite solar cell ink printable at low temperature on film.",
        fields=("solar",),
    )
    requester = make_organization(name="Requester GmbH", type=COMPANY, country="FR")
    other_tech = make_technology(fields=("solar",), title="Secret-ish solar thing")
    request_licence(other_tech, requester)
    german = make_organization(name="Berlin Coatings GmbH", type=COMPANY, country="DE")
    far = make_organization(name="Unrelated Brazil Ltda", type=COMPANY, country="BR")
    draft_needer = make_organization(name="Draft Need Corp", type=COMPANY, country="US")
    make_need(
        draft_needer,
        status=Status.DRAFT,
        title="Perovskite ink for flexible solar cells (draft)",
        description="We need a perovskite solar cell ink printable at low temperature on film.",
        fields=("solar",),
    )
    return {
        "technology": technology,
        "needer": needer,
        "requester": requester,
        "german": german,
        "far": far,
        "draft_needer": draft_needer,
        "other_tech": other_tech,
    }


def test_candidates_are_ranked_with_a_reason_each(fixture):
    ranked = partners.find_partners(fixture["technology"])
    names = [c.organization.name for c in ranked]
    assert names[:3] == ["Needer Solar KK", "Requester GmbH", "Berlin Coatings GmbH"]
    assert all(c.reasons for c in ranked)
    needer, requester, german = ranked[:3]
    assert "Perovskite ink for flexible solar cells" in needer.reason_text
    assert "same field" in requester.reason_text
    assert "Germany" in german.reason_text


def test_never_shows_what_an_outsider_may_not_see(fixture):
    ranked = partners.find_partners(fixture["technology"])
    names = [c.organization.name for c in ranked]
    text = " ".join(c.reason_text for c in ranked)
    assert "Draft Need Corp" not in names  # its only need is an unpublished draft
    assert "(draft)" not in text
    assert fixture["other_tech"].title not in text  # a licence request is private to its parties
    assert "Kyoto Example University" not in names  # never the owner itself
    assert "Unrelated Brazil Ltda" not in names


def test_a_request_on_an_unpublished_technology_is_not_counted(fixture):
    hidden = make_technology(status=Status.DRAFT, fields=("solar",))
    quiet = make_organization(name="Quiet Corp", type=COMPANY, country="BR")
    request_licence(hidden, quiet)
    names = [c.organization.name for c in partners.find_partners(fixture["technology"])]
    assert "Quiet Corp" not in names


def test_members_following_listings_in_the_field_make_their_organisation_a_candidate(fixture):
    from alerts.models import Follow

    follower_org = make_organization(name="Follower KK", type=COMPANY, country="BR")
    member = make_user(organization=follower_org)
    solar_a = make_technology(fields=("solar",), title="Solar A")
    solar_b = make_technology(fields=("solar",), title="Solar B")
    unrelated = make_technology(fields=("desalination",), title="Desalination C")
    for listing in (solar_a, solar_b, unrelated):
        Follow.objects.create(user=member, technology=listing)
    ranked = {c.organization.name: c for c in partners.find_partners(fixture["technology"])}
    assert "Follows 2 listings in these fields" in ranked["Follower KK"].reason_text
    assert "Desalination C" not in ranked["Follower KK"].reason_text  # counts only, never what


def test_follows_plug_in_through_one_function(fixture, monkeypatch):
    follower = make_organization(name="Follower KK", type=COMPANY, country="BR")
    monkeypatch.setattr(partners, "follower_counts", lambda *args: {follower.pk: 2})
    ranked = {c.organization.name: c for c in partners.find_partners(fixture["technology"])}
    assert "Follows 2 listings in these fields" in ranked["Follower KK"].reason_text


def test_partner_page_query_count_does_not_grow_with_candidates(
    client, fixture, django_assert_num_queries
):
    technology = fixture["technology"]
    adviser = make_assignment(technology.organization).adviser
    client.force_login(adviser)
    url = reverse("advisers:partners", args=[technology.pk])
    client.get(url)  # warm the matching representation
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for n in range(6):
        company = make_organization(name=f"More Solar {n}", type=COMPANY, country="DE")
        make_need(
            company,
            title=f"Perovskite solar ink {n}",
            description="A perovskite solar cell ink printable on film.",
            fields=("solar",),
        )
        request_licence(fixture["other_tech"], company)
    with CaptureQueriesContext(connection) as large:
        page = client.get(url).content.decode()
    assert "More Solar 5" in page
    assert len(large) == len(small), [q["sql"][:120] for q in large]
    # Session, user, organisation, matching's fixed queries, the four sources, the shortlist.
    with django_assert_num_queries(23):
        client.get(url)


def test_shortlist_save_annotate_remove_and_csv(client, fixture):
    technology = fixture["technology"]
    adviser = make_assignment(technology.organization).adviser
    client.force_login(adviser)
    url = reverse("advisers:partners", args=[technology.pk])
    client.post(url, {"partner": fixture["needer"].pk, "note": "Call in January"})
    entry = ShortlistEntry.objects.get()
    assert entry.added_by == adviser
    assert "Perovskite ink for flexible solar cells" in entry.reason
    client.post(reverse("advisers:shortlist_annotate", args=[entry.pk]), {"note": "Met at CEATEC"})
    entry.refresh_from_db()
    assert entry.note == "Met at CEATEC"
    response = client.get(reverse("advisers:shortlist_csv", args=[technology.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][0] == "Needer Solar KK" and rows[1][4] == "Met at CEATEC"
    client.post(reverse("advisers:shortlist_remove", args=[entry.pk]))
    assert not ShortlistEntry.objects.exists()


def test_shortlisting_an_organisation_that_is_not_a_candidate_is_refused(client, fixture):
    technology = fixture["technology"]
    client.force_login(make_assignment(technology.organization).adviser)
    url = reverse("advisers:partners", args=[technology.pk])
    response = client.post(url, {"partner": fixture["draft_needer"].pk}, follow=True)
    assert "This organisation is not among the candidates." in response.content.decode()
    assert not ShortlistEntry.objects.exists()
    response = client.post(url, {"partner": "abc"})
    assert response.status_code == 302


def test_member_of_the_university_uses_partner_search_too(client, fixture):
    technology = fixture["technology"]
    client.force_login(make_user(organization=technology.organization))
    page = client.get(reverse("advisers:partners", args=[technology.pk])).content.decode()
    assert "Needer Solar KK" in page
