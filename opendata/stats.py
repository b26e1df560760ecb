"""Public statistics of the exchange: aggregate queries, the privacy rule and the cache.

Privacy rule (also explained on the statistics page and in the API schema):

1. Only what is already public, or consented to, is counted: published technologies and needs;
   organisations that have a published listing or an active member with a verified e-mail
   address; active users with a verified e-mail address. Drafts, listings under review,
   rejected, withdrawn or expired listings, and inactive or unverified accounts are never counted.
2. Figures drawn from private records (registered users, licence requests, matches) are shown
   only from ``THRESHOLD`` upwards, in totals and in every breakdown cell. Smaller values, zero
   included, are published as "fewer than 3" (``None`` here, ``null`` in the API), so one
   private record never shows on its own. Published listings and organisation profiles are
   public pages already: their counts are exact.

Everything is computed by a fixed number of aggregate queries (independent of the number of
rows) and cached for ``STATISTICS_CACHE_SECONDS`` in Django's cache (Redis when REDIS_URL is
set), so the page and the API stay fast at 100,000 technologies.
"""

import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from accounts.models import Membership, Organization, User
from licensing.models import Agreement, DeclineFeedback, DeclineReason, LicenceRequest
from listings.lifecycle import Status
from listings.models import TRL, Field, IPStatus, Technology
from matching.models import Match
from needs.models import Need

THRESHOLD = 3
MONTHS = 12
CACHE_KEY = "opendata:statistics:v1"


def cache_seconds() -> int:
    return getattr(settings, "STATISTICS_CACHE_SECONDS", 900)


def public_statistics(*, refresh: bool = False) -> dict:
    """The published figures (privacy rule applied), from the cache when fresh."""
    if not refresh:
        cached = cache.get(CACHE_KEY)
        if cached is not None:
            return cached
    data = apply_privacy_rule(compute_statistics())
    cache.set(CACHE_KEY, data, cache_seconds())
    return data


def clear_cache() -> None:
    cache.delete(CACHE_KEY)


def licence_requests():
    """(queryset, date field) of all licence requests ever sent."""
    return LicenceRequest.objects.requests(), "created_at"


def _groups(prefixes: list[str]):
    """The top-level field group of the first listing path that is set (a listing in several
    groups yields one row per group)."""
    paths = []
    for prefix in prefixes:
        paths += [f"{prefix}__fields__parent_id", f"{prefix}__fields__id"]
    return Coalesce(*paths)


def agreement_figures(agreements, starts, groups) -> dict:
    """Confirmed agreements in total, by field group (of the technology or need the
    conversation was about), by country (an agreement counts once in each of its two
    organisations' countries) and by month of the agreement's date: two queries."""
    rows = list(
        agreements.values_list(
            "pk",
            "signed_on",
            "request__requester_organization__country",
            "request__technology__organization__country",
            "request__need__organization__country",
        )
    )
    by_country: dict[str, set] = {}
    by_month: dict[str, int] = {}
    first_month = starts[0].strftime("%Y-%m")
    for pk, signed_on, *country_codes in rows:
        for code in {c for c in country_codes if c}:
            by_country.setdefault(code, set()).add(pk)
        month = signed_on.strftime("%Y-%m")
        if month >= first_month:
            by_month[month] = by_month.get(month, 0) + 1
    field_counts = dict(
        agreements.annotate(group=_groups(["request__technology", "request__need"]))
        .values("group")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
        .values_list("group", "n")
    )
    countries = sorted(
        ({"country": code, "agreements": len(pks)} for code, pks in by_country.items()),
        key=lambda r: (-r["agreements"], r["country"]),
    )
    return {
        "total": len(rows),
        "by_field": [
            {"slug": g.slug, "name_en": g.name_en, "name_ja": g.name_ja}
            | {"agreements": field_counts.get(g.pk, 0)}
            for g in groups
        ],
        "by_country": countries,
        "by_month": [
            {"month": s.strftime("%Y-%m"), "agreements": by_month.get(s.strftime("%Y-%m"), 0)}
            for s in starts
        ],
    }


