"""Suggestions as pages show them: listings with score, reasons and the pair's match state."""

from dataclasses import dataclass

from listings.models import Technology

from . import engine
from .models import Match


@dataclass
class Suggestion:
    listing: object
    score: float
    reasons: list
    match: Match | None = None


def suggested_technologies(need, *, limit=10, for_owner=True) -> list[Suggestion]:
    """Published technologies for a need, best first, without those its owner dismissed."""
    matches = {m.technology_id: m for m in Match.objects.filter(need=need)}
    hidden = [tid for tid, m in matches.items() if m.dismissed_by_need_owner] if for_owner else []
    ranked = engine.rank(need, limit=limit, exclude_ids=hidden)
    listings = (
        Technology.objects.published()
        .select_related("organization")
        .in_bulk([r.listing_id for r in ranked])
    )
    return [
        Suggestion(listings[r.listing_id], r.score, r.reasons, matches.get(r.listing_id))
        for r in ranked
        if r.listing_id in listings
    ]


def suggested_needs(technology, *, limit=10, for_owner=True) -> list[Suggestion]:
    """Open needs for a technology, best first, without those its owner dismissed."""
    from needs.models import Need

    matches = {m.need_id: m for m in Match.objects.filter(technology=technology)}
    hidden = (
        [nid for nid, m in matches.items() if m.dismissed_by_technology_owner] if for_owner else []
    )
    ranked = engine.rank(technology, limit=limit, exclude_ids=hidden)
    listings = (
        Need.objects.open().select_related("organization").in_bulk([r.listing_id for r in ranked])
    )
    return [
        Suggestion(listings[r.listing_id], r.score, r.reasons, matches.get(r.listing_id))
        for r in ranked
        if r.listing_id in listings
    ]


def confirmed_matches_for(organization):
    """Confirmed matches where the organisation owns the need or the technology."""
    from django.db.models import Q

    return (
        Match.objects.filter(confirmed=True)
        .filter(Q(need__organization=organization) | Q(technology__organization=organization))
        .select_related("need__organization", "technology__organization")
    )
