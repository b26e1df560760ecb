"""The matching engine used by every page and command: rank technologies for a need and needs
for a technology, each with a score and reasons.

Three steps, all driven by the stored representation (matching.models):
1. candidates: one SQL aggregate over the inverted index (postings) for the query's most
   informative terms (those carrying 98 % of its idf-weighted mass, at most 48), reading at
   most the 500 heaviest postings of each term (impact order), top 200;
2. exact scoring: the same SQL statement sums, for each candidate, every term it shares with
   the query (its dot product with the query, and the heaviest shared terms for the reasons),
   so the cosine is exact; fields, TRL, partnership and country fit come from the candidates'
   rows (matching.scoring, one documented formula);
3. language calibration of the text part (scoring.calibrate), for a need's candidates their
   hub values taken off (scoring.take_off_hubs: hubness reduction), then the order; for a
   need, its best candidates' likeness to its best few added (scoring.propagate: two queries
   more, :func:`cosines_with_best`, over at most ``Options.propagation_pool`` candidates) and
   the order again.
A fixed number of SQL queries, whatever the corpus size. (Pseudo-relevance feedback, a second
pass from the first pass's top few, was removed: it did not earn its place by cross-validation
and cost most at scale; see docs/matching.md.)
"""

from dataclasses import dataclass, field

from django.db import connection

from . import scoring
from .models import ListingKind, Representation
from .options import DEFAULT, Options
from .representation import corpus_size, idf, kind_of, norm

CANDIDATES = 200
QUERY_MASS = 0.98
QUERY_TERMS = 48
#: Candidate retrieval reads, for each query term, its postings of highest weight (BM25 term
#: weight, the term's share of the listing: an impact-ordered index) up to this many. A term
#: found in fewer listings is read whole, so small exchanges (and the evaluation) get every
#: listing sharing a term as a candidate; in a large catalogue retrieval costs at most
#: QUERY_TERMS x POSTINGS_PER_TERM index entries whatever the terms' frequencies (ties by the
#: highest listing id: the index's own order, read backwards). Scoring of the candidates is
#: exact (every shared term), so only the candidate set is approximate.
POSTINGS_PER_TERM = 500


@dataclass
class Ranked:
    listing_id: int
    score: float
    reasons: list = field(default_factory=list)
    #: the score before the technology's hub value was taken off (scoring.take_off_hubs).
    raw: float = 0.0


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


def rank(listing, *, limit: int = 10, exclude_ids=(), options: Options = DEFAULT) -> list[Ranked]:
    """Rank the public listings of the other kind for one technology or need. ``options``:
    which parts of the engine take part (pages use the default; the evaluation varies it)."""
    query_kind = kind_of(listing)
    target_kind = (
        ListingKind.NEED if query_kind == ListingKind.TECHNOLOGY else ListingKind.TECHNOLOGY
    )
    representation = Representation.objects.filter(kind=query_kind, listing_id=listing.pk).first()
    if representation is None:
        from .representation import refresh_representation

        representation = refresh_representation(listing)
    return rank_representation(
        representation,
        target_kind,
        query_attrs=fit_attributes(listing),
        limit=limit,
        exclude_ids=exclude_ids,
        options=options,
    )


def rank_representation(
    representation,
    target_kind,
    *,
    query_attrs,
    limit=10,
    exclude_ids=(),
    options: Options = DEFAULT,
) -> list[Ranked]:
    """Rank for a stored representation: one candidate pass, a bounded number of SQL queries that does
    not grow with the corpus."""
    vector = representation.vector
    n_docs = max(corpus_size(), 1)
    terms, df = term_stats(vector)
    retrieval, weights = query_weights(vector, terms, df, n_docs)
    if not weights:
        return []
    exclude = [int(x) for x in exclude_ids] + (
        [representation.listing_id] if representation.kind == target_kind else []
    )
    by_id = {term_id: term for term, term_id in terms.items()}
    with connection.cursor() as cursor:
        scored = _scored_candidates(cursor, target_kind, retrieval, weights, by_id, exclude)
    if not scored:
        return []
    query = query_features(representation, query_attrs, df, n_docs)
    candidates = _candidate_features(target_kind, scored, by_id)
    query_is_need = target_kind == ListingKind.TECHNOLOGY
    return ordered(query, candidates, df, n_docs, query_is_need, limit=limit, options=options)


