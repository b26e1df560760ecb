"""Licence requests in the site-wide pages: technology page, dashboards, navigation (composed
by `portal.views` and `portal.context_processors`)."""

from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from listings.lifecycle import Actor

from . import services
from .models import NEVER, DeclineFeedback, DeclineReason, LicenceRequest, Side

DASHBOARD_ROWS = 10
SHARED_FEEDBACK_ROWS = 50


def unread_count(organization) -> int:
    """Unread items for an organisation, both sides together, in one query: new requests it
    has not opened and the other side's messages since it last read each thread."""
    if organization is None:
        return 0
    owner = Q(technology__organization=organization) | Q(need__organization=organization)
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


def technology_detail(request, technology, actor) -> dict:
    if services.refusal(request.user, technology):
        return {}
    return {"licence_request_url": reverse("licensing:request_create", args=[technology.pk])}


def need_detail(request, need, actor) -> dict:
    """The call to action for everyone; the proposals themselves for the need's organisation
    and moderators only; the public sees how many were received."""
    proposals = LicenceRequest.objects.filter(need=need)
    context = {"proposal_count": proposals.count()}
    if actor in (Actor.OWNER, Actor.MODERATOR):
        context["need_proposals"] = list(proposals.for_lists().with_unread(Side.OWNER))
    if not services.proposal_refusal(request.user, need):
        context["proposal_url"] = reverse("licensing:proposal_create", args=[need.pk])
    return context


def dashboard_sections(user) -> dict:
    context = {}
    organization = user.organization
    if organization is not None:
        requests = LicenceRequest.objects.for_lists()
        received = requests.received_by(organization).with_unread(Side.OWNER)
        sent = requests.sent_by(organization).with_unread(Side.REQUESTER)
        context.update(
            {
                "received_requests": list(received.requests()[:DASHBOARD_ROWS]),
                "sent_requests": list(sent.requests()[:DASHBOARD_ROWS]),
                "received_proposals": list(received.proposals()[:DASHBOARD_ROWS]),
                "sent_proposals": list(sent.proposals()[:DASHBOARD_ROWS]),
            }
        )
    if user.is_moderator:
        context["open_request_count"] = LicenceRequest.objects.requests().open().count()
    return context


# Why not: decline reasons as the provider and moderators see them.


def _pivot(rows, key) -> list[dict]:
    """Rows {key..., reason, n} -> one row per key with counts in DeclineReason order."""
    table: dict = {}
    for row in rows:
        k = key(row)
        table.setdefault(k, dict.fromkeys(DeclineReason.values, 0))[row["reason"]] += row["n"]
    return [
        {"key": k, "counts": list(counts.values()), "total": sum(counts.values())}
        for k, counts in table.items()
    ]


def feedback_report(organization) -> dict:
    """What the organisation hears about why others passed on its listings: counts by reason
    per listing and in total (three queries), and the entries whose authors shared their name.
    Who gave a reason without sharing it is never shown, not even through a note."""
    received = DeclineFeedback.objects.received_by(organization)
    rows = list(
        received.values("technology", "technology__title", "need", "need__title", "reason")
        .annotate(n=Count("pk"))
        .order_by("technology__title", "need__title")
    )
    totals = dict.fromkeys(DeclineReason.values, 0)
    for row in rows:
        totals[row["reason"]] += row["n"]
    listings = _pivot(
        (r for r in rows if r["technology"] or r["need"]),
        key=lambda r: (
            "technology" if r["technology"] else "need",
            r["technology"] or r["need"],
            r["technology__title"] or r["need__title"],
        ),
    )
    shared = list(
        received.filter(share_name=True).select_related(
            "decliner_organization", "technology", "need"
        )[:SHARED_FEEDBACK_ROWS]
    )
    return {
        "reasons": DeclineReason.choices,
        "totals": list(totals.values()),
        "total": sum(totals.values()),
        "rows": [
            {
                "listing_type": row["key"][0],
                "url": reverse(
                    "listings:technology_detail"
                    if row["key"][0] == "technology"
                    else "needs:need_detail",
                    args=[row["key"][1]],
                ),
                "title": row["key"][2],
                "counts": row["counts"],
                "total": row["total"],
            }
            for row in listings
        ],
        "shared": shared,
    }


def feedback_totals() -> dict:
    """For moderators: every decline reason given on the exchange, by path (one query)."""
    rows = DeclineFeedback.objects.values("path", "reason").annotate(n=Count("pk")).order_by()
    paths = dict(DeclineFeedback.Path.choices)
    pivot = _pivot(rows, key=lambda r: r["path"])
    totals = dict.fromkeys(DeclineReason.values, 0)
    for row in rows:
        totals[row["reason"]] += row["n"]
    return {
        "reasons": DeclineReason.choices,
        "totals": list(totals.values()),
        "total": sum(totals.values()),
        "rows": [
            {"title": paths[row["key"]], "url": "", "counts": row["counts"], "total": row["total"]}
            for row in sorted(pivot, key=lambda r: list(paths).index(r["key"]))
        ],
        "shared": [],
    }
