"""The measure of the dispatch programme: what happened at each assignment's organisation
during its period. One query for the counts (correlated subqueries), one for the listings
the adviser improved, whatever the number of assignments."""

import csv
from dataclasses import dataclass, field

from django.db.models import F, Func, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from licensing.models import Agreement, LicenceRequest
from listings.models import Technology
from matching.models import Match

from .models import AdviserAssignment, Proposal, ShortlistEntry

COLUMNS = [
    ("listings_added", _("Listings added")),
    ("listings_improved", _("Listings improved")),
    ("proposals", _("Proposed edits")),
    ("proposals_accepted", _("Proposed edits accepted")),
    ("partners_shortlisted", _("Partners shortlisted")),
    ("licence_requests", _("Licence requests")),
    ("confirmed_matches", _("Confirmed matches")),
    ("agreements", _("Agreements")),
]


def _count(
    queryset, organization_path: str, date_path: str, adviser_path: str | None = None, of="pk"
):
    """Rows of the assignment's organisation dated within its period (inclusive)."""
    filters = {
        organization_path: OuterRef("organization_id"),
        f"{date_path}__date__gte": OuterRef("start"),
        f"{date_path}__date__lte": OuterRef("end"),
    }
    if adviser_path:
        filters[adviser_path] = OuterRef("adviser_id")
    # COUNT as a plain function: an aggregate over the whole subquery, without GROUP BY.
    counted = (
        queryset.filter(**filters)
        .order_by()
        .annotate(n=Func(F(of), function="COUNT", template="COUNT(DISTINCT %(expressions)s)"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_activity(assignments):
    """Annotate each assignment with the counts named in COLUMNS."""
    accepted = Proposal.objects.filter(state=Proposal.State.ACCEPTED)
    return assignments.annotate(
        listings_added=_count(Technology.objects.all(), "organization_id", "created_at"),
        listings_improved=_count(
            accepted, "technology__organization_id", "decided_at", "adviser_id", of="technology_id"
        ),
        proposals=_count(
            Proposal.objects.all(), "technology__organization_id", "created_at", "adviser_id"
        ),
        proposals_accepted=_count(
            accepted, "technology__organization_id", "decided_at", "adviser_id"
        ),
        partners_shortlisted=_count(
            ShortlistEntry.objects.all(), "technology__organization_id", "created_at", "added_by_id"
        ),
        licence_requests=_count(
            LicenceRequest.objects.all(), "technology__organization_id", "created_at"
        ),
        confirmed_matches=_count(
            Match.objects.filter(confirmed=True), "technology__organization_id", "confirmed_at"
        ),
        agreements=_count(
            Agreement.objects.confirmed(), "request__technology__organization_id", "confirmed_at"
        ),
    )


@dataclass
class Row:
    assignment: AdviserAssignment
    counts: dict
    improved: list = field(default_factory=list)  # accepted proposals: score before -> after


def activity_rows(assignments) -> list[Row]:
    assignments = list(with_activity(assignments.select_related("adviser", "organization")))
    rows = [Row(a, {name: getattr(a, name) for name, _label in COLUMNS}) for a in assignments]
    if not rows:
        return rows
    proposals = (
        Proposal.objects.filter(
            state=Proposal.State.ACCEPTED,
            adviser_id__in={a.adviser_id for a in assignments},
            technology__organization_id__in={a.organization_id for a in assignments},
        )
        .select_related("technology")
        .order_by("decided_at")
    )
    for proposal in proposals:
        for row in rows:
            a = row.assignment
            if (
                proposal.adviser_id == a.adviser_id
                and proposal.technology.organization_id == a.organization_id
                and a.start <= proposal.decided_at.date() <= a.end
            ):
                row.improved.append(proposal)
    return rows


def write_csv(rows: list[Row], out) -> None:
    writer = csv.writer(out)
    writer.writerow(
        [_("IP adviser"), _("e-mail"), _("organisation"), _("first day"), _("last day")]
        + [str(label) for _name, label in COLUMNS]
        + [_("quality score before → after")]
    )
    for row in rows:
        a = row.assignment
        scores = "; ".join(
            f"{p.technology.title}: {p.score_before}→{p.score_after}" for p in row.improved
        )
        writer.writerow(
            [a.adviser.full_name, a.adviser.email, a.organization.name, a.start, a.end]
            + [row.counts[name] for name, _label in COLUMNS]
            + [scores]
        )
