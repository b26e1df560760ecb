"""The review page's decision panel: one form per decision, each reason labelled by it."""

import re

import pytest
from django.urls import reverse

from listings.lifecycle import Status
from tests.factories import make_need, make_technology

pytestmark = pytest.mark.django_db


def decision_forms(html: str) -> list[str]:
    return re.findall(r'<form[^>]*class="card decision".*?</form>', html, re.S)


@pytest.mark.parametrize("kind", ["technology", "need"])
def test_each_decision_has_its_own_form_and_labelled_reason(client, staff, kind):
    listing = (make_technology if kind == "technology" else make_need)(status=Status.SUBMITTED)
    client.force_login(staff)
    html = client.get(reverse("listings:review", args=[kind, listing.pk])).content.decode()
    approve, changes, reject = decision_forms(html)
    assert 'aria-label="Approve and publish"' in approve and "<textarea" not in approve
    assert 'aria-label="Request changes"' in changes
    assert (
        '<label for="id_request_changes_reason">Reason for requesting changes (shown to the owner)'
        in changes
    )
    assert 'aria-label="Reject"' in reject
    assert '<label for="id_reject_reason">Reason for rejecting (shown to the owner)' in reject
    # No two boxes share a label or an id.
    labels = re.findall(r"<label[^>]*>([^<]*)<", html)
    assert len(labels) == len(set(labels))
    assert html.count('id="id_reject_reason"') == 1


def test_reject_from_its_form_records_the_reason(client, staff):
    technology = make_technology(status=Status.SUBMITTED)
    client.force_login(staff)
    response = client.post(
        reverse("listings:action", args=["technology", technology.pk]),
        {"action": "reject", "reason": "Not a technology.", "next": "queue"},
    )
    assert response.status_code == 302
    technology.refresh_from_db()
    assert technology.status == Status.REJECTED
    assert technology.moderation_events.last().reason == "Not a technology."
