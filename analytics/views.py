"""Analytics pages: who showed interest in a listing, or in all of an organisation's listings.

Who may see them: the members of the listing's organisation and moderators. Everyone else gets 404
(the objects come from `selectors.analysable`, so another organisation's listing is not found)."""

import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from listings.models import Technology
from needs.models import Need

from . import charts, selectors
from .forms import PeriodForm


@login_required
def technology_analytics(request, pk, export=False):
    """Members of the technology's organisation and moderators."""
    technology = get_object_or_404(selectors.analysable(Technology, request.user), pk=pk)
    return analytics_response(
        request, technology, selectors.of_listing(technology), export, "analytics:technology_csv"
    )


@login_required
def need_analytics(request, pk, export=False):
    """Members of the need's organisation and moderators."""
    need = get_object_or_404(selectors.analysable(Need, request.user), pk=pk)
    return analytics_response(
        request, need, selectors.of_listing(need), export, "analytics:need_csv"
    )


@login_required
def organization_analytics(request, slug, export=False):
    """Members of the organisation and moderators: its technologies and needs summed."""
    user = request.user
    if user.is_moderator:
        organizations = Organization.objects.all()
    elif user.organization is not None:
        organizations = Organization.objects.filter(pk=user.organization.pk)
    else:
        raise Http404
    organization = get_object_or_404(organizations, slug=slug)
    return analytics_response(
        request,
        organization,
        selectors.of_organization(organization),
        export,
        "analytics:organization_csv",
    )


def analytics_response(request, subject, scope, export, csv_view):
    form = PeriodForm(request.GET)
    valid = form.is_valid()
    days = form.cleaned_data["days"] if valid else 30
    start, end = selectors.period(days, timezone.localdate())
    analytics = selectors.analytics(*scope, start=start, end=end)
    if export:
        return csv_response(subject, analytics)
    slots = charts.buckets(analytics)
    context = {
        "subject": subject,
        "is_organization": isinstance(subject, Organization),
        "form": form,
        "days": days,
        "analytics": analytics,
        "funnel": analytics.funnel(),
        "funnel_chart": charts.funnel_chart(analytics),
        "slots": slots,
        "time_chart": charts.time_chart(slots),
        "csv_url": reverse(
            csv_view, args=[subject.slug if isinstance(subject, Organization) else subject.pk]
        ),
    }
    return render(request, "analytics/analytics.html", context, status=200 if valid else 400)


def csv_response(subject, analytics):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"analytics-{analytics.start}-{analytics.end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow([_("Day"), *(str(label) for _key, label in selectors.STEPS)])
    for day, figures in analytics.rows():
        writer.writerow([day.isoformat(), *figures])
    return response
