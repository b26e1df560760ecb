"""The technology lifecycle: transitions, refusals, concurrent moderators, edits of published ones."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from listings import services
from listings.forms import PatentFormSet, TechnologyForm
from listings.lifecycle import Action, Status
from listings.models import ModerationEvent, Technology
from tests.factories import make_member, make_staff, make_technology

pytestmark = pytest.mark.django_db


def action_url(technology):
    return reverse("listings:action", args=["technology", technology.pk])


def test_owner_submits_and_staff_hear_of_it(member, django_capture_on_commit_callbacks):
    staff = make_staff()
    technology = make_technology(member.organization, status=Status.DRAFT, author=member)
    with django_capture_on_commit_callbacks(execute=True):
        event = services.transition(technology, Action.SUBMIT, member)
    technology.refresh_from_db()
    assert technology.status == Status.SUBMITTED
    assert technology.submitted_at is not None
    assert (event.from_status, event.to_status, event.actor) == ("draft", "submitted", member)
    assert any(staff.email in m.to for m in mail.outbox)


def test_moderator_approves_and_the_owner_is_told(
    member, staff, django_capture_on_commit_callbacks
):
    technology = make_technology(member.organization, status=Status.SUBMITTED, author=member)
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(technology, Action.APPROVE, staff)
    technology.refresh_from_db()
    assert technology.status == Status.PUBLISHED
    assert technology.published_at is not None
    assert mail.outbox[-1].to == [member.email]
    assert technology in Technology.objects.published()


@pytest.mark.parametrize(
    ("action", "target"),
    [(Action.REQUEST_CHANGES, Status.CHANGES_REQUESTED), (Action.REJECT, Status.REJECTED)],
)
def test_decisions_against_need_a_reason_that_is_logged(
    member, staff, action, target, django_capture_on_commit_callbacks
):
    technology = make_technology(member.organization, status=Status.SUBMITTED, author=member)
    with pytest.raises(services.TransitionError, match="reason"):
        services.transition(technology, action, staff, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        event = services.transition(
            technology, action, staff, reason="Please add the patent number."
        )
    technology.refresh_from_db()
    assert technology.status == target
    assert event.reason == "Please add the patent number."
    assert "Please add the patent number." in mail.outbox[-1].body


def test_owner_withdraws_a_published_technology(member):
    technology = make_technology(member.organization, author=member)
    services.transition(technology, Action.WITHDRAW, member)
    technology.refresh_from_db()
    assert technology.status == Status.WITHDRAWN
    assert technology not in Technology.objects.published()


def test_owner_may_not_approve_their_own_technology(member):
    technology = make_technology(member.organization, status=Status.SUBMITTED)
    with pytest.raises(services.TransitionError, match="JPO moderators"):
        services.transition(technology, Action.APPROVE, member)
    technology.refresh_from_db()
    assert technology.status == Status.SUBMITTED
    assert not ModerationEvent.objects.exists()


def test_member_of_another_organisation_may_not_submit(member):
    technology = make_technology(status=Status.DRAFT)
    with pytest.raises(services.TransitionError, match="owner organisation"):
        services.transition(technology, Action.SUBMIT, member)


def test_unverified_member_of_the_owner_may_not_submit():
    member = make_member()
    member.email_verified_at = None
    member.save()
    technology = make_technology(member.organization, status=Status.DRAFT)
    with pytest.raises(services.TransitionError):
        services.transition(technology, Action.SUBMIT, member)


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.DRAFT, Action.APPROVE),
        (Status.PUBLISHED, Action.SUBMIT),
        (Status.REJECTED, Action.APPROVE),
        (Status.WITHDRAWN, Action.WITHDRAW),
    ],
)
def test_actions_in_the_wrong_state_are_refused(member, staff, status, action):
    technology = make_technology(member.organization, status=status)
    user = staff if action == Action.APPROVE else member
    with pytest.raises(services.TransitionError, match="no longer possible"):
        services.transition(technology, action, user)
    technology.refresh_from_db()
    assert technology.status == status


def test_second_approval_after_the_first_is_refused_and_logged_once(member):
    first, second = make_staff(), make_staff()
    technology = make_technology(member.organization, status=Status.SUBMITTED)
    stale_copy = Technology.objects.get(pk=technology.pk)  # what the second moderator loaded
    services.transition(technology, Action.APPROVE, first)
    with pytest.raises(services.TransitionError, match="no longer possible"):
        services.transition(stale_copy, Action.APPROVE, second)
    assert ModerationEvent.objects.for_listing(technology).filter(action="approve").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_moderators_deciding_at_once_one_wins():
    """Two threads (two database connections) approve and reject the same technology at once."""
    member = make_member()
    moderators = [make_staff(), make_staff()]
    technology = make_technology(member.organization, status=Status.SUBMITTED)
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(user, action):
        try:
            copy = Technology.objects.get(pk=technology.pk)
            barrier.wait(timeout=10)
            services.transition(copy, action, user, reason="Not a fit.")
            outcomes.append("ok")
        except services.TransitionError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(moderators[0], Action.APPROVE)),
        threading.Thread(target=decide, args=(moderators[1], Action.REJECT)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["ok", "refused"]
    assert ModerationEvent.objects.for_listing(technology).count() == 1
    technology.refresh_from_db()
    assert technology.status in (Status.PUBLISHED, Status.REJECTED)


def test_a_late_moderator_gets_a_clear_message_in_the_browser_flow(client, member):
    technology = make_technology(member.organization, status=Status.SUBMITTED)
    services.transition(technology, Action.APPROVE, make_staff())
    client.force_login(make_staff())
    response = client.post(action_url(technology), {"action": "reject", "reason": "x"}, follow=True)
    assert "no longer possible" in response.content.decode()
    assert ModerationEvent.objects.for_listing(technology).count() == 1


def test_member_cannot_moderate_through_the_action_url(client, member):
    technology = make_technology(status=Status.SUBMITTED)
    client.force_login(member)
    response = client.post(action_url(technology), {"action": "approve"})
    assert response.status_code == 404  # another organisation's unpublished item
    technology.refresh_from_db()
    assert technology.status == Status.SUBMITTED


def test_anonymous_visitor_cannot_post_an_action(client):
    technology = make_technology(status=Status.SUBMITTED)
    assert client.post(action_url(technology), {"action": "approve"}).status_code == 404


def test_moderation_log_is_shown_to_owner_and_staff_only(client, member, staff):
    technology = make_technology(member.organization, status=Status.SUBMITTED)
    services.transition(technology, Action.APPROVE, staff)
    url = technology.get_absolute_url()
    client.force_login(member)
    owner_page = client.get(url).content.decode()
    client.force_login(make_member())
    other_page = client.get(url).content.decode()
    client.force_login(staff)
    staff_page = client.get(url).content.decode()
    for page in (owner_page, staff_page):
        assert "Moderation log" in page and staff.full_name in page
    assert "Moderation log" not in other_page and staff.full_name not in other_page


def edit(technology, user, **changes):
    data = {
        "title": technology.title,
        "summary": technology.summary,
        "description": technology.description,
        "benefits": technology.benefits,
        "fields": [f.slug for f in technology.fields.all()],
        "keywords": ", ".join(technology.keywords),
        "trl": technology.trl,
        "ip_status": technology.ip_status,
        "partnerships": technology.partnerships,
        "countries": technology.countries,
        "language": technology.language,
        "contact_name": "",
        "contact_email": "",
        "patents-TOTAL_FORMS": "0",
        "patents-INITIAL_FORMS": "0",
        **changes,
    }
    form = TechnologyForm(data, instance=technology)
    formset = PatentFormSet(data, instance=technology, prefix="patents")
    assert form.is_valid(), form.errors
    assert formset.is_valid(), formset.errors
    return services.save_listing(technology, form, user)


def test_edit_of_a_published_technology_waits_for_review_and_the_old_version_stays(client, staff):
    member = make_member(verified=False)
    technology = make_technology(member.organization, title="Original title")
    edit(technology, member, title="Edited title")
    technology.refresh_from_db()
    assert technology.title == "Original title"
    assert technology.revision.data["title"] == "Edited title"
    public = client.get(technology.get_absolute_url()).content.decode()
    assert "Original title" in public and "Edited title" not in public

    services.transition(technology, Action.APPROVE, staff)
    technology.refresh_from_db()
    assert technology.title == "Edited title"
    assert technology.revision is None
    assert technology.status == Status.PUBLISHED
    assert technology in Technology.objects.published().search("edited")


def test_rejected_revision_keeps_the_published_version(staff):
    member = make_member(verified=False)
    technology = make_technology(member.organization, title="Original title")
    edit(technology, member, title="Spam title")
    services.transition(technology, Action.REJECT, staff, reason="No.")
    technology.refresh_from_db()
    assert technology.title == "Original title"
    assert technology.status == Status.PUBLISHED
    assert technology.revision is None


def test_a_decided_revision_cannot_be_decided_twice(staff):
    member = make_member(verified=False)
    technology = make_technology(member.organization)
    edit(technology, member, title="Edited")
    stale = Technology.objects.get(pk=technology.pk)
    services.transition(technology, Action.APPROVE, staff)
    with pytest.raises(services.TransitionError):
        services.transition(stale, Action.REJECT, make_staff(), reason="late")
    assert Technology.objects.get(pk=technology.pk).title == "Edited"


def test_edit_by_a_verified_organisation_is_applied_at_once_and_staff_recheck(
    staff, django_capture_on_commit_callbacks
):
    member = make_member(verified=True)
    technology = make_technology(member.organization, title="Original title")
    with django_capture_on_commit_callbacks(execute=True):
        edit(technology, member, title="Edited title")
    technology.refresh_from_db()
    assert technology.title == "Edited title"
    assert technology.revision is None
    assert ModerationEvent.objects.for_listing(technology).first().action == Action.EDIT
    assert any(staff.email in m.to for m in mail.outbox)
