"""JPO staff on their profile and dashboard; join requests for organisation administrators."""

import re

import pytest
from django.urls import reverse

from accounts.models import Membership
from licensing import services as licensing
from licensing.models import LicenceRequest
from listings.lifecycle import Status
from listings.revisions import PendingRevision, store
from tests.factories import make_member, make_need, make_technology, make_user

pytestmark = pytest.mark.django_db


def test_staff_profile_says_jpo_staff_not_awaiting_approval(client, staff):
    client.force_login(staff)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "None yet" not in html
    assert "JPO moderator" in html


def test_member_without_organisation_still_reads_awaiting_approval(client):
    client.force_login(make_user())
    assert "None yet" in client.get(reverse("accounts:profile")).content.decode()


def add_work(n):
    """n of each thing the staff dashboard counts."""
    for _ in range(n):
        make_technology(status=Status.SUBMITTED)
        make_need(status=Status.SUBMITTED)
        store(make_technology(), PendingRevision.submitted({}))
        make_need()  # open, on the matching board
        licensing.send_request(
            make_member(), make_technology(), purpose=LicenceRequest.Purpose.LICENCE, message="Hi"
        )


def staff_section(html: str) -> str:
    return re.search(r'<ul class="dashboard-counts">.*?</ul>', html, re.S).group(0)


def test_staff_dashboard_counts_with_links(client, staff):
    add_work(2)
    client.force_login(staff)
    section = staff_section(client.get(reverse("dashboard")).content.decode())
    queue = reverse("listings:moderation_queue")
    assert f'<a href="{queue}">4 new listings waiting for review</a>' in section
    assert f'<a href="{queue}">2 edits of published listings waiting for review</a>' in section
    board = reverse("matching:board")
    assert f'<a href="{board}">2 open needs on the matching board</a>' in section
    assert f'<a href="{reverse("licensing:moderator_list")}">2 open licence requests</a>' in section


def test_staff_dashboard_query_count_is_constant(client, staff, django_assert_num_queries):
    client.force_login(staff)
    url = reverse("dashboard")
    add_work(1)
    client.get(url)  # warm per-process caches
    # Session, user, membership, staff group; one COUNT per figure (submitted technologies
    # and needs, their revisions, open licence requests, open needs on the board); the
    # signed-in user's saved searches and follows, and their adviser assignments.
    with django_assert_num_queries(13):
        client.get(url)
    add_work(4)
    with django_assert_num_queries(13):
        client.get(url)


def test_organisation_admin_sees_join_requests_with_a_link(client):
    admin = make_member(role=Membership.Role.ADMIN)
    make_user(organization=admin.organization, status=Membership.Status.PENDING)
    make_user(organization=admin.organization, status=Membership.Status.PENDING)
    client.force_login(admin)
    html = client.get(reverse("dashboard")).content.decode()
    members = reverse("accounts:members")
    assert f'<a href="{members}">2 people ask to join your organisation</a>' in html


def test_plain_member_sees_no_join_requests(client):
    admin = make_member(role=Membership.Role.ADMIN)
    member = make_user(organization=admin.organization)
    make_user(organization=admin.organization, status=Membership.Status.PENDING)
    client.force_login(member)
    assert "ask to join" not in client.get(reverse("dashboard")).content.decode()