def query_weights(vector, terms, df, n_docs) -> tuple[dict[int, float], dict[int, float]]:
    """``(retrieval, weights)`` of a query vector, by term id: the weights of its most
    informative terms (:func:`query_terms`, candidate retrieval) and of all its terms found in
    the corpus (exact scoring): its weight times the term's idf."""
    chosen = query_terms(vector, df, n_docs)
    weights = {terms[t]: vector[t] * idf(df[t], n_docs) for t in vector if t in terms and df.get(t)}
    return {terms[t]: weights[terms[t]] for t in chosen if t in terms}, weights


def query_features(representation, attrs, df, n_docs) -> scoring.Features:
    """The query's features: its stored representation, its norm under the current document
    frequencies, and its fit attributes (:func:`fit_attributes`)."""
    vector = representation.vector
    return listing_features(
        vector,
        norm(vector, df, n_docs),
        representation.fields,
        representation.groups,
        representation.language,
        attrs,
    )


def ordered(
    query, candidates, df, n_docs, query_is_need, *, limit, options: Options = DEFAULT
) -> list[Ranked]:
    """The candidates ({listing id: Features, with their dot products}) scored for the query,
    calibrated by language and ordered, best first: the end of every ranking."""
    rows = scoring.score_rows(query, candidates, df, n_docs, query_is_need, options=options)
    scoring.calibrate(rows, options)
    scoring.take_off_hubs(rows, query, candidates, query_is_need, options)
    rows.sort(key=scoring.ScoredRow.order)
    if query_is_need and options.propagation and len(rows) > scoring.PROPAGATION_K:
        pool = scoring.propagation_pool(rows, options)
        scoring.propagate(rows, cosines_with_best(pool, candidates, n_docs), options)
    return [Ranked(r.key, round(r.score, 4), r.reasons, round(r.raw, 4)) for r in rows[:limit]]


def cosines_with_best(rows, candidates, n_docs) -> dict:
    """:func:`scoring.cosines_with` for a need's candidates (``rows`` best first), in two
    queries: the best ones' stored vectors with their terms' document frequencies, then each
    candidate's dot product with each of them, summed in SQL over its stored vector expanded
    once (as in :func:`_scored_candidates`)."""
    best = scoring.best_keys(rows)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT pr.listing_id, e.key, e.value::float8, t.df
            FROM matching_profile pr
            CROSS JOIN LATERAL jsonb_each(pr.vector) e
            JOIN matching_term t ON t.text = e.key
            WHERE pr.kind = %s AND pr.listing_id = ANY(%s::bigint[]) AND t.df > 0
            """,
            [ListingKind.TECHNOLOGY, best],
        )
        terms, keys, weights = [], [], []
        for key, term, weight, df in cursor.fetchall():
            terms.append(term)
            keys.append(key)
            weights.append(weight * idf(df, n_docs) / (candidates[key].norm or 1.0))
        cursor.execute(
            """
            WITH b AS MATERIALIZED (
                SELECT * FROM unnest(%s::text[], %s::bigint[], %s::float8[]) AS b(term, best, w)
            )
            SELECT pr.listing_id, b.best, sum(e.value::float8 * b.w)
            FROM matching_profile pr
            CROSS JOIN LATERAL jsonb_each(pr.vector) e
            JOIN b ON b.term = e.key
            WHERE pr.kind = %s AND pr.listing_id = ANY(%s::bigint[])
            GROUP BY pr.listing_id, b.best
            """,
            [terms, keys, weights, ListingKind.TECHNOLOGY, [r.key for r in rows]],
        )
        out: dict = {}
        for key, b, dot in cursor.fetchall():
            out.setdefault(key, {})[b] = dot / (candidates[key].norm or 1.0)
    return out


def term_stats(texts) -> tuple[dict[str, int], dict[str, int]]:
    """Ids and document frequencies of the stored terms among ``texts`` (one statement, one
    array parameter however many terms: the nightly rebuild asks for a chunk's thousands)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT text, id, df FROM matching_term WHERE text = ANY(%s::text[])", [list(texts)]
        )
        rows = cursor.fetchall()
    return {t: pk for t, pk, _ in rows}, {t: d for t, _, d in rows}


