"""How analytics plugs into the rest of the site: counting views and appearances in
suggestions, links from detail pages and the dashboard."""

from django.dispatch import receiver
from django.urls import reverse

from listings.lifecycle import Actor
from listings.signals import listing_viewed, listings_suggested
from portal import hooks

from . import services


@hooks.register("technology_detail")
@hooks.register("need_detail")
def analytics_link(request, listing, actor):
    """The listing's organisation and staff see a link to its analytics."""
    if actor not in (Actor.OWNER, Actor.MODERATOR):
        return {}
    return {
        "analytics_url": reverse(f"analytics:{listing._meta.model_name}", args=[listing.pk]),
        "detail_aside_templates": ["analytics/includes/detail_link.html"],
    }


@hooks.register("dashboard")
def organization_link(user):
    if user.organization is None:
        return {}
    return {"dashboard_templates": ["analytics/includes/dashboard_link.html"]}


@receiver(listing_viewed)
def _count_view(sender, request, listing, **kwargs):
    services.record_view(request, listing)


@receiver(listings_suggested)
def _count_appearances(sender, request, kind, listing_ids, **kwargs):
    services.record_appearances(request, kind, listing_ids)
