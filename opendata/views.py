import dataclasses

from django.contrib.sitemaps import views as sitemap_views
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from lib.urls import origin_of, site_url

from . import report, stats
from .exports import STATISTICS_TABLES, columns_for, csv_lines, table_lines
from .feeds import NeedFeed, TechnologyFeed
from .sitemaps import sitemaps
from .sources import listing_sources


@require_safe
def statistics(request):
    """Anyone: counts and breakdowns of the exchange (aggregates only, privacy rule applied)."""
    data = stats.public_statistics()
    context = {
        "data": data,
        "totals": report.totals(data),
        "sections": report.sections(data),
        "threshold": stats.THRESHOLD,
        "generated_at": data["generated_at"],
        "cache_minutes": stats.cache_seconds() // 60,
    }
    return render(request, "opendata/statistics.html", context)


@require_safe
def statistics_csv(request, table):
    """Anyone: one aggregate table of the statistics page as CSV (privacy rule applied)."""
    rows = STATISTICS_TABLES.get(table)
    if rows is None:
        raise Http404
    response = StreamingHttpResponse(
        table_lines(rows(stats.public_statistics())), content_type="text/csv; charset=utf-8"
    )
    filename = f"statistics-{table}-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _source(section: str):
    source = listing_sources().get(section)
    if source is None:
        raise Http404
    return source


@require_safe
def listing_csv(request, section):
    """Anyone: the published listings of a list, filtered by the URL's query, as CSV."""
    source = _source(section)
    base = source.model.objects.published()
    params = request.GET.copy()
    params.pop("page", None)
    filterset = source.filterset_class(params or None, queryset=base)
    if filterset.is_bound and not filterset.is_valid():
        return HttpResponseBadRequest(
            _("Invalid filters: %(errors)s") % {"errors": filterset.errors.as_text()},
            content_type="text/plain; charset=utf-8",
        )
    response = StreamingHttpResponse(
        csv_lines(filterset.qs, columns_for(source.model), site_url(request)),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"{section}-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def listing_feed(request, section):
    """Anyone: an Atom feed of the newest published listings, filtered like the list."""
    feed_class = TechnologyFeed if section == "technologies" else NeedFeed
    return feed_class()(request)


@require_safe
@cache_page(15 * 60)
@vary_on_headers("Host")
def sitemap_index(request):
    """Anyone (crawlers): the sitemap index, one section per type of page."""
    response = sitemap_views.index(request, sitemaps(), sitemap_url_name="opendata:sitemap_section")
    # Django writes the sections on the request's host; they belong on the site's address.
    origin, base = origin_of(request), site_url(request)
    response.context_data["sitemaps"] = [
        dataclasses.replace(item, location=base + item.location.removeprefix(origin))
        for item in response.context_data["sitemaps"]
    ]
    return response


@require_safe
@cache_page(15 * 60)
@vary_on_headers("Host")
def sitemap_section(request, section):
    """Anyone (crawlers): one section of the sitemap (paged with ?p=)."""
    return sitemap_views.sitemap(request, sitemaps(), section=section)


@require_safe
def api_overview(request):
    """Anyone: how to use the open-data API, feeds and CSV exports."""
    return render(request, "opendata/api_overview.html", {"sources": listing_sources()})
