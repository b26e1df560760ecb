"""The matching engine used by every page and command: rank technologies for a need and needs
for a technology, each with a score and reasons.

Three steps, all driven by the stored representation (matching.models):
1. candidates: one SQL aggregate over the inverted index (postings) for the query's most
   informative terms (those carrying 98 % of its idf-weighted mass, at most 48), top 300;
2. exact scoring: a second SQL query returns every shared term of those candidates, so the
   cosine and the matched terms are exact; fields, TRL, partnership and country fit come from
   the candidates' rows (matching.scoring, one documented formula);
3. language calibration of the text part (scoring.calibrate), then the final order.
"""

from dataclasses import dataclass, field

from django.db import connection

from . import scoring
from .models import Kind, Profile, Term
from .representation import corpus_size, idf, kind_of, norm

CANDIDATES = 300
QUERY_MASS = 0.98
QUERY_TERMS = 48


@dataclass
class Ranked:
    listing_id: int
    score: float
    reasons: list = field(default_factory=list)


def query_terms(vector: dict[str, float], df: dict[str, int], n_docs: int) -> list[str]:
    """The query's terms that carry most of its weight (w² · idf), heaviest first."""
    mass = sorted(
        ((w * w * idf(df.get(t, 0), n_docs), t) for t, w in vector.items() if df.get(t)),
        reverse=True,
    )
    total = sum(m for m, _ in mass) or 1.0
    chosen, acc = [], 0.0
    for m, t in mass:
        chosen.append(t)
        acc += m
        if acc >= QUERY_MASS * total or len(chosen) >= QUERY_TERMS:
            break
    return chosen


def rank(listing, *, limit: int = 10, exclude_ids=()) -> list[Ranked]:
    """Rank the public listings of the other kind for one technology or need."""
    query_kind = kind_of(listing)
    target_kind = Kind.NEED if query_kind == Kind.TECHNOLOGY else Kind.TECHNOLOGY
    profile = Profile.objects.filter(kind=query_kind, listing_id=listing.pk).first()
    if profile is None:
        from .representation import refresh_representation

        profile = refresh_representation(listing)
    return rank_profile(
        profile,
        target_kind,
        query_attrs=fit_attributes(listing),
        limit=limit,
        exclude_ids=exclude_ids,
    )


def rank_profile(profile, target_kind, *, query_attrs, limit=10, exclude_ids=()) -> list[Ranked]:
    vector = profile.vector
    n_docs = max(corpus_size(), 1)
    terms = dict(Term.objects.filter(text__in=list(vector)).values_list("text", "pk"))
    df = dict(Term.objects.filter(text__in=list(vector)).values_list("text", "df"))
    chosen = query_terms(vector, df, n_docs)
    query_norm = norm(vector, df, n_docs)
    weights = {terms[t]: vector[t] * idf(df[t], n_docs) for t in vector if t in terms and df.get(t)}
    if not weights:
        return []
    exclude = [int(x) for x in exclude_ids] + (
        [profile.listing_id] if profile.kind == target_kind else []
    )
    with connection.cursor() as cursor:
        candidate_ids = _candidates(
            cursor, target_kind, {terms[t]: weights[terms[t]] for t in chosen}, exclude
        )
        shared = _shared_terms(cursor, target_kind, candidate_ids, weights) if candidate_ids else {}
    if not candidate_ids:
        return []
    by_id = {term_id: text for text, term_id in terms.items()}
    profiles = {
        p.listing_id: p
        for p in Profile.objects.filter(kind=target_kind, listing_id__in=candidate_ids).only(
            "listing_id", "norm", "language", "fields", "groups"
        )
    }
    attrs = candidate_attributes(target_kind, candidate_ids)
    query_repr = _repr(
        vector, query_norm, profile.fields, profile.groups, profile.language, query_attrs
    )
    rows = []
    for listing_id in candidate_ids:
        p = profiles.get(listing_id)
        if p is None or listing_id not in attrs:
            continue
        cand_vector = {by_id[t]: w for t, w in shared.get(listing_id, {}).items()}
        cand_repr = _repr(cand_vector, p.norm, p.fields, p.groups, p.language, attrs[listing_id])
        need, tech = (
            (query_repr, cand_repr) if target_kind == Kind.TECHNOLOGY else (cand_repr, query_repr)
        )
        total, reasons = scoring.score(need, tech, df, n_docs)
        text, _ = scoring.text_score(need, tech, df, n_docs)
        rows.append([total, listing_id, reasons, text, p.language])
    scoring.calibrate(rows)
    rows.sort(key=lambda r: (-r[0], r[1]))
    return [Ranked(listing_id=r[1], score=round(r[0], 4), reasons=r[2]) for r in rows[:limit]]


def _candidates(cursor, kind, weights: dict[int, float], exclude) -> list[int]:
    """Top candidates by partial dot product over the chosen terms (an index-only scan).

    With few public listings every one sharing a term is a candidate, so small exchanges
    (and the evaluation) are ranked exactly."""
    cursor.execute(
        """
        SELECT p.listing_id
        FROM matching_posting p
        JOIN unnest(%s::bigint[], %s::float8[]) AS q(term_id, w) ON q.term_id = p.term_id
        WHERE p.kind = %s AND NOT (p.listing_id = ANY(%s::bigint[]))
        GROUP BY p.listing_id
        ORDER BY sum(p.weight * q.w) DESC, p.listing_id
        LIMIT %s
        """,
        [list(weights), list(weights.values()), kind, list(exclude), CANDIDATES],
    )
    return [row[0] for row in cursor.fetchall()]


def _shared_terms(cursor, kind, listing_ids, weights) -> dict[int, dict[int, float]]:
    cursor.execute(
        """
        SELECT listing_id, term_id, weight FROM matching_posting
        WHERE kind = %s AND listing_id = ANY(%s::bigint[]) AND term_id = ANY(%s::bigint[])
        """,
        [kind, list(listing_ids), list(weights)],
    )
    shared: dict[int, dict[int, float]] = {}
    for listing_id, term_id, weight in cursor.fetchall():
        shared.setdefault(listing_id, {})[term_id] = weight
    return shared


def _repr(vector, norm_value, fields, groups, language, attrs) -> dict:
    return {
        "vector": vector,
        "norm": norm_value,
        "fields": list(fields),
        "groups": list(groups),
        "language": language,
        **attrs,
    }


def fit_attributes(listing) -> dict:
    if kind_of(listing) == Kind.TECHNOLOGY:
        return {"trl": listing.trl, "countries": listing.countries, "offers": listing.offers}
    return {
        "trl_min": listing.trl_min,
        "trl_max": listing.trl_max,
        "countries": listing.countries,
        "partnerships": listing.partnerships,
    }


def candidate_attributes(kind, ids) -> dict[int, dict]:
    """TRL, countries and offers/partnerships of the candidates that are still public."""
    from listings.models import Technology
    from needs.models import Need

    if kind == Kind.TECHNOLOGY:
        rows = (
            Technology.objects.published()
            .filter(pk__in=ids)
            .values_list("pk", "trl", "countries", "offers")
        )
        return {pk: {"trl": trl, "countries": c, "offers": o} for pk, trl, c, o in rows}
    rows = (
        Need.objects.open()
        .filter(pk__in=ids)
        .values_list("pk", "trl_min", "trl_max", "countries", "partnerships")
    )
    return {
        pk: {"trl_min": lo, "trl_max": hi, "countries": c, "partnerships": p}
        for pk, lo, hi, c, p in rows
    }
