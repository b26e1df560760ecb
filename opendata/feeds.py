"""Atom feeds of newly published technologies and needs.

A feed takes the same query string as its HTML list (the same FilterSet reads it), so every
search or filter of the list has a matching feed: /technologies/?q=solar&trl_min=5 ->
/technologies/feed/?q=solar&trl_min=5.
"""

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.core.exceptions import BadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from lib.urls import absolute_url
from listings.filters import TechnologyFilterSet
from listings.models import Technology
from needs.filters import NeedFilterSet
from needs.models import Need

FEED_SIZE = 50


@dataclass(frozen=True)
class FeedQuery:
    """What one request asked for: its valid filters and the query string that carries them."""

    filterset: object
    query: str
    search: str


def filtered(request, model, filterset_class):
    """The published listings the query string selects; BadRequest (400) on invalid filters."""
    base = model.objects.published().select_related("organization").prefetch_related("fields")
    params = request.GET.copy()
    params.pop("page", None)
    filterset = filterset_class(params or None, queryset=base)
    if filterset.is_bound and not filterset.is_valid():
        raise BadRequest(_("Invalid filters: %(errors)s") % {"errors": filterset.errors.as_text()})
    search = filterset.form.cleaned_data.get("q", "") if filterset.is_bound else ""
    return FeedQuery(filterset, params.urlencode(), search)


class ListingFeed(Feed):
    """Newest published listings first, at most FEED_SIZE, filtered like the HTML list."""

    feed_type = Atom1Feed
    model = Technology
    filterset_class = TechnologyFilterSet
    list_url_name = "listings:technology_list"
    section = "technologies"

    def get_object(self, request, *args, **kwargs):
        return filtered(request, self.model, self.filterset_class)

    def heading(self) -> str:
        return _("New technologies")

    def title(self, obj):
        heading = self.heading()
        if obj.search:
            heading = _("%(heading)s: “%(query)s”") % {"heading": heading, "query": obj.search}
        return _("%(heading)s · Tech Transfer Exchange") % {"heading": heading}

    def subtitle(self, obj):
        return _("The newest published listings matching the filters of the list.")

    def _with_query(self, url, obj):
        return f"{url}?{obj.query}" if obj.query else url

    # Absolute links from lib.urls (Django would put the request's host in front of paths).
    def link(self, obj):
        return absolute_url(self._with_query(reverse(self.list_url_name), obj))

    def feed_url(self, obj):
        return absolute_url(
            self._with_query(reverse("opendata:listing_feed", args=[self.section]), obj)
        )

    def items(self, obj):
        return obj.filterset.qs.order_by("-published_at", "-pk")[:FEED_SIZE]

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Atom sends the description as <summary type="html">: a reader renders it as HTML, so
        # the listing's plain text is escaped to stay text (a typed <script> is shown, not run).
        return escape(Truncator(getattr(item, item.headline_field, "")).chars(400))

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.organization.name

    def item_author_link(self, item):
        return absolute_url(item.organization.get_absolute_url())

    def item_categories(self, item):
        return [f.name for f in item.fields.all()]


class TechnologyFeed(ListingFeed):
    pass


class NeedFeed(ListingFeed):
    model = Need
    filterset_class = NeedFilterSet
    list_url_name = "needs:need_list"
    section = "needs"

    def heading(self):
        return _("New needs")
