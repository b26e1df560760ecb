"""Who reaches a university's workbench: the access matrix of the adviser programme."""

import pytest
from django.urls import reverse

from accounts.models import Organization
from advisers.models import Comment, Proposal, ShortlistEntry, StrategyNote
from listings.lifecycle import Status
from tests.adviser_factories import make_assignment
from tests.factories import make_member, make_organization, make_staff, make_technology, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def university():
    return make_organization(type=Organization.Type.UNIVERSITY, name="Tohoku Example University")


@pytest.fixture
def draft(university):
    technology = make_technology(university, status=Status.DRAFT, title="Unpublished seed")
    Comment.objects.create(technology=technology, body="A private remark")
    StrategyNote.objects.create(technology=technology, body="File a PCT application first")
    return technology


def workbench_urls(technology):
    company = make_organization(type=Organization.Type.COMPANY)
    entry = ShortlistEntry.objects.create(technology=technology, partner=company)
    proposal = Proposal.objects.create(
        technology=technology, data={"benefits": "x"}, score_before=1, score_after=2
    )
    return {
        "get": [
            reverse("advisers:organization", args=[technology.organization.slug]),
            reverse("advisers:technology", args=[technology.pk]),
            reverse("advisers:partners", args=[technology.pk]),
            reverse("advisers:shortlist_csv", args=[technology.pk]),
        ],
        "post": [
            reverse("advisers:comment_add", args=[technology.pk]),
            reverse("advisers:note_add", args=[technology.pk]),
            reverse("advisers:shortlist_annotate", args=[entry.pk]),
            reverse("advisers:shortlist_remove", args=[entry.pk]),
            reverse("advisers:proposal_accept", args=[proposal.pk]),
            reverse("advisers:proposal_decline", args=[proposal.pk]),
        ],
    }


def assert_sees(client, urls, technology):
    for url in urls["get"]:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("advisers:technology", args=[technology.pk])).content.decode()
    assert "Unpublished seed" in page
    assert "A private remark" in page
    assert "File a PCT application first" in page


def assert_404_everywhere(client, urls):
    for url in urls["get"]:
        assert client.get(url).status_code == 404, url
    for url in urls["post"]:
        assert client.post(url, {"body": "x", "note": "x"}).status_code == 404, url


def test_current_adviser_sees_the_unpublished_seed_notes_and_comments(client, university, draft):
    adviser = make_assignment(university).adviser
    client.force_login(adviser)
    assert_sees(client, workbench_urls(draft), draft)


def test_member_of_the_university_sees_its_workbench(client, university, draft):
    member = make_member()
    member.memberships.update(organization=university)
    client.force_login(member)
    assert_sees(client, workbench_urls(draft), draft)


def test_staff_see_every_workbench(client, draft):
    client.force_login(make_staff())
    assert_sees(client, workbench_urls(draft), draft)


def test_adviser_after_the_assignment_ended_gets_404(client, university, draft):
    assignment = make_assignment(university, days_before=30, days_after=-1)
    client.force_login(assignment.adviser)
    assert_404_everywhere(client, workbench_urls(draft))


def test_adviser_before_the_assignment_starts_gets_404(client, university, draft):
    assignment = make_assignment(university, days_before=-5, days_after=30)
    client.force_login(assignment.adviser)
    assert_404_everywhere(client, workbench_urls(draft))


def test_ending_an_assignment_stops_access_at_once(client, university, draft):
    from advisers.services import end_assignment

    assignment = make_assignment(university)
    urls = workbench_urls(draft)
    client.force_login(assignment.adviser)
    assert client.get(urls["get"][1]).status_code == 200
    end_assignment(assignment, make_staff())
    assert client.get(urls["get"][1]).status_code == 404


def test_adviser_of_another_university_gets_404(client, draft):
    adviser = make_assignment(make_organization()).adviser
    client.force_login(adviser)
    assert_404_everywhere(client, workbench_urls(draft))


def test_member_of_another_organisation_gets_404(client, draft):
    client.force_login(make_member(type=Organization.Type.COMPANY))
    assert_404_everywhere(client, workbench_urls(draft))


