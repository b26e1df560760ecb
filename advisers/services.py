"""State changes of the adviser programme: assignments, proposed edits, comments, notes and the
partner shortlist. Each runs in a transaction and is logged or mailed where it concerns others."""

import csv
import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import recipients
from lib.mail import send_after_commit
from lib.urls import absolute_url
from listings import services as listing_services
from listings.lifecycle import Actor

from . import quality
from .models import (
    AdviserAssignment,
    AssignmentEvent,
    Comment,
    Proposal,
    ShortlistEntry,
    StrategyNote,
)


class AdviserError(Exception):
    """A step that is not allowed now (decided already, wrong person, bad period)."""


def _check_period(start: datetime.date, end: datetime.date) -> None:
    if end < start:
        raise AdviserError(_("The last day must not be before the first day."))


@transaction.atomic
def appoint(adviser, organization, start, end, by) -> AdviserAssignment:
    """Appoint a user as IP adviser for an organisation for a period; log it, tell the adviser."""
    _check_period(start, end)
    if adviser.organization is not None and adviser.organization.pk == organization.pk:
        raise AdviserError(_("A member of the organisation cannot be its IP adviser."))
    assignment = AdviserAssignment.objects.create(
        adviser=adviser, organization=organization, start=start, end=end, appointed_by=by
    )
    _log(assignment, by, AssignmentEvent.Action.APPOINTED)
    send_after_commit(
        "emails/adviser_appointed",
        [adviser],
        {
            "assignment": assignment,
            "link": absolute_url(reverse("advisers:organization", args=[organization.slug])),
        },
    )
    return assignment


@transaction.atomic
def change_period(assignment, start, end, by) -> AdviserAssignment:
    """Move an assignment's first or last day; the log keeps every earlier period."""
    _check_period(start, end)
    locked = AdviserAssignment.objects.select_for_update().get(pk=assignment.pk)
    locked.start, locked.end = start, end
    locked.save(update_fields=["start", "end"])
    _log(locked, by, AssignmentEvent.Action.CHANGED)
    return locked


@transaction.atomic
def end_assignment(assignment, by, today: datetime.date | None = None) -> AdviserAssignment:
    """End an assignment now: its last day becomes yesterday, so access stops at once."""
    today = today or timezone.localdate()
    locked = AdviserAssignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.end < today:
        raise AdviserError(_("This assignment has already ended."))
    locked.end = today - datetime.timedelta(days=1)
    locked.start = min(locked.start, locked.end)
    locked.save(update_fields=["start", "end"])
    _log(locked, by, AssignmentEvent.Action.ENDED)
    return locked


def _log(assignment, actor, action) -> AssignmentEvent:
    return AssignmentEvent.objects.create(
        assignment=assignment,
        actor=actor,
        action=action,
        start=assignment.start,
        end=assignment.end,
    )


@transaction.atomic
def propose_edit(technology, adviser, data: dict, message: str = "") -> Proposal:
    """An adviser's edit held as a proposal until the owner accepts or declines it."""
    facts = quality.facts_of(technology)
    proposal = Proposal.objects.create(
        technology=technology,
        adviser=adviser,
        data=data,
        message=message.strip(),
        score_before=quality.assess(facts).score,
        score_after=quality.assess(quality.with_revision(facts, data)).score,
    )
    send_after_commit(
        "emails/adviser_proposal",
        recipients.listing_owners(technology),
        {
            "proposal": proposal,
            "technology": technology,
            "link": absolute_url(proposal.get_absolute_url()),
        },
    )
    return proposal


def _lock_open(proposal, user) -> Proposal:
    locked = Proposal.objects.select_for_update().select_related("technology").get(pk=proposal.pk)
    if locked.state != Proposal.State.OPEN:
        raise AdviserError(_("This proposal has already been decided."))
    if listing_services.actor_for(locked.technology, user) != Actor.OWNER:
        raise AdviserError(_("Only members of the owner organisation may do this."))
    return locked


def _decided(locked, user, state, reason="") -> Proposal:
    locked.state = state
    locked.decided_by = user
    locked.decided_at = timezone.now()
    locked.reason = reason.strip()
    locked.save(update_fields=["state", "decided_by", "decided_at", "reason"])
    if locked.adviser_id and locked.adviser.is_active:
        send_after_commit(
            "emails/adviser_proposal_decided",
            [locked.adviser],
            {"proposal": locked, "link": absolute_url(locked.get_absolute_url())},
        )
    return locked


@transaction.atomic
def accept_proposal(proposal, user) -> Proposal:
    """The owner accepts: the values go through the listing's revision path (a published
    listing's edit is reviewed, or applied and re-checked when the organisation is verified)."""
    locked = _lock_open(proposal, user)
    technology = type(locked.technology).objects.get(pk=locked.technology_id)
    listing_services.save_revision(technology, locked.data, user)
    return _decided(locked, user, Proposal.State.ACCEPTED)


@transaction.atomic
def decline_proposal(proposal, user, reason: str = "") -> Proposal:
    """The owner declines; the listing is unchanged and the adviser reads why."""
    locked = _lock_open(proposal, user)
    return _decided(locked, user, Proposal.State.DECLINED, reason)


def add_comment(technology, author, body: str) -> Comment:
    return Comment.objects.create(technology=technology, author=author, body=body.strip())


def add_note(technology, author, body: str) -> StrategyNote:
    return StrategyNote.objects.create(technology=technology, author=author, body=body.strip())


@transaction.atomic
def shortlist(technology, partner, by, reason: str = "", note: str = "") -> ShortlistEntry:
    """Keep a partner candidate for a technology (again: update its note)."""
    entry, created = ShortlistEntry.objects.get_or_create(
        technology=technology,
        partner=partner,
        defaults={"added_by": by, "reason": reason, "note": note.strip()},
    )
    if not created and note.strip():
        entry.note = note.strip()
        entry.save(update_fields=["note"])
    return entry


def annotate(entry, note: str) -> ShortlistEntry:
    entry.note = note.strip()
    entry.save(update_fields=["note"])
    return entry


def write_shortlist_csv(entries, out) -> None:
    """The shortlist as CSV: partner, country, kind, why it was found, note, who added it."""
    writer = csv.writer(out)
    writer.writerow(
        [_("partner"), _("country"), _("kind"), _("why"), _("note"), _("added by"), _("added on")]
    )
    for entry in entries:
        partner = entry.partner
        writer.writerow(
            [
                partner.name,
                partner.country.code,
                partner.get_type_display(),
                entry.reason,
                entry.note,
                str(entry.added_by or ""),
                entry.created_at.date().isoformat(),
            ]
        )
