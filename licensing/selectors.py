"""Licence requests in the site-wide pages: technology page, dashboards, navigation."""

from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from portal import hooks

from . import services
from .models import NEVER, LicenceRequest, Side

DASHBOARD_ROWS = 10


def unread_count(organization) -> int:
    """Unread items for an organisation, both sides together, in one query: new requests it
    has not opened and the other side's messages since it last read each thread."""
    if organization is None:
        return 0
    owner = Q(technology__organization=organization)
    requester = Q(requester_organization=organization)
    counts = LicenceRequest.objects.filter(owner | requester).aggregate(
        unopened=Count("pk", distinct=True, filter=owner & Q(owner_last_read_at__isnull=True)),
        to_owner=Count(
            "messages",
            filter=owner
            & Q(
                messages__side=Side.REQUESTER,
                messages__created_at__gt=Coalesce(F("owner_last_read_at"), Value(NEVER)),
            ),
        ),
        to_requester=Count(
            "messages",
            filter=requester
            & Q(
                messages__side=Side.OWNER,
                messages__created_at__gt=Coalesce(F("requester_last_read_at"), Value(NEVER)),
            ),
        ),
    )
    return sum(counts.values())


@hooks.register("navigation")
def navigation(user) -> dict:
    return {"nav_unread": unread_count(user.organization)}


@hooks.register("technology_detail")
def technology_detail(request, technology, actor) -> dict:
    if services.refusal(request.user, technology):
        return {}
    return {"licence_request_url": reverse("licensing:request_create", args=[technology.pk])}


@hooks.register("dashboard")
def dashboard_sections(user) -> dict:
    context = {}
    organization = user.organization
    if organization is not None:
        requests = LicenceRequest.objects.for_lists()
        context.update(
            {
                "received_requests": list(
                    requests.received_by(organization).with_unread(Side.OWNER)[:DASHBOARD_ROWS]
                ),
                "sent_requests": list(
                    requests.sent_by(organization).with_unread(Side.REQUESTER)[:DASHBOARD_ROWS]
                ),
                "dashboard_templates": ["licensing/includes/dashboard_requests.html"],
            }
        )
    if user.is_moderator:
        context["open_request_count"] = LicenceRequest.objects.open().count()
        context["staff_dashboard_templates"] = ["licensing/includes/staff_dashboard.html"]
    return context
