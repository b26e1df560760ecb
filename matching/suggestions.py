"""Stored suggestion lists (issue 18): each public need's best technologies and each public
technology's best needs, computed by the engine before anyone asks, read by the pages.

Kept current incrementally:

- a listing that stops being public (withdrawn, expired, back to draft) leaves every list at
  once, in the transaction that changed it (:func:`forget`); a deleted one goes with its rows
  (foreign keys), and the pages' read query also joins on the listings' status
  (``Suggestion.objects.listed``), so neither is ever shown;
- then, after commit (on the task queue when a broker is configured, inline otherwise:
  ``tasks.queue.enqueue``), `refresh` re-ranks the listing's own list and the
  lists it may enter or leave: those of its ``REACH`` best counterparts and those that held it;
- every night ``suggestions_rebuild`` recomputes every list from scratch (frequencies and
  norms first), the safety net for what the incremental path does not see: a list that a new
  listing should enter although that list's owner is not among the newcomer's own best
  counterparts, and the slow drift of document frequencies. How far a stored list can be from
  a fresh one is measured with ``suggestions_rebuild --compare`` (docs/matching.md).
"""

from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.utils import timezone

from . import batch, engine, labels, scoring
from .models import ListingKind, Suggestion
from .representation import is_matchable

#: entries kept per list: pages show 10, the board 3; the rest leaves room for the
#: suggestions an owner dismissed (hidden on their side only).
LIST_LENGTH = 20
#: a changed listing's best counterparts whose lists are re-ranked with it.
REACH = 20
#: the nightly rebuild reports its progress every so many lists (and at the end).
PROGRESS_EVERY = 500


def _is_need(listing) -> bool:
    return listing._meta.model_name == "need"


def _model(is_need: bool):
    from listings.models import Technology
    from needs.models import Need

    return Need if is_need else Technology


def _own_list(is_need: bool, listing_id: int):
    column = "need_id" if is_need else "technology_id"
    return Suggestion.objects.filter(for_need=is_need, **{column: listing_id})


def holders(is_need: bool, listing_id: int) -> set[int]:
    """The counterparts whose stored lists hold this listing."""
    column, other = ("need_id", "technology_id") if is_need else ("technology_id", "need_id")
    rows = Suggestion.objects.filter(for_need=not is_need, **{column: listing_id})
    return set(rows.values_list(other, flat=True))


def store_list(listing, ranked: list | None = None) -> list[int]:
    """Replace one listing's stored list with the engine's ranking (only what a page would
    show: at or above the labels' minimum). Returns the counterparts now in it."""
    is_need = _is_need(listing)
    if ranked is None:
        ranked = engine.rank(listing, limit=LIST_LENGTH)
    store_lists(is_need, {listing.pk: ranked})
    return [r.listing_id for r in ranked[:LIST_LENGTH]]


def store_lists(is_need: bool, lists: dict[int, list]) -> None:
    """Replace the stored lists of several listings of one kind (``{listing id: ranked}``)
    in one transaction. A technology's hub value (`scoring.hub_value` of this ranking's
    scores) is stored with its list, for the needs' rankings to take off."""
    now = timezone.now()
    entries = [
        entry
        for listing_id, ranked in lists.items()
        for entry in _entries(is_need, listing_id, ranked, now)
    ]
    column = "need_id" if is_need else "technology_id"
    with transaction.atomic():
        Suggestion.objects.filter(for_need=is_need, **{f"{column}__in": list(lists)}).delete()
        Suggestion.objects.bulk_create(entries, batch_size=5000)
        if not is_need:
            _store_hubs(
                {pk: scoring.hub_value(r.score for r in ranked) for pk, ranked in lists.items()}
            )


