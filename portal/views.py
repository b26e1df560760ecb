"""Site-wide pages, and the pages that show sections of several apps.

A page that shows what several apps know (the home page, the dashboard, an organisation's
profile, a technology's or a need's page) is composed here, in the top layer, by calling each
app's selector by name: searching for a value the page shows leads to the function that reads
it and to the view below that calls it. The detail and profile pages keep the URL names of the
app whose object they show (`listings:technology_detail`, `needs:need_detail`,
`accounts:organization`); `portal/urls.py` adds them to those namespaces.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseServerError
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.views.decorators.cache import cache_control

import accounts.selectors
import advisers.selectors
import alerts.selectors
import analytics.selectors
import licensing.selectors
import listings.selectors
import listings.views
import matching.selectors
import needs.selectors
from accounts.models import Organization
from lib.kept import VisitorPages
from needs.models import Need


def home(request):
    """Anyone: what the exchange is and what is new."""
    context = {**listings.selectors.home_sections(), **needs.selectors.home_sections()}
    return render(request, "portal/home.html", context)


def about(request):
    """Anyone: the exchange, its data sources and credits."""
    return render(request, "portal/about.html")


@login_required
def dashboard(request):
    """Signed-in users: their organisation's work in one place."""
    user = request.user
    context = {
        **accounts.selectors.dashboard_sections(user),
        **listings.selectors.dashboard_sections(user),
        **needs.selectors.dashboard_sections(user),
        **licensing.selectors.dashboard_sections(user),
        **matching.selectors.confirmed_matches(user),
        **advisers.selectors.dashboard_sections(user),
        **alerts.selectors.dashboard_sections(user),
    }
    return render(request, "portal/dashboard.html", context)


def organization_detail(request, slug):
    """Anyone: an organisation's public profile with its published technologies and needs."""
    organization = get_object_or_404(Organization, slug=slug)
    context = {
        "organization": organization,
        **listings.selectors.organization_sections(organization),
        **needs.selectors.organization_sections(organization),
    }
    return render(request, "portal/organization_detail.html", context)


#: a technology's page as visitors who are not signed in see it, kept per version (about 8 kB
#: a page on the demo data; docs/performance.md, *Eighth pass*).
TECHNOLOGY_PAGES = VisitorPages(max_entries=1000)


def technology_detail(request, pk):
    """Anyone for a published technology; its organisation's members and moderators otherwise."""
    read = listings.selectors.read_technology_page(pk, request.user)
    if read is None:
        raise Http404
    key = TECHNOLOGY_PAGES.key(request, read.version)  # None for a signed-in visitor
    if key is not None and (kept := TECHNOLOGY_PAGES.get(request, key)) is not None:
        listings.views.count_view(request, read.published(), None)  # no role, published only
        return kept
    technology = read.technology()
    context = listings.views.detail_context(request, technology)
    actor = context["actor"]
    context.update(
        {
            **licensing.selectors.technology_detail(request, technology, actor),
            **matching.selectors.technology_suggestions(request, technology, actor),
            **advisers.selectors.technology_detail(request, technology, actor),
            **alerts.selectors.technology_detail(request, technology, actor),
            **analytics.selectors.detail_link(technology, actor),
        }
    )
    listings.views.count_view(request, technology, actor)
    if key is not None:
        return TECHNOLOGY_PAGES.render(request, key, "portal/technology_detail.html", context)
    return render(request, "portal/technology_detail.html", context)


def need_detail(request, pk):
    """Anyone for a published need; its organisation's members and moderators otherwise."""
    need = get_object_or_404(
        Need.objects.visible_to(request.user)
        .select_related("organization", "author")
        .prefetch_related("fields__parent"),
        pk=pk,
    )
    context = listings.views.detail_context(request, need)
    actor = context["actor"]
    context.update(
        {
            **licensing.selectors.need_detail(request, need, actor),
            **matching.selectors.need_suggestions(request, need, actor),
            **alerts.selectors.need_detail(request, need, actor),
            **analytics.selectors.detail_link(need, actor),
        }
    )
    listings.views.count_view(request, need, actor)
    return render(request, "portal/need_detail.html", context)


@cache_control(max_age=86400, public=True)
def robots_txt(request):
    """Anyone: crawler rules and the sitemap's address."""
    return render(request, "robots.txt", content_type="text/plain")


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No request context: the context processors use the database, which may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
