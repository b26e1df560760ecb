"""The listing lifecycle shared by technologies and needs: states, actions and who may act.

draft -> submitted -> published | changes requested (back to the owner) | rejected;
published -> withdrawn (owner) or expired (system). An edit of a published listing is held as a
revision and reviewed with the same actions while the published version stays public.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    PUBLISHED = "published", pgettext_lazy("listing status", "Published")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


class Action(models.TextChoices):
    SUBMIT = "submit", _("Submit for review")
    APPROVE = "approve", _("Approve and publish")
    REQUEST_CHANGES = "request_changes", _("Request changes")
    REJECT = "reject", _("Reject")
    WITHDRAW = "withdraw", _("Withdraw")
    REOPEN = "reopen", _("Reopen as draft")
    EXPIRE = "expire", _("Expire")
    REVISE = "revise", _("Edit submitted for review")
    EDIT = "edit", _("Edit published")
    IMPORT = "import", _("Imported")


class Actor(models.TextChoices):
    OWNER = "owner", pgettext_lazy("listing", "Owner")
    MODERATOR = "moderator", _("JPO moderator")
    SYSTEM = "system", _("System")


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    actor: str
    needs_reason: bool = False


TRANSITIONS = {
    Action.SUBMIT: Transition(
        frozenset({Status.DRAFT, Status.CHANGES_REQUESTED}), Status.SUBMITTED, Actor.OWNER
    ),
    Action.APPROVE: Transition(frozenset({Status.SUBMITTED}), Status.PUBLISHED, Actor.MODERATOR),
    Action.REQUEST_CHANGES: Transition(
        frozenset({Status.SUBMITTED}), Status.CHANGES_REQUESTED, Actor.MODERATOR, needs_reason=True
    ),
    Action.REJECT: Transition(
        frozenset({Status.SUBMITTED}), Status.REJECTED, Actor.MODERATOR, needs_reason=True
    ),
    Action.WITHDRAW: Transition(
        frozenset({Status.PUBLISHED, Status.SUBMITTED, Status.CHANGES_REQUESTED}),
        Status.WITHDRAWN,
        Actor.OWNER,
    ),
    Action.REOPEN: Transition(
        frozenset({Status.WITHDRAWN, Status.EXPIRED, Status.REJECTED}), Status.DRAFT, Actor.OWNER
    ),
    Action.EXPIRE: Transition(frozenset({Status.PUBLISHED}), Status.EXPIRED, Actor.SYSTEM),
}

# Decisions on a pending revision of a published listing use the moderator actions above.
REVISION_ACTIONS = frozenset({Action.APPROVE, Action.REQUEST_CHANGES, Action.REJECT})

OWNER_EDITABLE = frozenset(
    {Status.DRAFT, Status.CHANGES_REQUESTED, Status.PUBLISHED, Status.WITHDRAWN, Status.REJECTED}
)


def allowed_actions(status: str, actor: str, *, has_revision: bool = False) -> list[str]:
    """Actions an actor may take on a listing in a given state (for buttons and checks)."""
    actions = [
        action
        for action, rule in TRANSITIONS.items()
        if rule.actor == actor and status in rule.sources
    ]
    if actor == Actor.MODERATOR and status == Status.PUBLISHED and has_revision:
        actions += sorted(REVISION_ACTIONS)
    return actions
