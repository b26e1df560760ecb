"""A published listing's pending revision: its owner's edit held for review by JPO moderators.

It is stored as JSON on the listing (`pending_revision`). This module alone knows that JSON's
keys: `PendingRevision.from_listing` reads it, `store` writes it, and `PendingRevision.in_state`
asks the database about it. `data` holds the edited values as listings.services.form_revision
makes them (JSON: field slugs, ISO dates).
"""

from dataclasses import dataclass, field, replace
from datetime import datetime

from django.db.models import Q
from django.utils import timezone


@dataclass(frozen=True)
class PendingRevision:
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"

    data: dict = field(default_factory=dict)
    state: str = SUBMITTED
    # When it was sent for review (None only for rows written without it).
    at: datetime | None = None
    # Why staff asked for changes (shown to the owner).
    reason: str = ""

    @classmethod
    def submitted(cls, data: dict) -> "PendingRevision":
        """A new edit, sent for review now."""
        return cls(data=data, state=cls.SUBMITTED, at=timezone.now())

    @classmethod
    def from_json(cls, raw: dict | None) -> "PendingRevision | None":
        if not raw:
            return None
        at = raw.get("at")
        return cls(
            data=raw.get("data") or {},
            state=raw.get("state", cls.SUBMITTED),
            at=datetime.fromisoformat(at) if at else None,
            reason=raw.get("reason", ""),
        )

    @classmethod
    def from_listing(cls, listing) -> "PendingRevision | None":
        """The listing's pending revision, or None when it has none."""
        return cls.from_json(listing.pending_revision)

    @staticmethod
    def in_state(state: str) -> Q:
        """Listings whose pending revision is in this state (a database filter)."""
        return Q(pending_revision__state=state)

    def to_json(self) -> dict:
        raw = {"state": self.state, "data": self.data}
        if self.at is not None:
            raw["at"] = self.at.isoformat()
        if self.reason:
            raw["reason"] = self.reason
        return raw

    @property
    def is_submitted(self) -> bool:
        return self.state == self.SUBMITTED

    @property
    def changes_requested(self) -> bool:
        return self.state == self.CHANGES_REQUESTED

    def with_changes_requested(self, reason: str) -> "PendingRevision":
        return replace(self, state=self.CHANGES_REQUESTED, reason=reason)


def store(listing, revision: PendingRevision | None) -> None:
    """Set (or, with None, drop) the listing's pending revision, on the instance and in its row.

    Only that column is written: the instance may carry an edit's values that must not go live.
    """
    listing.pending_revision = revision.to_json() if revision is not None else None
    type(listing).objects.filter(pk=listing.pk).update(pending_revision=listing.pending_revision)
