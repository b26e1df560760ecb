"""Suggestions as pages show them: listings with score, reasons and the pair's match state."""

from dataclasses import dataclass, field

from django.db.models import Q

from licensing.models import DeclineReason
from listings.lifecycle import Actor
from listings.signals import listings_suggested
from needs.models import Need

from . import engine, labels, scoring
from .models import Match
from .models import Suggestion as StoredSuggestion
from .reasons import describe, field_name_map, listing_text
from .representation import is_matchable
from .suggestions import public_listings


@dataclass
class Suggestion:
    listing: object
    score: float
    reasons: list
    match: Match | None = None
    reason_text: list = field(default_factory=list)
    for_need: bool = True  # in a need's list of technologies (else a technology's of needs)

    @property
    def strength(self) -> str | None:
        """``strong``, ``good`` or ``worth`` (matching.labels), by the side's thresholds."""
        return labels.strength(self.score, for_need=self.for_need)

    @property
    def label(self):
        return labels.LABELS.get(self.strength, "")


def none_strong(suggestions: list[Suggestion]) -> bool:
    """Suggestions are shown but none is a strong match: the page says so above them."""
    return bool(suggestions) and all(s.strength != "strong" for s in suggestions)


def with_reason_text(suggestions: list[Suggestion], listing, names=None) -> list[Suggestion]:
    """Reasons as sentences in the page's language, matched stems shown as words (``names``:
    the field names, when the caller has them already); a suggestion close to the best ones
    names the one it is most like when it is among ``suggestions``."""
    names = field_name_map() if names is None else names
    own_text = (listing_text(listing), listing.language or None)
    titles = {s.listing.pk: s.listing.title for s in suggestions}
    for suggestion in suggestions:
        texts = (own_text, (listing_text(suggestion.listing), suggestion.listing.language or None))
        suggestion.reason_text = describe(suggestion.reasons, names, texts, titles)
    return suggestions


#: the listings' columns a suggestion never shows (large: the search index's vectors)
UNSHOWN = ("search_vector", "rank_vector")


def _stored(listings, *, for_need: bool, limit: int, for_owner: bool) -> dict:
    """{listing id: [Suggestion]} from the stored lists of several listings of one kind, in
    a fixed number of queries: the entries with their counterparts (both still public), and
    the pairs' match state. An owner does not see what their side dismissed."""
    ids = [listing.pk for listing in listings]
    own, other = ("need", "technology") if for_need else ("technology", "need")
    entries = (
        (
            StoredSuggestion.objects.for_needs(ids)
            if for_need
            else StoredSuggestion.objects.for_technologies(ids)
        )
        .listed()
        .select_related(f"{other}__organization")
        .defer(*(f"{other}__{name}" for name in UNSHOWN))
    )
    matches = {
        (m.need_id, m.technology_id): m for m in Match.objects.filter(**{f"{own}_id__in": ids})
    }
    dismissed = "dismissed_by_need_owner" if for_need else "dismissed_by_technology_owner"
    owners = {listing.pk: listing.organization_id for listing in listings}
    out = {pk: [] for pk in ids}
    for entry in entries:
        match = matches.get((entry.need_id, entry.technology_id))
        own_id = getattr(entry, f"{own}_id")
        shown = out[own_id]
        if (
            (for_owner and match and getattr(match, dismissed))
            or getattr(entry, other).organization_id == owners[own_id]
            or len(shown) >= limit
            or labels.strength(entry.score, for_need=for_need)
            is None  # stored under older thresholds
        ):
            continue
        reasons = [scoring.reason_from_json(reason) for reason in entry.reasons]
        shown.append(
            Suggestion(getattr(entry, other), entry.score, reasons, match, for_need=for_need)
        )
    names = field_name_map() if any(out.values()) else {}
    for listing in listings:
        with_reason_text(out[listing.pk], listing, names)
    return out