def test_signed_in_user_without_organisation_gets_404(client, draft):
    client.force_login(make_user())
    assert_404_everywhere(client, workbench_urls(draft))
    assert client.get(reverse("advisers:home")).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in_and_sees_nothing(client, draft):
    urls = workbench_urls(draft)
    for url in urls["get"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_adviser_does_not_see_unpublished_listing_of_other_organisation_via_public_page(
    client, university, draft
):
    """Advisers are not members: the public detail page stays closed for an unpublished seed."""
    adviser = make_assignment(university).adviser
    client.force_login(adviser)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_only_advisers_propose_edits(client, university, draft):
    member = make_member()
    member.memberships.update(organization=university)
    client.force_login(member)
    assert client.get(reverse("advisers:propose", args=[draft.pk])).status_code == 403
    client.force_login(make_member(type=Organization.Type.COMPANY))
    assert client.get(reverse("advisers:propose", args=[draft.pk])).status_code == 404


def test_staff_pages_are_refused_to_advisers_and_members(client, university):
    adviser = make_assignment(university).adviser
    for user in (adviser, make_member()):
        client.force_login(user)
        for name in ("advisers:assignment_list", "advisers:assignment_create", "advisers:activity"):
            assert client.get(reverse(name)).status_code == 403


def test_staff_appoint_and_end_with_a_log(
    client, university, mailoutbox, django_capture_on_commit_callbacks
):
    adviser = make_user(email="adviser@example.org")
    staff = make_staff()
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("advisers:assignment_create"),
            {
                "adviser_email": "Adviser@example.org",
                "organizations": [university.pk],
                "start": "2026-01-01",
                "end": "2030-12-31",
            },
        )
    assert response.status_code == 302
    assignment = adviser.adviser_assignments.get()
    assert assignment.appointed_by == staff
    assert mailoutbox[-1].to == ["adviser@example.org"]
    client.post(reverse("advisers:assignment_end", args=[assignment.pk]))
    assignment.refresh_from_db()
    assert not assignment.is_current()
    actions = list(assignment.events.values_list("action", flat=True))
    assert actions == ["ended", "appointed"]


def test_appointing_refuses_an_unknown_account_and_a_backwards_period(client, university):
    client.force_login(make_staff())
    response = client.post(
        reverse("advisers:assignment_create"),
        {
            "adviser_email": "nobody@example.org",
            "organizations": [university.pk],
            "start": "2026-05-01",
            "end": "2026-04-01",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "No active account has this e-mail address." in page
    assert "The last day must not be before the first day." in page
    assert 'value="nobody@example.org"' in page


def test_adviser_home_lists_only_current_assignments(client, university):
    other = make_organization(name="Second University")
    ended = make_organization(name="Former University")
    adviser = make_assignment(university).adviser
    make_assignment(other, adviser)
    make_assignment(ended, adviser, days_before=60, days_after=-10)
    client.force_login(adviser)
    page = client.get(reverse("advisers:home")).content.decode()
    assert "Tohoku Example University" in page and "Second University" in page
    assert "Former University" not in page
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "Second University" in dashboard and "Former University" not in dashboard


def test_workbench_link_on_the_detail_page_for_members_only(client, university):
    technology = make_technology(university)
    url = reverse("advisers:technology", args=[technology.pk])
    member = make_member()
    member.memberships.update(organization=university)
    client.force_login(member)
    assert url in client.get(technology.get_absolute_url()).content.decode()
    client.force_login(make_member(type=Organization.Type.COMPANY))
    assert url not in client.get(technology.get_absolute_url()).content.decode()


def test_a_member_cannot_be_appointed_adviser_of_their_own_organisation(university):
    from advisers.services import AdviserError

    member = make_member()
    member.memberships.update(organization=university)
    member = type(member).objects.get(pk=member.pk)
    with pytest.raises(AdviserError):
        make_assignment(university, member)


def test_changing_the_period_is_logged(client, university):
    assignment = make_assignment(university)
    client.force_login(make_staff())
    url = reverse("advisers:assignment", args=[assignment.pk])
    response = client.post(url, {"start": "2026-01-01", "end": "2025-01-01"})
    assert response.status_code == 400
    client.post(url, {"start": "2026-01-01", "end": "2031-03-31"})
    assignment.refresh_from_db()
    assert str(assignment.end) == "2031-03-31"
    log = list(assignment.events.values_list("action", "end"))
    assert log[0][0] == "changed" and str(log[0][1]) == "2031-03-31"
    assert log[1][0] == "appointed"


def test_workbench_pages_keep_their_query_count(client, university):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from advisers.services import add_comment, add_note, propose_edit

    adviser = make_assignment(university).adviser
    client.force_login(adviser)
    first = make_technology(university, status=Status.DRAFT)
    seeds_url = reverse("advisers:organization", args=[university.slug])
    technology_url = reverse("advisers:technology", args=[first.pk])

    def counts():
        with CaptureQueriesContext(connection) as seeds:
            assert client.get(seeds_url).status_code == 200
        with CaptureQueriesContext(connection) as page:
            assert client.get(technology_url).status_code == 200
        return len(seeds), len(page)

    before = counts()
    for n in range(4):
        technology = make_technology(university, status=Status.DRAFT, title=f"Seed {n}")
        propose_edit(technology, adviser, {"benefits": "30 % cheaper"})
        propose_edit(first, adviser, {"benefits": f"{n} % cheaper"})
        add_comment(first, adviser, f"Comment {n}")
        add_note(first, adviser, f"Note {n}")
    assert counts() == before
