"""sitemap.xml: every published technology and need, every organisation with a published listing,
and the public list pages. Served as a sitemap index with one section per type (paged at
LIMIT URLs so that 100,000 technologies stay quick to serve)."""

from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef, Q
from django.urls import reverse

from accounts.models import Organization
from lib.urls import site_url

from .sources import listing_sources

LIMIT = 10_000


class SiteSitemap(Sitemap):
    """URLs on the site's address (lib.urls: SITE_URL in production, the running site in
    development), not on whatever host a production request used."""

    limit = LIMIT

    def get_protocol(self, protocol=None):
        return urlsplit(site_url()).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(site_url()).netloc


class ListingSitemap(SiteSitemap):
    changefreq = "weekly"

    def __init__(self, model):
        self.model = model

    def items(self):
        return self.model.objects.published().only("pk", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        # One aggregate instead of Django's default max() over every item.
        return self.model.objects.published().aggregate(latest=Max("updated_at"))["latest"]


def organizations_with_listings():
    condition = Q()
    for source in listing_sources().values():
        condition |= Exists(source.model.objects.published().filter(organization=OuterRef("pk")))
    return Organization.objects.filter(condition)


class OrganizationSitemap(SiteSitemap):
    changefreq = "monthly"

    def items(self):
        return organizations_with_listings().only("pk", "slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        return organizations_with_listings().aggregate(latest=Max("updated_at"))["latest"]


class PageSitemap(SiteSitemap):
    changefreq = "daily"

    def items(self):
        names = ["home", "opendata:statistics", "opendata:api_overview", "about"]
        return names + [source.list_url_name for source in listing_sources().values()]

    def location(self, item):
        return reverse(item)


def sitemaps() -> dict[str, Sitemap]:
    sections = {"pages": PageSitemap()}
    for name, source in listing_sources().items():
        sections[name] = ListingSitemap(source.model)
    sections["organisations"] = OrganizationSitemap()
    return sections
