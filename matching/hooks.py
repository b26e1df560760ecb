"""How matching plugs into the rest of the site: derived data on save, and the page sections
that `portal.views` shows (suggestions on detail pages, confirmed matches on the dashboard)."""

from django.conf import settings
from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver

from listings.models import Technology
from listings.signals import listing_changed, listings_bulk_changed
from needs.models import Need
from tasks import jobs, queue

from . import bulk, suggestions
from .models import ListingKind
from .representation import is_matchable, kind_of, refresh_representation, remove_representation


def _is_need(listing) -> bool:
    return isinstance(listing, Need)


@receiver(listing_changed)
def _refresh(sender, listing, **kwargs):
    refresh_representation(listing)
    # A listing that is no longer public leaves the stored suggestion lists in this very
    # transaction; re-ranking (its own list, the lists it enters or leaves) waits for commit.
    matchable = is_matchable(listing)
    held_by = set() if matchable else suggestions.forget(listing)
    if matchable or held_by:
        schedule_refresh(_is_need(listing), [listing.pk], sorted(held_by))


def schedule_refresh(is_need: bool, ids: list[int], held_by: list[int]) -> None:
    """Re-rank stored suggestion lists once the transaction commits (on the worker when a
    broker is configured)."""
    queue.enqueue(jobs.refresh_suggestions, is_need, ids, held_by)


@receiver(pre_delete, sender=Technology)
@receiver(pre_delete, sender=Need)
def _remember_holders(sender, instance, **kwargs):
    # Its list entries go with it (foreign keys); the lists that held it are refilled after.
    instance._suggestion_holders = suggestions.holders(_is_need(instance), instance.pk)


@receiver(post_delete, sender=Technology)
@receiver(post_delete, sender=Need)
def _forget(sender, instance, **kwargs):
    # A deleted listing leaves the index at once (its terms' counts, its candidate slots),
    # not at the nightly rebuild.
    remove_representation(kind_of(instance), instance.pk)
    held_by = sorted(getattr(instance, "_suggestion_holders", ()))
    if held_by:
        schedule_refresh(_is_need(instance), [instance.pk], held_by)


@receiver(listings_bulk_changed)
def _refresh_bulk(sender, listings, **kwargs):
    # An import: vectors in bulk, then document frequencies and norms once.
    by_kind = {}
    for listing in listings:
        by_kind.setdefault(kind_of(listing), []).append(listing.pk)
    for kind, ids in by_kind.items():
        if len(ids) >= settings.TASKS_BULK_THRESHOLD and queue.broker_configured():
            queue.enqueue(jobs.refresh_matching, kind, ids)  # a large import: in the background
        else:
            bulk.rebuild(kind, ids, workers=2 if len(ids) > 2000 else 1)
            schedule_refresh(kind == ListingKind.NEED, ids, [])
