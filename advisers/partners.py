"""Partner search for a technology: who might license it, ranked, with the reason for each.

Four sources, each one query (plus the matching engine's fixed number):
- companies whose published needs the matching engine ranks for the technology
  (matching.selectors.suggested_needs, its public API);
- organisations that requested licences for published technologies in the same field or a
  neighbouring one (same top-level group): counted, never naming the other technology or
  request, which are private to their two parties;
- organisations whose members follow published listings in those fields (`follower_counts`);
- companies and start-ups in the countries the technology targets.
Only public facts are shown: published needs, organisation names and countries, counts.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization
from alerts.models import Follow
from lib.i18n import country_name
from licensing.models import LicenceRequest
from listings.lifecycle import Status
from matching.selectors import suggested_needs

from .models import ShortlistEntry

NEEDS_CONSIDERED = 20
COUNTRY_CANDIDATES = 20
# Points per source: a need ranked for the technology counts most (scaled by its score).
POINTS_NEED = 40
POINTS_SAME_FIELD_REQUEST = 30
POINTS_NEIGHBOUR_REQUEST = 15
POINTS_FOLLOW = 15
POINTS_COUNTRY = 10
PARTNER_TYPES = (Organization.Type.COMPANY, Organization.Type.STARTUP)


@dataclass
class Candidate:
    organization: Organization
    score: float = 0.0
    reasons: list = field(default_factory=list)
    shortlisted: bool = False

    @property
    def reason_text(self) -> str:
        return "; ".join(str(reason) for reason in self.reasons)


def follower_counts(technology, field_ids: list[int], group_ids: list[int]) -> dict[int, int]:
    """Organisations whose members follow published technologies or needs in the technology's
    fields or their groups: {organisation id: listings followed}. One query; who follows what
    stays private (only the count is shown)."""
    ids = group_ids + field_ids
    if not ids:
        return {}
    rows = (
        Follow.objects.filter(
            Q(technology__status=Status.PUBLISHED, technology__field_ids__overlap=ids)
            | Q(need__status=Status.PUBLISHED, need__field_ids__overlap=ids),
            user__is_active=True,
            user__memberships__status=Membership.Status.ACTIVE,
        )
        .exclude(user__memberships__organization_id=technology.organization_id)
        .exclude(technology_id=technology.pk)
        .values("user__memberships__organization_id")
        .annotate(n=Count("pk", distinct=True))
    )
    return {r["user__memberships__organization_id"]: r["n"] for r in rows}


def _field_ids(technology) -> tuple[list[int], list[int]]:
    fields = list(technology.fields.all())
    field_ids = [f.pk for f in fields]
    group_ids = sorted({f.parent_id or f.pk for f in fields})
    return field_ids, group_ids


def _requester_counts(technology, field_ids, group_ids):
    """Licence requests on published technologies in these fields, per requesting
    organisation: (same field, neighbouring field)."""
    if not group_ids:
        return {}
    rows = (
        LicenceRequest.objects.filter(
            technology__status=Status.PUBLISHED,
            technology__field_ids__overlap=group_ids + field_ids,
        )
        .exclude(requester_organization_id=technology.organization_id)
        .values("requester_organization_id")
        .annotate(
            same=Count("pk", filter=Q(technology__field_ids__overlap=field_ids or [0])),
            total=Count("pk"),
        )
    )
    return {r["requester_organization_id"]: (r["same"], r["total"] - r["same"]) for r in rows}


def find_partners(technology, *, limit: int = 30) -> list[Candidate]:
    """Ranked partner candidates for a technology (never its own organisation)."""
    candidates: dict[int, Candidate] = {}
    _add_need_posters(candidates, technology)
    field_ids, group_ids = _field_ids(technology)
    _add_requesters(candidates, technology, field_ids, group_ids)
    for organization_id, n in follower_counts(technology, field_ids, group_ids).items():
        entry = _entry(candidates, organization_id)
        entry.score += POINTS_FOLLOW
        entry.reasons.append(_("Follows %(n)s listings in these fields") % {"n": n})
    organizations = _add_target_countries(candidates, technology)
    candidates.pop(technology.organization_id, None)
    return _ranked(candidates, organizations, technology)[:limit]


def _entry(candidates: dict, organization_id) -> Candidate:
    return candidates.setdefault(organization_id, Candidate(organization=None))


def _add_need_posters(candidates: dict, technology) -> None:
    """Organisations whose needs matching ranks for the technology."""
    for suggestion in suggested_needs(technology, limit=NEEDS_CONSIDERED, for_owner=False):
        need = suggestion.listing
        if need.organization_id == technology.organization_id:
            continue
        entry = _entry(candidates, need.organization_id)
        entry.organization = need.organization
        entry.score += POINTS_NEED * min(max(suggestion.score, 0.0), 1.0) + POINTS_NEED / 2
        entry.reasons.append(
            _("Posted the need “%(title)s”, which matching ranks for this technology")
            % {"title": need.title}
        )


def _add_requesters(candidates: dict, technology, field_ids, group_ids) -> None:
    """Organisations that requested licences for technologies in the same or a nearby field."""
    counts = _requester_counts(technology, field_ids, group_ids)
    for organization_id, (same, neighbour) in counts.items():
        entry = _entry(candidates, organization_id)
        if same:
            entry.score += POINTS_SAME_FIELD_REQUEST
            entry.reasons.append(
                _("Requested licences for %(n)s technologies in the same field") % {"n": same}
            )
        if neighbour:
            entry.score += POINTS_NEIGHBOUR_REQUEST
            entry.reasons.append(
                _("Requested licences for %(n)s technologies in a neighbouring field")
                % {"n": neighbour}
            )


def _add_target_countries(candidates: dict, technology) -> dict:
    """Companies in the countries where the technology is offered. One query loads them and the
    candidates found so far; returns those organisations by pk."""
    targets = list(technology.countries or [])
    in_targets = (
        Organization.objects.filter(country__in=targets, type__in=PARTNER_TYPES)
        .exclude(pk=technology.organization_id)
        .order_by("name", "pk")
        .values("pk")[:COUNTRY_CANDIDATES]
    )
    condition = Q(pk__in=list(candidates))
    if targets:
        condition |= Q(pk__in=in_targets)
    organizations = {o.pk: o for o in Organization.objects.filter(condition)}
    for organization in organizations.values():
        if organization.country.code in targets:
            entry = _entry(candidates, organization.pk)
            entry.score += POINTS_COUNTRY
            entry.reasons.append(
                _("Based in %(country)s, where the technology is offered")
                % {"country": country_name(organization.country.code)}
            )
    return organizations


def _ranked(candidates: dict, organizations: dict, technology) -> list[Candidate]:
    """Best first, marked when already on the technology's shortlist."""
    shortlisted = set(
        ShortlistEntry.objects.filter(technology=technology).values_list("partner_id", flat=True)
    )
    ranked = []
    for organization_id, entry in candidates.items():
        entry.organization = organizations.get(organization_id, entry.organization)
        if entry.organization is None:
            continue
        entry.shortlisted = organization_id in shortlisted
        entry.score = round(entry.score, 1)
        ranked.append(entry)
    ranked.sort(key=lambda c: (-c.score, c.organization.name, c.organization.pk))
    return ranked
