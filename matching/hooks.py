"""How matching plugs into the rest of the site: derived data on save, and page sections."""

from django.conf import settings
from django.db.models.signals import post_delete
from django.dispatch import receiver

from licensing.models import DeclineReason
from listings.lifecycle import Actor
from listings.models import Technology
from listings.signals import listing_changed, listings_bulk_changed, listings_suggested
from needs.models import Need
from portal import hooks
from tasks import jobs, queue

from . import bulk, selectors
from .representation import kind_of, refresh_representation, remove_representation


@receiver(listing_changed)
def _refresh(sender, listing, **kwargs):
    refresh_representation(listing)


@receiver(post_delete, sender=Technology)
@receiver(post_delete, sender=Need)
def _forget(sender, instance, **kwargs):
    # A deleted listing leaves the index at once (its terms' counts, its candidate slots),
    # not at the nightly rebuild.
    remove_representation(kind_of(instance), instance.pk)


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


@hooks.register("need_detail")
def need_suggestions(request, need, actor):
    """The need's organisation and staff see suggested technologies."""
    if actor not in (Actor.OWNER, Actor.MODERATOR):
        return {}
    suggestions = selectors.suggested_technologies(need, for_owner=actor == Actor.OWNER)
    if actor == Actor.OWNER:
        _shown(request, "technology", suggestions)
    return {
        "suggestions": suggestions,
        "suggestion_kind": "technology",
        "decline_reasons": DeclineReason.choices,
        "detail_extra_templates": ["matching/includes/suggestions.html"],
    }


@hooks.register("technology_detail")
def technology_suggestions(request, technology, actor):
    """The technology's organisation and staff see suggested needs."""
    if actor not in (Actor.OWNER, Actor.MODERATOR):
        return {}
    suggestions = selectors.suggested_needs(technology, for_owner=actor == Actor.OWNER)
    if actor == Actor.OWNER:
        _shown(request, "need", suggestions)
    return {
        "suggestions": suggestions,
        "suggestion_kind": "need",
        "decline_reasons": DeclineReason.choices,
        "detail_extra_templates": ["matching/includes/suggestions.html"],
    }


def _shown(request, kind, suggestions):
    # An appearance counts when a prospective counterpart sees the listing suggested (not staff
    # reviewing the board): analytics tells the listing's owner how often that happened.
    listings_suggested.send(
        sender=None, request=request, kind=kind, listing_ids=[s.listing.pk for s in suggestions]
    )


@hooks.register("dashboard")
def confirmed_matches(user):
    context = (
        {
            "board_need_count": Need.objects.open().count(),
            "staff_dashboard_templates": ["matching/includes/staff_dashboard.html"],
        }
        if user.is_moderator
        else {}
    )
    if user.organization is None:
        return context
    matches = list(selectors.confirmed_matches_for(user.organization)[:20])
    return {
        **context,
        "confirmed_matches": matches,
        "dashboard_templates": ["matching/includes/dashboard_matches.html"],
    }