def _ranked_now(listing, *, for_need: bool, limit: int, for_owner: bool) -> list[Suggestion]:
    """A listing that is not public has no stored list; its owner, staff and advisers still
    see what it would meet (a draft being prepared): ranked on the spot, as few people ask."""
    own, other = ("need", "technology") if for_need else ("technology", "need")
    matches = {
        getattr(m, f"{other}_id"): m for m in Match.objects.filter(**{f"{own}_id": listing.pk})
    }
    dismissed = "dismissed_by_need_owner" if for_need else "dismissed_by_technology_owner"
    hidden = [pk for pk, m in matches.items() if getattr(m, dismissed)] if for_owner else []
    ranked = [
        r
        for r in engine.rank(listing, limit=limit, exclude_ids=hidden)
        if labels.strength(r.score, for_need=for_need) is not None
    ]
    listings = (
        public_listings(not for_need)
        .select_related("organization")
        .defer(*UNSHOWN)
        .in_bulk([r.listing_id for r in ranked])
    )
    shown = [
        Suggestion(
            listings[r.listing_id],
            r.score,
            r.reasons,
            matches.get(r.listing_id),
            for_need=for_need,
        )
        for r in ranked
        if r.listing_id in listings
        and listings[r.listing_id].organization_id != listing.organization_id
    ]
    return with_reason_text(shown, listing)


def _suggestions(listing, *, for_need: bool, limit: int, for_owner: bool) -> list[Suggestion]:
    if not is_matchable(listing):
        return _ranked_now(listing, for_need=for_need, limit=limit, for_owner=for_owner)
    return _stored([listing], for_need=for_need, limit=limit, for_owner=for_owner)[listing.pk]


def suggested_technologies(need, *, limit=10, for_owner=True) -> list[Suggestion]:
    """Published technologies for a need, best first (its stored list once it is public),
    without those its owner dismissed."""
    return _suggestions(need, for_need=True, limit=limit, for_owner=for_owner)


def suggested_technologies_for(needs, *, limit=10) -> dict[int, list[Suggestion]]:
    """{need id: its best technologies} for several needs at once (the staff board)."""
    return _stored(list(needs), for_need=True, limit=limit, for_owner=False)


def suggested_needs(technology, *, limit=10, for_owner=True) -> list[Suggestion]:
    """Open needs for a technology, best first (its stored list once it is public), without
    those its owner dismissed."""
    return _suggestions(technology, for_need=False, limit=limit, for_owner=for_owner)


def confirmed_matches_for(organization):
    """Confirmed matches where the organisation owns the need or the technology."""
    return (
        Match.objects.filter(confirmed=True)
        .filter(Q(need__organization=organization) | Q(technology__organization=organization))
        .select_related("need__organization", "technology__organization")
    )


# --- the sections of the pages that show suggestions (called by portal's page views) -------
def need_suggestions(request, need, actor):
    """The need's organisation and moderators see suggested technologies."""
    return _suggestion_section(request, actor, suggested_technologies, need, "technology")


def technology_suggestions(request, technology, actor):
    """The technology's organisation and moderators see suggested needs."""
    return _suggestion_section(request, actor, suggested_needs, technology, "need")


def _suggestion_section(request, actor, suggest, listing, counterpart: str) -> dict:
    if actor not in (Actor.OWNER, Actor.MODERATOR):
        return {}
    suggestions = suggest(listing, for_owner=actor == Actor.OWNER)
    if actor == Actor.OWNER:
        _shown(request, counterpart, suggestions)
    return {
        "suggestions": suggestions,
        "suggestions_none_strong": none_strong(suggestions),
        "suggestion_kind": counterpart,
        "decline_reasons": DeclineReason.choices,
    }


def _shown(request, kind, suggestions):
    # An appearance counts when a prospective counterpart sees the listing suggested (not
    # moderators reviewing the board): analytics tells the listing's owner how often that happened.
    listings_suggested.send(
        sender=None, request=request, kind=kind, listing_ids=[s.listing.pk for s in suggestions]
    )


def confirmed_matches(user):
    context = (
        {
            "board_need_count": Need.objects.open().count(),
        }
        if user.is_moderator
        else {}
    )
    if user.organization is None:
        return context
    matches = list(confirmed_matches_for(user.organization)[:20])
    return {**context, "confirmed_matches": matches}
