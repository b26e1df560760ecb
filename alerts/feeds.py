"""The private Atom feed of a saved search: its address is the secret (revocable)."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from opendata.feeds import FEED_SIZE, FeedQuery, ListingFeed

from . import services
from .models import SavedSearch


class SavedSearchFeed(ListingFeed):
    """Anyone holding the token; a wrong or revoked token is a 404."""

    def get_object(self, request, token):
        saved_search = get_object_or_404(SavedSearch, feed_token=token)
        self.saved_search = saved_search
        filterset = services.filterset_for(saved_search)
        return FeedQuery(filterset, saved_search.query, "")

    def title(self, obj):
        return _("%(heading)s · Tech Transfer Exchange") % {"heading": self.saved_search.name}

    def link(self, obj):
        return self.saved_search.get_list_url()

    def feed_url(self, obj):
        return reverse("alerts:feed", args=[self.saved_search.feed_token])

    def items(self, obj):
        return (
            services.matching(self.saved_search)
            .select_related("organization")
            .prefetch_related("fields")
            .order_by("-published_at", "-pk")[:FEED_SIZE]
        )
