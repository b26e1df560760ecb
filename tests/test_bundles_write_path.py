"""An imported listing gets the status, dates and moderation log the web path would give it.

Each test does the same thing twice, once through the owner's form or the lifecycle actions
(listings.services) and once through an import (bundles.importer), and compares the outcome.
"""

import pytest
from django.core import mail

from bundles.importer import import_bundle
from listings import services
from listings.forms import TechnologyForm
from listings.lifecycle import Action, Status
from listings.models import ModerationEvent, Technology
from needs.forms import NeedForm
from needs.models import Need
from tests.factories import make_member, make_need, make_staff, make_technology

pytestmark = pytest.mark.django_db

TECHNOLOGY = {
    "title": "Perovskite tandem solar cell",
    "summary": "A stable perovskite-silicon tandem cell.",
    "description": "Encapsulation that keeps the cell stable for 2,000 hours.",
    "fields": ["solar"],
    "keywords": ["perovskite"],
    "trl": 5,
    "ip_status": "granted",
    "offers": ["non_exclusive_licence"],
    "countries": ["JP"],
    "language": "en",
}
# The same technology as the owner's form and the model name it (the bundle keeps "offers").
TECHNOLOGY_FORM = {("partnerships" if k == "offers" else k): v for k, v in TECHNOLOGY.items()}
# The same technology as a row (the factory takes the fields separately).
TECHNOLOGY_ROW = {name: value for name, value in TECHNOLOGY_FORM.items() if name != "fields"}
NEED = {
    "title": "Recyclable packaging film",
    "description": "We need a mono-material film.",
    "fields": ["solar"],
    "trl_min": 4,
    "trl_max": 8,
    "partnerships": ["exclusive_licence"],
    "deadline": "2099-12-31",
    "language": "en",
}


def events(listing) -> list[tuple]:
    """The moderation log, oldest first, as (action, from, to, actor)."""
    return [
        (e.action, e.from_status, e.to_status, e.actor)
        for e in reversed(ModerationEvent.objects.for_listing(listing))
    ]


def technology_form(technology, **changes) -> TechnologyForm:
    """The owner's form, filled with TECHNOLOGY (as the technologies here are) and the changes."""
    form = TechnologyForm({**TECHNOLOGY_FORM, **changes}, instance=technology)
    assert form.is_valid(), form.errors
    return form


def submitted_by_hand(member) -> Technology:
    """A new technology as its owner makes it: the form, then “submit for review”."""
    technology = Technology()
    services.save_listing(technology, technology_form(technology), member)
    services.transition(technology, Action.SUBMIT, member)
    return technology


def import_one(user, section, item, *, publish=False):
    """Import one item as the web upload does: a member for their organisation, staff for any."""
    organization = None if user.is_moderator else user.organization
    return import_bundle(
        {section: [item]}, user=user, organization=organization, publish=publish
    ).items[0]


def test_a_new_imported_technology_enters_the_queue_as_a_submitted_one_does():
    member = make_member()
    by_hand = submitted_by_hand(member)
    imported = import_one(member, "technologies", {"key": "t-1", **TECHNOLOGY}).instance

    for technology in (by_hand, imported):
        technology.refresh_from_db()
        assert technology.status == Status.SUBMITTED
        assert technology.submitted_at is not None and technology.published_at is None
        assert (technology.organization, technology.author) == (member.organization, member)
    assert events(by_hand) == [(Action.SUBMIT, Status.DRAFT, Status.SUBMITTED, member)]
    assert events(imported) == [(Action.IMPORT, Status.DRAFT, Status.SUBMITTED, member)]


def test_an_import_published_by_staff_has_the_dates_of_an_approved_listing():
    member, staff = make_member(import_key="org-1"), make_staff()
    by_hand = submitted_by_hand(member)
    services.transition(by_hand, Action.APPROVE, staff)
    item = {"key": "t-1", "organization": "org-1", **TECHNOLOGY}
    imported = import_one(staff, "technologies", item, publish=True).instance

    for technology in (by_hand, imported):
        technology.refresh_from_db()
        assert technology.status == Status.PUBLISHED
        assert technology.submitted_at is not None and technology.published_at is not None
    assert events(imported) == [(Action.IMPORT, Status.DRAFT, Status.PUBLISHED, staff)]
    first_published = imported.published_at

    # Published again with a change: still published, first publication date kept.
    import_one(staff, "technologies", {**item, "trl": 6}, publish=True)
    imported.refresh_from_db()
    assert (imported.trl, imported.published_at) == (6, first_published)
    assert events(imported)[-1] == (Action.IMPORT, Status.PUBLISHED, Status.PUBLISHED, staff)