def _store_hubs(hubs: dict[int, float]) -> None:
    """Technologies' hub values, in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE matching_profile p SET hub = v.hub "
            "FROM unnest(%s::bigint[], %s::float8[]) AS v(listing_id, hub) "
            "WHERE p.kind = %s AND p.listing_id = v.listing_id",
            [list(hubs), [round(h, 4) for h in hubs.values()], ListingKind.TECHNOLOGY],
        )


def _entries(is_need: bool, listing_id: int, ranked: list, now) -> list[Suggestion]:
    shown = (r for r in ranked[:LIST_LENGTH] if labels.strength(r.score, for_need=is_need))
    return [
        Suggestion(
            need_id=listing_id if is_need else r.listing_id,
            technology_id=r.listing_id if is_need else listing_id,
            for_need=is_need,
            rank=position,
            score=r.score,
            reasons=[reason.as_json() for reason in r.reasons],
            computed_at=now,
        )
        for position, r in enumerate(shown, start=1)
    ]


def forget(listing) -> set[int]:
    """A listing that is no longer public leaves its own list and every list holding it, now.
    Returns the counterparts whose lists held it (to be refilled)."""
    is_need = _is_need(listing)
    held_by = holders(is_need, listing.pk)
    column = "need_id" if is_need else "technology_id"
    Suggestion.objects.filter(**{column: listing.pk}).delete()
    return held_by


def refresh(is_need: bool, listing_ids: Iterable[int], held_by: Iterable[int] = ()) -> int:
    """Re-rank changed listings' own lists and the lists they may enter or leave: those of
    each one's ``REACH`` best counterparts and those that held it (``held_by``: counterparts
    whose lists held a listing already removed from them), each list once. Returns how many
    lists were stored."""
    affected = set(held_by)
    stored = 0
    for listing in _model(is_need).objects.filter(pk__in=sorted(set(listing_ids))):
        if not is_matchable(listing):
            affected |= forget(listing)
            continue
        affected |= holders(is_need, listing.pk)
        ranked = engine.rank(listing, limit=max(LIST_LENGTH, REACH))
        affected |= {r.listing_id for r in ranked[:REACH]}
        store_list(listing, ranked)
        stored += 1
    for counterpart in _model(not is_need).objects.filter(pk__in=sorted(affected)):
        if is_matchable(counterpart):
            store_list(counterpart)
            stored += 1
    return stored


def public_listings(is_need: bool):
    model = _model(is_need)
    return model.objects.open() if is_need else model.objects.published()


def rebuild_all(
    progress: Callable[[str, int, int], None] | None = None, workers: int = 1
) -> dict[str, int]:
    """Every list from scratch: entries of listings no longer public are dropped, then every
    public technology's list is stored again, ranked against the open needs held in memory
    (matching.batch: the same lists as ``engine.rank``, in minutes instead of hours at 100,000
    technologies; in ``workers`` processes), with its hub value; then each public need's
    (one ranking each: a few hundred), with those hub values. Returns the lists stored per
    side. ``progress(side, done, total)`` is called as each side starts (``done`` 0), every
    ``PROGRESS_EVERY`` lists and at its end."""
    counts = {}
    # Technologies first: storing their lists stores their hub values, which the needs'
    # lists, stored next, take off (scoring.take_off_hubs).
    for is_need, name in ((False, "technologies"), (True, "needs")):
        listings = public_listings(is_need).order_by("pk")
        column = "need_id" if is_need else "technology_id"
        Suggestion.objects.filter(for_need=is_need).exclude(
            **{f"{column}__in": listings.values("pk")}
        ).delete()
        total = listings.count()
        done = reported = 0
        if progress:
            progress(name, 0, total)
        stores = _store_needs(listings) if is_need else _store_technologies(listings, workers)
        for stored in stores:
            done += stored
            if progress and (done - reported >= PROGRESS_EVERY or done == total):
                progress(name, done, total)
                reported = done
        counts[name] = done
    return counts


def _store_needs(needs) -> Iterable[int]:
    for need in needs.iterator(chunk_size=500):
        store_list(need)
        yield 1


def _store_technologies(technologies, workers: int = 1) -> Iterable[int]:
    for lists in batch.ranked_technologies(technologies, limit=LIST_LENGTH, workers=workers):
        unranked = [pk for pk, ranked in lists.items() if ranked is None]
        for technology in technologies.filter(pk__in=unranked):
            lists[technology.pk] = engine.rank(technology, limit=LIST_LENGTH)
        store_lists(False, {pk: ranked for pk, ranked in lists.items() if ranked is not None})
        yield len(lists)


def compare(
    is_need: bool, listing_ids: Iterable[int] | None = None, sample: int | None = None
) -> dict:
    """How far the stored lists are from a fresh ranking (``engine.rank``, one listing at a
    time), without writing: lists compared, lists that differ, entries missing from the
    stored lists (in the fresh one, not stored), entries stored that a fresh ranking drops,
    and the largest rank difference of an entry in both. ``sample``: at most so many lists,
    spread evenly over the listings (a large catalogue's technologies)."""
    listings = public_listings(is_need).order_by("pk")
    if listing_ids is not None:
        listings = listings.filter(pk__in=list(listing_ids))
    if sample:
        ids = list(listings.values_list("pk", flat=True))
        listings = listings.filter(pk__in=ids[:: max(len(ids) // sample, 1)][:sample])
    other = "technology_id" if is_need else "need_id"
    column = "need_id" if is_need else "technology_id"
    figures = {"lists": 0, "differ": 0, "missing": 0, "extra": 0, "max_shift": 0}
    for listing in listings.iterator(chunk_size=500):
        fresh = [
            r.listing_id
            for r in engine.rank(listing, limit=LIST_LENGTH)
            if labels.strength(r.score, for_need=is_need)
        ]
        stored = list(
            Suggestion.objects.filter(for_need=is_need, **{column: listing.pk})
            .order_by("rank")
            .values_list(other, flat=True)
        )
        figures["lists"] += 1
        if fresh != stored:
            figures["differ"] += 1
        figures["missing"] += len(set(fresh) - set(stored))
        figures["extra"] += len(set(stored) - set(fresh))
        for position, listing_id in enumerate(stored):
            if listing_id in fresh:
                shift = abs(fresh.index(listing_id) - position)
                figures["max_shift"] = max(figures["max_shift"], shift)
    return figures
