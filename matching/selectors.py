"""Suggestions as pages show them: listings with score, reasons and the pair's match state."""

from dataclasses import dataclass, field

from django.db.models import Q

from listings.models import Technology
from needs.models import Need

from . import engine, labels
from .models import Match
from .reasons import describe, field_name_map, listing_text


@dataclass
class Suggestion:
    listing: object
    score: float
    reasons: list
    match: Match | None = None
    reason_text: list = field(default_factory=list)

    @property
    def strength(self) -> str | None:
        """``strong``, ``good`` or ``worth`` (matching.labels)."""
        return labels.strength(self.score)

    @property
    def label(self):
        return labels.LABELS.get(self.strength, "")


def _worth_showing(ranked: list) -> list:
    """Only suggestions at or above the minimum relevance (never a score of 0 or below)."""
    return [r for r in ranked if labels.strength(r.score) is not None]


def with_reason_text(suggestions: list[Suggestion], listing) -> list[Suggestion]:
    """Reasons as sentences in the page's language, matched stems shown as words."""
    names = field_name_map()
    own_text = (listing_text(listing), listing.language or None)
    for suggestion in suggestions:
        texts = (own_text, (listing_text(suggestion.listing), suggestion.listing.language or None))
        suggestion.reason_text = describe(suggestion.reasons, names, texts)
    return suggestions


def suggested_technologies(need, *, limit=10, for_owner=True) -> list[Suggestion]:
    """Published technologies for a need, best first, without those its owner dismissed."""
    matches = {m.technology_id: m for m in Match.objects.filter(need=need)}
    hidden = [tid for tid, m in matches.items() if m.dismissed_by_need_owner] if for_owner else []
    ranked = _worth_showing(engine.rank(need, limit=limit, exclude_ids=hidden))
    listings = (
        Technology.objects.published()
        .select_related("organization")
        .in_bulk([r.listing_id for r in ranked])
    )
    suggestions = [
        Suggestion(listings[r.listing_id], r.score, r.reasons, matches.get(r.listing_id))
        for r in ranked
        if r.listing_id in listings
    ]
    return with_reason_text(suggestions, need)


def suggested_needs(technology, *, limit=10, for_owner=True) -> list[Suggestion]:
    """Open needs for a technology, best first, without those its owner dismissed."""
    matches = {m.need_id: m for m in Match.objects.filter(technology=technology)}
    hidden = (
        [nid for nid, m in matches.items() if m.dismissed_by_technology_owner] if for_owner else []
    )
    ranked = _worth_showing(engine.rank(technology, limit=limit, exclude_ids=hidden))
    listings = (
        Need.objects.open().select_related("organization").in_bulk([r.listing_id for r in ranked])
    )
    suggestions = [
        Suggestion(listings[r.listing_id], r.score, r.reasons, matches.get(r.listing_id))
        for r in ranked
        if r.listing_id in listings
    ]
    return with_reason_text(suggestions, technology)


def confirmed_matches_for(organization):
    """Confirmed matches where the organisation owns the need or the technology."""
    return (
        Match.objects.filter(confirmed=True)
        .filter(Q(need__organization=organization) | Q(technology__organization=organization))
        .select_related("need__organization", "technology__organization")
    )