def decline_reasons_by_field(feedback, groups) -> list[dict]:
    """Decline reasons per field group of the listing passed on: each cell holds the count and
    how many distinct organisations gave it (the privacy rule counts organisations): one query."""
    rows = (
        feedback.annotate(group=_groups(["technology", "need"]))
        .values("group", "reason", "decliner_organization")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    cells: dict = {}
    for row in rows:
        cell = cells.setdefault((row["group"], row["reason"]), {"n": 0, "organizations": set()})
        cell["n"] += row["n"]
        cell["organizations"].add(row["decliner_organization"])
    out = []
    for g in groups:
        reasons = {}
        for reason in DeclineReason.values:
            cell = cells.get((g.pk, reason))
            reasons[reason] = (
                {"n": cell["n"], "organizations": len(cell["organizations"])}
                if cell
                else {"n": 0, "organizations": 0}
            )
        out.append({"slug": g.slug, "name_en": g.name_en, "name_ja": g.name_ja} | reasons)
    return out


def confirmed_matches():
    """(queryset, date field) of the matches JPO moderators confirmed."""
    return Match.objects.filter(confirmed=True), "confirmed_at"


# What may be counted (rule 1).


def counted_users():
    return User.objects.filter(is_active=True, email_verified_at__isnull=False)


def counted_memberships():
    return Membership.objects.active().filter(
        user__is_active=True, user__email_verified_at__isnull=False
    )


def counted_organizations():
    """Organisations with a published listing or an active, verified member."""
    condition = Exists(counted_memberships().filter(organization=OuterRef("pk")))
    condition |= Exists(Technology.objects.published().filter(organization=OuterRef("pk")))
    condition |= Exists(Need.objects.published().filter(organization=OuterRef("pk")))
    return Organization.objects.filter(condition)


# Aggregates.


def month_starts(now=None, months: int = MONTHS) -> list[datetime.date]:
    """The first day of the last `months` months, oldest first, in the site's time zone."""
    today = timezone.localdate(now)
    year, month = today.year, today.month
    out = []
    for _ in range(months):
        out.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def by_month(queryset, date_field: str, starts: list[datetime.date]) -> dict[str, int]:
    first = timezone.make_aware(datetime.datetime.combine(starts[0], datetime.time()))
    rows = (
        queryset.filter(**{f"{date_field}__gte": first})
        .annotate(month=TruncMonth(date_field))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {timezone.localtime(row["month"]).strftime("%Y-%m"): row["n"] for row in rows}


def grouped(queryset, key: str, count: str = "pk") -> dict:
    rows = queryset.values(key).annotate(n=Count(count, distinct=count != "pk")).order_by()
    return {row[key]: row["n"] for row in rows if row[key] not in (None, "")}


def by_field_group(model) -> dict[int, int]:
    """Published listings per top-level field (a listing counts once per group)."""
    through = model.fields.through
    fk = f"{model._meta.model_name}_id"
    rows = (
        through.objects.filter(**{f"{model._meta.model_name}__status": Status.PUBLISHED})
        .annotate(group=Coalesce("field__parent_id", "field_id"))
        .values("group")
        .annotate(n=Count(fk, distinct=True))
        .order_by()
    )
    return {row["group"]: row["n"] for row in rows}


def compute_statistics(now=None) -> dict:
    """Raw figures (privacy rule 1 applied, rule 2 not yet): a few aggregate queries."""
    technologies = Technology.objects.published()
    needs = Need.objects.published()
    organizations = counted_organizations()
    memberships = counted_memberships()
    starts = month_starts(now)
    requests = licence_requests()
    matches = confirmed_matches()
    groups = list(Field.objects.groups().order_by("position", "slug"))
    agreements = agreement_figures(Agreement.objects.confirmed(), starts, groups)

    totals = {
        "technologies": technologies.count(),
        "organizations": organizations.count(),
        "users": counted_users().count(),
        "needs": needs.count(),
        "licence_requests": requests[0].count(),
        "matches": matches[0].count(),
        "agreements": agreements["total"],
    }
    return {
        "agreements_by_field": agreements["by_field"],
        "agreements_by_country": agreements["by_country"],
        "agreements_by_month": agreements["by_month"],
        "decline_reasons_by_field": decline_reasons_by_field(DeclineFeedback.objects.all(), groups),
        "generated_at": timezone.now().isoformat(),
        "threshold": THRESHOLD,
        "totals": totals,
        "countries": _countries(technologies, needs, organizations, memberships),
        # "organization_kinds" and "kind" are the public API's names for organisation types.
        "organization_kinds": table(
            {
                "organizations": grouped(organizations, "type"),
                "technologies": grouped(technologies, "organization__type"),
                "needs": grouped(needs, "organization__type"),
            },
            key="kind",
            keys=list(Organization.Type.values),
        ),
        "fields": _fields(groups),
        "trl": table(
            {"technologies": grouped(technologies, "trl")}, key="trl", keys=list(TRL.values)
        ),
        "ip_status": table(
            {"technologies": grouped(technologies, "ip_status")},
            key="ip_status",
            keys=list(IPStatus.values),
        ),
        "months": table(
            {
                "technologies": by_month(technologies, "published_at", starts),
                "needs": by_month(needs, "published_at", starts),
                "licence_requests": by_month(*requests, starts),
                "matches": by_month(*matches, starts),
            },
            key="month",
            keys=[s.strftime("%Y-%m") for s in starts],
        ),
    }


def _countries(technologies, needs, organizations, memberships) -> list[dict]:
    """Country ranking: listings by their organisation's country, users by their organisation's."""
    countries = table(
        {
            "technologies": grouped(technologies, "organization__country"),
            "organizations": grouped(organizations, "country"),
            "users": grouped(memberships, "organization__country", count="user_id"),
            "needs": grouped(needs, "organization__country"),
        },
        key="country",
    )
    countries.sort(
        key=lambda r: (-r["technologies"], -r["needs"], -r["organizations"], r["country"])
    )
    return countries


def _fields(groups) -> list[dict]:
    columns = {"technologies": by_field_group(Technology), "needs": by_field_group(Need)}
    return [
        {"slug": g.slug, "name_en": g.name_en, "name_ja": g.name_ja}
        | {name: column.get(g.pk, 0) for name, column in columns.items()}
        for g in groups
    ]


def table(columns: dict[str, dict], *, key: str, keys: list | None = None) -> list[dict]:
    """Rows {key: k, column: count, ...}: for `keys` in order, else every key with a count."""
    if keys is None:
        seen = set()
        for column in columns.values():
            seen.update(column)
        keys = sorted(seen)
    return [{key: k} | {name: column.get(k, 0) for name, column in columns.items()} for k in keys]


# Privacy rule 2.

PRIVATE_FIGURES = frozenset({"users", "licence_requests", "matches", "agreements"})
AGREEMENT_SECTIONS = ("agreements_by_field", "agreements_by_country", "agreements_by_month")


def suppress(value: int | None) -> int | None:
    """A private figure below the threshold becomes None ("fewer than 3")."""
    if value is None or value < THRESHOLD:
        return None
    return value


def apply_privacy_rule(data: dict) -> dict:
    """The figures as published: private counts below the threshold replaced by None."""
    out = dict(data)
    out["totals"] = {
        name: suppress(value) if name in PRIVATE_FIGURES else value
        for name, value in data["totals"].items()
    }
    for section in ("countries", "organization_kinds", "fields", "trl", "ip_status", "months"):
        out[section] = [
            {
                name: suppress(value) if name in PRIVATE_FIGURES else value
                for name, value in row.items()
            }
            for row in data[section]
        ]
    for section in AGREEMENT_SECTIONS:
        out[section] = [row | {"agreements": suppress(row["agreements"])} for row in data[section]]
    out["decline_reasons_by_field"] = [
        {
            name: suppress_by_organizations(value) if isinstance(value, dict) else value
            for name, value in row.items()
        }
        for row in data["decline_reasons_by_field"]
    ]
    return out


def suppress_by_organizations(cell: dict) -> int | None:
    """A reason's count, published only when at least THRESHOLD organisations gave it."""
    if cell["organizations"] < THRESHOLD:
        return None
    return cell["n"]
