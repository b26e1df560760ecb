"""Needs go through the lifecycle, moderation queue and log shared with technologies."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from listings.lifecycle import Action, Status
from listings.models import ModerationEvent
from listings.services import TransitionError, transition
from needs.models import Need
from tests import factories
from tests.factories import make_member, make_staff, make_user

pytestmark = pytest.mark.django_db


NEED_DEFAULTS = {
    "title": "Low-cost hydrogen storage",
    "description": "We need to store hydrogen safely in small tanks.",
    "solution": "A solid-state material working at room temperature.",
    "trl_min": 4,
    "trl_max": 7,
}


def make_need(organization=None, **kwargs) -> Need:
    """A need with sensible defaults (shared by the needs and licensing tests)."""
    organization = organization or make_member(type=Organization.Type.COMPANY).organization
    return factories.make_need(organization, **{**NEED_DEFAULTS, **kwargs})


def test_need_is_served_by_the_shared_moderation_queue_and_action_view(
    client, django_capture_on_commit_callbacks
):
    owner = make_member(type=Organization.Type.COMPANY)
    need = make_need(owner.organization, status=Status.DRAFT, author=owner)
    client.force_login(owner)
    response = client.post(reverse("listings:action", args=["need", need.pk]), {"action": "submit"})
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == Status.SUBMITTED

    staff = make_staff()
    client.force_login(staff)
    queue = client.get(reverse("listings:moderation_queue"))
    assert need.title in queue.content.decode()
    review = client.get(reverse("listings:review", args=["need", need.pk]))
    assert review.status_code == 200
    assert need.description in review.content.decode()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("listings:action", args=["need", need.pk]), {"action": "approve"})
    need.refresh_from_db()
    assert need.status == Status.PUBLISHED
    assert need.published_at is not None
    assert [m.to for m in mail.outbox] == [[owner.email]]
    actions = list(ModerationEvent.objects.for_listing(need).values_list("action", flat=True))
    assert actions == ["approve", "submit"]


def test_staff_request_changes_needs_a_reason_and_reaches_the_owner(
    django_capture_on_commit_callbacks,
):
    owner = make_member(type=Organization.Type.COMPANY)
    need = make_need(owner.organization, status=Status.SUBMITTED, author=owner)
    staff = make_staff()
    with pytest.raises(TransitionError):
        transition(need, Action.REQUEST_CHANGES, staff, "")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        transition(need, Action.REQUEST_CHANGES, staff, "Please name the hydrogen pressure.")
    assert need.status == Status.CHANGES_REQUESTED
    assert "hydrogen pressure" in mail.outbox[0].body
    assert mail.outbox[0].to == [owner.email]


def test_staff_reject_and_owner_withdraw():
    owner = make_member(type=Organization.Type.COMPANY)
    staff = make_staff()
    rejected = make_need(owner.organization, status=Status.SUBMITTED, author=owner)
    transition(rejected, Action.REJECT, staff, "Not a technology need.")
    assert rejected.status == Status.REJECTED

    published = make_need(owner.organization, author=owner)
    transition(published, Action.WITHDRAW, owner)
    assert Need.objects.get(pk=published.pk).status == Status.WITHDRAWN


def test_member_of_another_organisation_may_not_act_on_a_need():
    need = make_need(status=Status.DRAFT)
    with pytest.raises(TransitionError):
        transition(need, Action.SUBMIT, make_member())


def test_unpublished_need_is_404_for_others_and_visible_to_owner_and_staff(client):
    owner = make_member(type=Organization.Type.COMPANY)
    need = make_need(owner.organization, status=Status.SUBMITTED)
    url = reverse("needs:need_detail", args=[need.pk])
    assert client.get(url).status_code == 404
    client.force_login(make_member())
    assert client.get(url).status_code == 404
    client.force_login(owner)
    assert client.get(url).status_code == 200
    client.force_login(make_staff())
    assert client.get(url).status_code == 200


def test_other_member_gets_404_on_action_for_a_private_need(client):
    need = make_need(status=Status.SUBMITTED)
    client.force_login(make_member())
    url = reverse("listings:action", args=["need", need.pk])
    response = client.post(url, {"action": "withdraw"})
    assert response.status_code == 404


def test_expire_needs_command_expires_only_past_deadline_published_needs(
    django_capture_on_commit_callbacks,
):
    today = timezone.localdate()
    owner = make_member(type=Organization.Type.COMPANY)
    past = make_need(owner.organization, author=owner, deadline=today - datetime.timedelta(days=1))
    due_today = make_need(deadline=today)
    no_deadline = make_need()
    draft_past = make_need(status=Status.DRAFT, deadline=today - datetime.timedelta(days=3))
    mail.outbox.clear()
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("expire_needs", stdout=out)
    assert "expired 1, skipped 0" in out.getvalue()
    statuses = dict(Need.objects.values_list("pk", "status"))
    assert statuses[past.pk] == Status.EXPIRED
    assert statuses[due_today.pk] == Status.PUBLISHED
    assert statuses[no_deadline.pk] == Status.PUBLISHED
    assert statuses[draft_past.pk] == Status.DRAFT
    event = ModerationEvent.objects.for_listing(past).get()
    assert (event.action, event.actor) == ("expire", None)
    assert [m.to for m in mail.outbox] == [[owner.email]]


def test_expired_deadline_takes_need_out_of_public_list_and_home(client):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    stale = make_need(title="Stale deadline need", deadline=yesterday)
    fresh = make_need(title="Fresh open need")
    page = client.get(reverse("needs:need_list")).content.decode()
    assert fresh.title in page
    assert stale.title not in page
    home = client.get(reverse("home")).content.decode()
    assert fresh.title in home
    assert stale.title not in home
    search = client.get(reverse("needs:need_list"), {"q": "deadline need"}).content.decode()
    assert fresh.title not in search
    assert stale.title not in search


def test_database_refuses_inverted_trl_range_and_empty_partnerships():
    with pytest.raises(IntegrityError):
        make_need(trl_min=7, trl_max=3)


def test_database_refuses_empty_partnerships():
    with pytest.raises(IntegrityError):
        make_need(partnerships=[])


def test_unverified_user_cannot_create_a_need(client):
    organization = make_member().organization
    user = make_user(organization=organization, verified=False)
    client.force_login(user)
    response = client.get(reverse("needs:need_create"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:verify_needed")
