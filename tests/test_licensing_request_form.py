"""The licence request form's purpose, and the decision panel of a thread."""

import re

import pytest
from django.urls import reverse

from accounts.models import Organization
from licensing import services
from licensing.models import LicenceRequest
from tests.factories import make_member, make_technology

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return make_member(type=Organization.Type.UNIVERSITY)


@pytest.fixture
def requester():
    return make_member(type=Organization.Type.COMPANY)


@pytest.fixture
def technology(owner):
    return make_technology(owner.organization, author=owner)


def purpose_inputs(html: str) -> list[str]:
    return re.findall(r'<input type="radio" name="purpose"[^>]*>', html)


def test_request_form_offers_the_three_kinds_with_licence_chosen(client, technology, requester):
    client.force_login(requester)
    html = client.get(reverse("licensing:request_create", args=[technology.pk])).content.decode()
    inputs = purpose_inputs(html)
    assert [re.search(r'value="([^"]*)"', i).group(1) for i in inputs] == [
        "licence",
        "research_collaboration",
        "more_information",
    ]
    assert "---------" not in html
    checked = [i for i in inputs if "checked" in i]
    assert len(checked) == 1 and 'value="licence"' in checked[0]


def test_request_sent_as_the_form_opens_is_a_licence_request(client, technology, requester):
    client.force_login(requester)
    url = reverse("licensing:request_create", args=[technology.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["message"] = "We would like to license this."
    response = client.post(url, data)
    assert response.status_code == 302
    assert LicenceRequest.objects.get().purpose == LicenceRequest.Purpose.LICENCE


def test_request_without_a_kind_says_to_choose_one_and_keeps_the_message(
    client, technology, requester
):
    client.force_login(requester)
    url = reverse("licensing:request_create", args=[technology.pk])
    response = client.post(url, {"purpose": "", "message": "Our message, kept."})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose what you are asking for." in html
    assert "Our message, kept." in html
    assert not LicenceRequest.objects.exists()


def test_decision_panel_has_one_labelled_form_per_decision(client, technology, owner, requester):
    licence_request = services.send_request(
        requester, technology, purpose=LicenceRequest.Purpose.LICENCE, message="Hello."
    )
    client.force_login(owner)
    html = client.get(licence_request.get_absolute_url()).content.decode()
    forms = re.findall(r'<form[^>]*class="card decision".*?</form>', html, re.S)
    assert len(forms) == 2
    agree, decline = forms
    assert 'aria-label="Mark as agreed"' in agree and 'value="agreed"' in agree
    assert 'aria-label="Decline"' in decline and 'value="declined"' in decline
    assert '<label for="id_agreed_note">Comment with the agreement (optional)</label>' in agree
    assert '<label for="id_declined_note">Comment with the decline (optional)</label>' in decline
    # Each note is described by its own help text, which exists.
    assert 'aria-describedby="id_declined_note_helptext"' in decline
    assert 'id="id_declined_note_helptext"' in decline


def test_declining_with_a_comment_from_its_form(client, technology, owner, requester):
    licence_request = services.send_request(
        requester, technology, purpose=LicenceRequest.Purpose.LICENCE, message="Hello."
    )
    client.force_login(owner)
    response = client.post(
        reverse("licensing:request_status", args=[licence_request.pk]),
        {"status": "declined", "reason": "terms", "note": "Licensed exclusively already."},
    )
    assert response.status_code == 302
    licence_request.refresh_from_db()
    assert licence_request.status == LicenceRequest.Status.DECLINED
    assert licence_request.messages.last().body == "Licensed exclusively already."


def test_a_decline_without_a_reason_is_refused_and_keeps_the_comment(
    client, technology, owner, requester
):
    licence_request = services.send_request(
        requester, technology, purpose=LicenceRequest.Purpose.LICENCE, message="Hello."
    )
    client.force_login(owner)
    response = client.post(
        reverse("licensing:request_status", args=[licence_request.pk]),
        {"status": "declined", "note": "Licensed exclusively already."},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Licensed exclusively already." in html  # the typed comment, in the decline's form
    assert 'name="reason"' in html and 'id="id_declined_reason"' in html
    status_before = licence_request.status
    licence_request.refresh_from_db()
    assert licence_request.status == status_before