def _candidate_features(kind, scored, by_id) -> dict:
    """Features of the still-public candidates, with their dot products from SQL instead of a
    vector (scoring.text_part)."""
    new_ids = list(scored)
    representations = {
        p.listing_id: p
        for p in Representation.objects.filter(kind=kind, listing_id__in=new_ids).only(
            "listing_id", "norm", "language", "fields", "groups", "hub"
        )
    }
    attrs = candidate_attributes(kind, new_ids) if new_ids else {}
    out = {}
    for listing_id in sorted(scored):
        dot, top_terms = scored[listing_id]
        p = representations.get(listing_id)
        if p is None or listing_id not in attrs:
            continue
        cand = listing_features({}, p.norm, p.fields, p.groups, p.language, attrs[listing_id])
        cand.dot, cand.terms = dot, [by_id[t] for t in top_terms if t in by_id]
        cand.hub = p.hub
        out[listing_id] = cand
    return out


def _scored_candidates(
    cursor, kind, rank_weights, score_weights, texts, exclude
) -> dict[int, tuple[float, list[int]]]:
    """Candidates and their exact dot products, in one query.

    Candidates are the top ``CANDIDATES`` listings by partial dot product over
    ``rank_weights``, read from each term's ``POSTINGS_PER_TERM`` heaviest postings (an
    index-only, backward scan of the postings' primary key). For each, every query term
    found in its stored vector (its profile, one row by the unique index) is summed in SQL:
    the dot product with ``score_weights`` (query weight x idf, by term id; ``texts`` gives
    each id's term) and the query terms that contribute most (the reasons). With few public
    listings every one sharing a term is a candidate, so small exchanges (and the evaluation)
    are ranked exactly. Returns ``{listing_id: (dot, [term ids, heaviest first])}``."""
    term_ids = sorted(score_weights)
    cursor.execute(
        """
        WITH q AS MATERIALIZED (
            SELECT * FROM unnest(%s::bigint[], %s::text[], %s::float8[]) AS q(term_id, text, w)
        ),
        cand AS (
            SELECT p.listing_id
            FROM unnest(%s::bigint[], %s::float8[]) AS r(term_id, w)
            CROSS JOIN LATERAL (
                SELECT p.listing_id, p.weight FROM matching_posting p
                WHERE p.term_id = r.term_id AND p.kind = %s
                  AND NOT (p.listing_id = ANY(%s::bigint[]))
                ORDER BY p.weight DESC, p.listing_id DESC
                LIMIT %s
            ) p
            GROUP BY p.listing_id
            ORDER BY sum(p.weight * r.w) DESC, p.listing_id
            LIMIT %s
        )
        -- Each candidate's stored vector is expanded once and joined with the query's terms
        -- there (a lookup per query term would decompress the vector again for every term).
        SELECT cand.listing_id, s.dot, s.top
        FROM cand
        JOIN matching_profile pr ON pr.kind = %s AND pr.listing_id = cand.listing_id
        CROSS JOIN LATERAL (
            SELECT sum(e.value::float8 * q.w) AS dot,
                   (array_agg(q.term_id ORDER BY e.value::float8 * q.w DESC, q.term_id))[1:%s]
                       AS top
            FROM jsonb_each(pr.vector) e JOIN q ON q.text = e.key
        ) s
        WHERE s.dot IS NOT NULL
        """,
        [
            term_ids,
            [texts[t] for t in term_ids],
            [score_weights[t] for t in term_ids],
            list(rank_weights),
            list(rank_weights.values()),
            kind,
            list(exclude),
            POSTINGS_PER_TERM,
            CANDIDATES,
            kind,
            scoring.N_REASON_TERMS,
        ],
    )
    return {listing_id: (dot or 0.0, list(top or [])) for listing_id, dot, top in cursor.fetchall()}


def listing_features(vector, norm_value, fields, groups, language, attrs) -> scoring.Features:
    return scoring.Features(
        vector=vector,
        norm=norm_value,
        fields=list(fields),
        groups=list(groups),
        language=language,
        **attrs,
    )


def fit_attributes(listing) -> dict:
    if kind_of(listing) == ListingKind.TECHNOLOGY:
        return {"trl": listing.trl, "countries": listing.countries, "offers": listing.partnerships}
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

    if kind == ListingKind.TECHNOLOGY:
        rows = (
            Technology.objects.published()
            .filter(pk__in=ids)
            .values_list("pk", "trl", "countries", "partnerships")
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
