"""The analytics of a listing or of an organisation: a fixed set of queries, whatever the size.

Every figure is counted by day over a period, for a set of technologies and a set of needs
(querysets used as subqueries: one listing, or all of an organisation's). The funnel is the sum
of the days."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alerts.models import Follow, SentListing
from licensing.models import Agreement, LicenceRequest
from listings.lifecycle import Actor
from listings.models import Technology
from matching.models import Match
from needs.models import Need

from .models import Event, ListingDailyStats, ListingEvent, ListingType

# The funnel's steps, in order: (key, label).
STEPS = [
    ("views", _("Views")),
    ("visitors", _("Distinct visitors (summed by day)")),
    ("suggestions", _("Appearances in suggestions")),
    ("follows", _("Follows")),
    ("saves", _("Saves in alerts")),
    ("requests", _("Licence requests")),
    ("proposals", _("Proposals")),
    ("matches", _("Confirmed matches")),
    ("agreements", _("Agreements")),
]
KEYS = [key for key, _label in STEPS]


@dataclass
class Analytics:
    start: date
    end: date
    days: list[date]
    by_day: dict[date, dict[str, int]] = field(default_factory=dict)

    def rows(self):
        """(day, [figure per step]) for every day of the period, oldest first."""
        return [(day, [self.by_day[day][key] for key in KEYS]) for day in self.days]

    def totals(self) -> dict[str, int]:
        return {key: sum(self.by_day[day][key] for day in self.days) for key in KEYS}

    def funnel(self):
        totals = self.totals()
        return [(key, label, totals[key]) for key, label in STEPS]


def analysable(model, user):
    """The listings whose analytics the user may see: its organisation's, or all for moderators."""
    if user.is_authenticated and user.is_moderator:
        return model.objects.all()
    return model.objects.owned_by(user)


def period(days: int, today: date) -> tuple[date, date]:
    return today - timedelta(days=days - 1), today


def analytics(technologies, needs, *, start: date, end: date) -> Analytics:
    """All the figures of these technologies and needs, day by day from start to end."""
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    result = Analytics(start=start, end=end, days=days)
    result.by_day = {day: dict.fromkeys(KEYS, 0) for day in days}
    technology_ids = technologies.values("pk")
    need_ids = needs.values("pk")
    for rows, keys in _view_rows(technology_ids, need_ids, start, end):
        _add(result, rows, keys)
    for rows, keys in _interest_rows(technology_ids, need_ids, start, end):
        _add(result, rows, keys)
    return result


def _add(result: Analytics, rows, keys) -> None:
    for row in rows:
        day = row["day"]
        if day in result.by_day:
            for key in keys:
                result.by_day[day][key] += row[key] or 0


def _each_kind(rows, technologies: Q, needs: Q):
    """``rows(scope)`` (an aggregate by day) for the technologies, then for the needs, in one
    ``UNION ALL`` statement; `_add` sums a day's rows. Only for rows about one listing each (a
    row about a technology and a need would count twice). The two scopes joined by ``OR`` in one
    ``WHERE`` made PostgreSQL read the whole table (each ``IN (subquery)`` a hashed subplan, no
    index usable): 50 ms for an organisation's daily counts at 100,000 technologies, against
    8 ms for the two arms on the ``(listing_type, listing_id, day)`` index (docs/performance.md)."""
    return rows(technologies).union(rows(needs), all=True)


def _view_rows(technology_ids, need_ids, start: date, end: date):
    """(rows by day, keys) of views, visitors and appearances in suggestions: the folded daily
    counts, then the events not folded yet."""
    keys = ("views", "visitors", "suggestions")
    technologies = Q(listing_type=ListingType.TECHNOLOGY, listing_id__in=technology_ids)
    needs = Q(listing_type=ListingType.NEED, listing_id__in=need_ids)

    def daily(scope):
        return (
            ListingDailyStats.objects.filter(scope, day__range=(start, end))
            .values("day")
            .annotate(views=Sum("views"), visitors=Sum("visitors"), suggestions=Sum("suggestions"))
        )

    yield _each_kind(daily, technologies, needs), keys
    # Events not folded yet (today's, or days fold_views has not reached): counted live.
    is_view, is_suggestion = Q(event=Event.VIEW), Q(event=Event.SUGGESTION)

    def live(scope):
        return (
            ListingEvent.objects.filter(scope, day__range=(start, end))
            .values("day", "listing_type", "listing_id")
            .annotate(
                views=Count("pk", filter=is_view),
                visitors=Count("visitor", filter=is_view, distinct=True),
                suggestions=Count("visitor", filter=is_suggestion, distinct=True),
            )
            .values("day", "views", "visitors", "suggestions")
        )

    yield _each_kind(live, technologies, needs), keys


def _interest_rows(technology_ids, need_ids, start: date, end: date):
    """(rows by day, keys) of follows, saves in alerts, requests and proposals, confirmed
    matches and agreements."""

    def by_day(queryset, moment: str, **counts):
        return (
            queryset.annotate(day=TruncDate(moment))
            .filter(day__range=(start, end))
            .values("day")
            .annotate(**counts)
        )

    technologies, needs = Q(technology__in=technology_ids), Q(need__in=need_ids)
    listings = technologies | needs

    # A follow, or a sent listing, is about one listing: its rows are read per kind.
    def follows(scope):
        return by_day(Follow.objects.filter(scope), "created_at", follows=Count("pk"))

    # A saved search sends a listing once (sent-log): a row is one alert that carried it.
    def saves(scope):
        return by_day(SentListing.objects.filter(scope), "sent_at", saves=Count("pk"))

    yield _each_kind(follows, technologies, needs), ["follows"]
    yield _each_kind(saves, technologies, needs), ["saves"]
    Purpose = LicenceRequest.Purpose
    yield (
        by_day(
            LicenceRequest.objects.filter(listings | Q(proposed_technology__in=technology_ids)),
            "created_at",
            requests=Count("pk", filter=~Q(purpose=Purpose.PROPOSAL)),
            proposals=Count("pk", filter=Q(purpose=Purpose.PROPOSAL)),
        ),
        ["requests", "proposals"],
    )
    yield (
        by_day(
            Match.objects.filter(confirmed=True).filter(listings),
            "confirmed_at",
            matches=Count("pk"),
        ),
        ["matches"],
    )
    yield agreements_by_day(technology_ids, need_ids, start=start, end=end), ["agreements"]


def agreements_by_day(technology_ids, need_ids, *, start: date, end: date):
    """Agreements about these listings that both organisations confirmed, by their date:
    rows of {day, agreements}."""
    return (
        Agreement.objects.confirmed()
        .filter(
            Q(request__technology__in=technology_ids)
            | Q(request__need__in=need_ids)
            | Q(request__proposed_technology__in=technology_ids)
        )
        .filter(signed_on__range=(start, end))
        .values(day=F("signed_on"))
        .annotate(agreements=Count("pk"))
    )


def of_listing(listing):
    """The (technologies, needs) pair of querysets for one listing."""
    if isinstance(listing, Need):
        return Technology.objects.none(), Need.objects.filter(pk=listing.pk)
    return Technology.objects.filter(pk=listing.pk), Need.objects.none()


def of_organization(organization):
    return (
        Technology.objects.filter(organization=organization),
        Need.objects.filter(organization=organization),
    )


def detail_link(listing, actor) -> dict:
    """The listing's organisation and staff see a link to its analytics (on its detail page)."""
    if actor not in (Actor.OWNER, Actor.MODERATOR):
        return {}
    return {"analytics_url": reverse(f"analytics:{listing._meta.model_name}", args=[listing.pk])}
