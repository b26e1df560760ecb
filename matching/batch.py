"""Every published technology's best needs at once: the technology side of the nightly
`suggestions_rebuild` (issue 18).

Ranking one technology's needs is an `engine.rank` query (a few SQL statements; with storing
its list ~200 ms on the shared bench machine at 100,000 technologies, 75 ms of it the
database's CPU), so a catalogue's ~88,000 technology lists took hours one by one. But
each of those queries ranks the same few hundred open needs: their side of the index (their
postings, stored vectors and features) is read here once and kept in memory, the
technologies' representations are read in chunks, and each technology is ranked against the
needs in Python, by the engine's own steps and in the same order:

1. candidates: the query's most informative terms (`engine.query_weights`), each term's
   ``POSTINGS_PER_TERM`` heaviest need postings (heaviest first, then the highest id, as
   the postings' index is read backwards), the ``CANDIDATES`` best by partial dot product
   (ties by id);
2. the exact dot product of each candidate still open over every term it shares with the
   query, and its heaviest shared terms (the reasons);
3. `engine.ordered`: the score, the language calibration among these candidates and the order.

So a technology's list is what `engine.rank` gives it (`suggestions_rebuild --compare`
checks it). A technology without a stored representation yet is left to `engine.rank`.
"""

from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from copy import copy
from dataclasses import dataclass
from typing import NamedTuple

from . import engine
from .engine import Ranked
from .models import ListingKind, Posting, Representation
from .options import DEFAULT, Options
from .representation import corpus_size
from .scoring import N_REASON_TERMS, Features

#: technologies ranked per chunk (their representations and terms read in a few queries).
CHUNK = 1000


@dataclass
class Needs:
    """The open needs as a technology's query sees them."""

    #: term id -> [(posting weight, need id)], heaviest first, at most POSTINGS_PER_TERM.
    postings: dict[int, list[tuple[int, int]]]
    #: need id -> its stored vector, for the open needs.
    vectors: dict[int, dict[str, float]]
    #: need id -> the terms of its stored vector.
    terms: dict[int, frozenset[str]]
    #: need id -> its features (a candidate's, without dot product) for the open needs.
    features: dict[int, Features]


def load_needs() -> Needs:
    """The needs' postings, and the stored vectors and features of the open ones (a few
    queries, a few hundred needs)."""
    postings: dict[int, list[tuple[int, int]]] = {}
    rows = (
        Posting.objects.filter(kind=ListingKind.NEED)
        .order_by("term_id", "-weight", "-listing_id")
        .values_list("term_id", "weight", "listing_id")
    )
    for term_id, weight, listing_id in rows:
        heaviest = postings.setdefault(term_id, [])
        if len(heaviest) < engine.POSTINGS_PER_TERM:
            heaviest.append((weight, listing_id))
    posted = sorted({listing_id for heaviest in postings.values() for _w, listing_id in heaviest})
    attrs = engine.candidate_attributes(ListingKind.NEED, posted) if posted else {}
    features, vectors = {}, {}
    for p in Representation.objects.filter(kind=ListingKind.NEED, listing_id__in=list(attrs)):
        features[p.listing_id] = engine.listing_features(
            {}, p.norm, p.fields, p.groups, p.language, attrs[p.listing_id]
        )
        vectors[p.listing_id] = p.vector
    terms = {need_id: frozenset(vector) for need_id, vector in vectors.items()}
    return Needs(postings, vectors, terms, features)


def rank_needs(
    representation,
    attrs: dict,
    needs: Needs,
    terms: dict[str, int],
    df: dict[str, int],
    n_docs: int,
    *,
    limit: int,
    options: Options = DEFAULT,
) -> list[Ranked]:
    """One technology's best needs, as ``engine.rank`` gives them (``terms``, ``df``: the
    ids and document frequencies of at least its terms)."""
    vector = representation.vector
    retrieval, weights = engine.query_weights(vector, terms, df, n_docs)
    if not weights:
        return []
    scored = {t: (weights[terms[t]], terms[t]) for t in vector if terms.get(t) in weights}
    scored_terms = set(scored)
    candidates = {}
    for need_id in sorted(_candidates(retrieval, needs)):
        need_vector = needs.vectors.get(need_id)
        shared = needs.terms[need_id] & scored_terms if need_vector else ()
        if shared:
            candidates[need_id] = _candidate(needs.features[need_id], need_vector, scored, shared)
    if not candidates:
        return []
    query = engine.query_features(representation, attrs, df, n_docs)
    return engine.ordered(query, candidates, df, n_docs, False, limit=limit, options=options)