def test_a_changed_published_technology_is_held_for_review_like_an_owners_edit():
    member = make_member(verified=False)
    by_hand = make_technology(member.organization, **TECHNOLOGY_ROW)
    imported = make_technology(member.organization, import_key="t-1", **TECHNOLOGY_ROW)
    published_at = {t.pk: t.published_at for t in (by_hand, imported)}

    services.save_listing(by_hand, technology_form(by_hand, summary="A new summary."), member)
    import_one(member, "technologies", {"key": "t-1", "summary": "A new summary."})

    for technology in (by_hand, imported):
        technology.refresh_from_db()
        assert technology.status == Status.PUBLISHED
        assert technology.published_at == published_at[technology.pk]
        assert technology.summary == TECHNOLOGY["summary"]  # the public version stays
        assert technology.revision.is_submitted
        assert events(technology) == [(Action.REVISE, Status.PUBLISHED, Status.PUBLISHED, member)]
    assert imported.revision.data == by_hand.revision.data
    assert imported.revision.data["summary"] == "A new summary."
    # The held edit is not searchable before it is approved.
    assert not Technology.objects.published().search("new summary").exists()


def test_a_held_imported_edit_is_approved_with_the_same_lifecycle_action():
    member, staff = make_member(verified=False), make_staff()
    imported = make_technology(member.organization, import_key="t-1", **TECHNOLOGY_ROW)
    import_one(member, "technologies", {"key": "t-1", "title": "Perovskite cell, edition 2"})
    services.transition(imported, Action.APPROVE, staff)
    imported.refresh_from_db()
    assert imported.title == "Perovskite cell, edition 2"
    assert imported.revision is None
    assert imported in Technology.objects.published().search("edition")


def test_a_verified_organisations_import_is_applied_and_logged_like_its_edit():
    member = make_member(verified=True)
    by_hand = make_technology(member.organization, **TECHNOLOGY_ROW)
    imported = make_technology(member.organization, import_key="t-1", **TECHNOLOGY_ROW)

    services.save_listing(by_hand, technology_form(by_hand, trl=7), member)
    import_one(member, "technologies", {"key": "t-1", "trl": 7})

    for technology in (by_hand, imported):
        technology.refresh_from_db()
        assert (technology.status, technology.trl, technology.revision) == (
            Status.PUBLISHED,
            7,
            None,
        )
        assert events(technology) == [(Action.EDIT, Status.PUBLISHED, Status.PUBLISHED, member)]


def test_staff_hear_once_of_everything_an_import_puts_in_front_of_them(
    django_capture_on_commit_callbacks,
):
    member, staff = make_member(verified=False), make_staff()
    make_technology(member.organization, import_key="held", **TECHNOLOGY_ROW)
    bundle = {
        "technologies": [
            {"key": "new", **TECHNOLOGY},
            {"key": "held", "summary": "A new summary."},
        ]
    }
    with django_capture_on_commit_callbacks(execute=True):
        import_bundle(bundle, user=member, organization=member.organization)
    to_staff = [m for m in mail.outbox if staff.email in m.to]
    assert len(to_staff) == 1
    assert "2" in to_staff[0].subject


def test_an_imported_need_follows_the_same_lifecycle():
    member = make_member(verified=False)
    need = Need()
    by_hand = services.save_listing(need, NeedForm(NEED, instance=need), member)
    services.transition(by_hand, Action.SUBMIT, member)
    imported = import_one(member, "needs", {"key": "n-1", **NEED}).instance
    for need in (by_hand, imported):
        need.refresh_from_db()
        assert need.status == Status.SUBMITTED and need.submitted_at is not None
    assert events(imported) == [(Action.IMPORT, Status.DRAFT, Status.SUBMITTED, member)]

    published = make_need(member.organization, import_key="n-2", title="Old need title")
    import_one(member, "needs", {"key": "n-2", **NEED, "title": "New need title"})
    published.refresh_from_db()
    assert published.title == "Old need title"
    assert published.revision.data["title"] == "New need title"
    assert published.revision.data["deadline"] == "2099-12-31"


def test_only_staff_or_the_command_may_publish_through_an_import():
    member = make_member()
    form = technology_form(Technology())
    listing = form.instance
    listing.organization = member.organization
    with pytest.raises(services.TransitionError):
        services.import_listing(listing, form, member, publish=True)
    assert not Technology.objects.exists()
    event = services.import_listing(listing, form, None, publish=True)
    assert (event.action, event.to_status, event.actor) == (Action.IMPORT, Status.PUBLISHED, None)
