"""How analytics hears of the rest of the site: views of listings and their appearances in
suggestions are counted as they happen."""

from django.dispatch import receiver

from listings.signals import listing_viewed, listings_suggested

from . import services


@receiver(listing_viewed)
def _count_view(sender, request, listing, **kwargs):
    services.record_view(request, listing)


@receiver(listings_suggested)
def _count_appearances(sender, request, kind, listing_ids, **kwargs):
    services.record_appearances(request, kind, listing_ids)