def _candidates(retrieval: dict[int, float], needs: Needs) -> list[int]:
    """The ``engine.CANDIDATES`` needs of highest partial dot product over the retrieval terms."""
    partial: dict[int, float] = {}
    for term_id, w in retrieval.items():
        for weight, need_id in needs.postings.get(term_id, ()):
            partial[need_id] = partial.get(need_id, 0.0) + weight * w
    return sorted(partial, key=lambda need_id: (-partial[need_id], need_id))[: engine.CANDIDATES]


def _candidate(features: Features, need_vector: dict, scored: dict, shared) -> Features:
    """A need's features with its dot product with the query and its heaviest shared terms
    (ties by term id), from ``scored`` ({term: (query weight x idf, term id)})."""
    # Negated contributions: the natural order of the tuples is the reasons' order.
    contributions = sorted((-need_vector[t] * scored[t][0], scored[t][1], t) for t in shared)
    candidate = copy(features)
    candidate.dot = -sum(c[0] for c in contributions)
    candidate.terms = [c[2] for c in contributions[:N_REASON_TERMS]]
    return candidate


class Query(NamedTuple):
    """What a technology's query reads of its stored representation."""

    vector: dict[str, float]
    fields: list[str]
    groups: list[str]
    language: str


@dataclass
class Chunk:
    """A chunk of technologies as read from the database: all their ranking needs besides
    the needs' side."""

    ids: list[int]
    queries: dict[int, Query]
    attrs: dict[int, dict]
    terms: dict[str, int]
    df: dict[str, int]


def ranked_technologies(
    technologies, *, limit: int, options: Options = DEFAULT, workers: int = 1
) -> Iterator[dict[int, list[Ranked] | None]]:
    """``{technology id: its best needs}`` for the given technologies (a queryset of
    published ones), a chunk at a time, in order of id; None for a technology without a
    stored representation (to be ranked by ``engine.rank``). With ``workers`` > 1 the chunks
    are ranked in as many processes (which never touch the database) while this one reads
    the next chunks and the caller stores the finished ones."""
    needs = load_needs()
    n_docs = max(corpus_size(), 1)
    ids = list(technologies.order_by("pk").values_list("pk", flat=True))
    chunks = (_read_chunk(ids[start : start + CHUNK]) for start in range(0, len(ids), CHUNK))
    if workers <= 1:
        for chunk in chunks:
            yield rank_chunk(chunk, needs, n_docs, limit, options)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: deque = deque()
        for chunk in chunks:
            pending.append(pool.submit(rank_chunk, chunk, needs, n_docs, limit, options))
            if len(pending) > workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _read_chunk(ids: list[int]) -> Chunk:
    attrs = engine.candidate_attributes(ListingKind.TECHNOLOGY, ids)
    queries = {
        p.listing_id: Query(p.vector, p.fields, p.groups, p.language)
        for p in Representation.objects.filter(
            kind=ListingKind.TECHNOLOGY, listing_id__in=ids
        ).only("listing_id", "vector", "language", "fields", "groups")
    }
    terms, df = engine.term_stats({t for q in queries.values() for t in q.vector})
    return Chunk(ids, queries, attrs, terms, df)


def rank_chunk(
    chunk: Chunk, needs: Needs, n_docs: int, limit: int, options: Options = DEFAULT
) -> dict[int, list[Ranked] | None]:
    """Each technology of a chunk ranked (:func:`rank_needs`); no database access."""
    return {
        technology_id: (
            rank_needs(
                chunk.queries[technology_id],
                chunk.attrs[technology_id],
                needs,
                chunk.terms,
                chunk.df,
                n_docs,
                limit=limit,
                options=options,
            )
            if technology_id in chunk.queries and technology_id in chunk.attrs
            else None
        )
        for technology_id in chunk.ids
    }
