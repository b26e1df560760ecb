"""Scoring a (need, technology) pair: pure functions, no Django.

What the score reads of each listing is a :class:`Features` value: its stored representation
(vector, norm, fields and their groups, language) and the structured data fit is judged on
(TRL or TRL range, countries, partnership kinds offered or sought).

The score is symmetric in its text and field parts, so the same function ranks technologies
for a need and needs for a technology::

    score = text + field_weight * field + fit   (options.field_weight)

* ``text`` -- cosine of the two term vectors under BM25 idf weighting:
  sum over shared terms of need_w * tech_w * idf(t), divided by sqrt(S_need * S_tech) with
  S_x = sum_t x_w^2 * idf(t). In SQL: one join on the term table plus the two stored norms
  (the norm is recomputed when the item is saved; idf drifts slowly, refresh nightly).
  Range 0..1.
* ``field`` -- field overlap, 0..1: every field of either side counts 1 when the other side has
  the same slug, ``GROUP_CREDIT`` when it only shares the top-level group (a sub-field and its
  parent group, or two sub-fields of one group), 0 otherwise; averaged over all fields of both
  sides (a symmetric Dice-like overlap). With ``options.field_rarity`` each credit is
  weighted by the field's rarity among the query's candidates (:func:`field_rarity`).
* ``fit`` -- small bonuses and penalties for the structured data:
  TRL below the need's range: ``-W_TRL * min(gap, 3) / 3``; above it: half of that;
  no common partnership kind (offers vs partnerships): ``-W_PARTNER``;
  a country in common: ``+W_COUNTRY``.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass, field

from .options import DEFAULT, Options
from .text import idf

#: credit for sharing only the top-level group (a shared sub-field counts 1).
GROUP_CREDIT = 0.5
#: maximal TRL penalty (reached 3 levels below the need's minimum).
W_TRL = 0.08
#: penalty when the technology offers none of the partnership kinds the need asks for.
W_PARTNER = 0.05
#: bonus when need and technology have a country in common.
W_COUNTRY = 0.02
#: how many matched terms to report.
N_REASON_TERMS = 5


@dataclass
class Features:
    """What the score reads of one listing (``fields[i]`` belongs to top-level ``groups[i]``).

    Technologies set ``trl`` and ``offers``, needs ``trl_min``/``trl_max`` and ``partnerships``.
    A candidate found by the engine carries no vector: its dot product with the query
    (``dot``) and the heaviest terms they share (``terms``) come from SQL instead."""

    vector: dict = field(default_factory=dict)
    norm: float | None = None
    fields: list = field(default_factory=list)
    groups: list = field(default_factory=list)
    language: str | None = None
    trl: int | None = None
    trl_min: int | None = None
    trl_max: int | None = None
    countries: list = field(default_factory=list)
    offers: list = field(default_factory=list)
    partnerships: list = field(default_factory=list)
    dot: float | None = None
    terms: list = field(default_factory=list)
    #: a technology's stored hub value (`take_off_hubs`); 0 for a need.
    hub: float = 0.0


def features_of(item: dict, vector: dict, parents: dict[str, str | None]) -> Features:
    """The features of a bundle-style technology/need dict and its document vector.

    ``parents`` maps each field slug to its parent slug (None for a top-level group)."""
    fields = list(dict.fromkeys(item.get("fields") or []))
    return Features(
        vector=vector,
        fields=fields,
        groups=[parents.get(f) or f for f in fields],
        trl=item.get("trl"),
        trl_min=item.get("trl_min"),
        trl_max=item.get("trl_max"),
        countries=list(item.get("countries") or []),
        offers=list(item.get("offers") or []),
        partnerships=list(item.get("partnerships") or []),
        language=item.get("language"),
    )


# --- reasons: why a pair scores as it does (rendered by matching.reasons.describe) ---------
@dataclass(frozen=True)
class Reason:
    kind = ""

    def as_json(self) -> dict:
        """The stored form (``Match.reasons``): ``{"kind": ..., <fields>}``."""
        return {"kind": self.kind, **asdict(self)}


@dataclass(frozen=True)
class FieldsReason(Reason):
    kind = "fields"
    sub_fields: list
    groups: list


@dataclass(frozen=True)
class TermsReason(Reason):
    kind = "terms"
    terms: list


@dataclass(frozen=True)
class TrlReason(Reason):
    kind = "trl"
    fit: str  # "below", "within" or "above" the need's range
    trl: int
    low: int
    high: int

    def as_json(self) -> dict:
        return {"kind": self.kind, "fit": self.fit, "trl": self.trl, "range": [self.low, self.high]}


@dataclass(frozen=True)
class PartnershipReason(Reason):
    kind = "partnership"
    common: list  # partnership kinds both sides name (empty: none in common)


@dataclass(frozen=True)
class CountryReason(Reason):
    kind = "country"
    common: list  # countries both sides name (empty: none in common)


@dataclass(frozen=True)
class NeighboursReason(Reason):
    """The technology is close to the need's best suggestions (:func:`propagate`); ``like``:
    the key of the one it is most like (a reason stored before it was recorded has none)."""

    kind = "neighbours"
    like: object = None


REASON_TYPES = {
    cls.kind: cls
    for cls in (
        FieldsReason,
        TermsReason,
        TrlReason,
        PartnershipReason,
        CountryReason,
        NeighboursReason,
    )
}


def reason_from_json(data: dict) -> Reason:
    """A stored reason (:meth:`Reason.as_json`, e.g. a stored suggestion's) as its typed value."""
    values = {key: value for key, value in data.items() if key != "kind"}
    if data["kind"] == TrlReason.kind:
        values["low"], values["high"] = values.pop("range")
    return REASON_TYPES[data["kind"]](**values)


class IdfTable(dict):
    """{term: idf} for one corpus, each computed once: ranking one query scores hundreds of
    candidates over the same few hundred terms."""

    def __init__(self, df: dict, n_docs: int):
        super().__init__()
        self.df, self.n_docs = df, n_docs

    def __missing__(self, term):
        value = self[term] = idf(self.df.get(term, 0), self.n_docs)
        return value


def vector_norm(vector: dict, df: dict, n_docs: int, idfs: IdfTable | None = None) -> float:
    """sqrt(sum_t w_t^2 * idf(t)), the norm stored with each item."""
    idfs = IdfTable(df, n_docs) if idfs is None else idfs
    return math.sqrt(sum(w * w * idfs[t] for t, w in vector.items())) or 1.0


def text_score(
    a: Features,
    b: Features,
    df: dict,
    n_docs: int,
    idfs: IdfTable | None = None,
    cosine: bool = True,
):
    """(cosine, [(term, contribution), ...]) of two listings' vectors."""
    idfs = IdfTable(df, n_docs) if idfs is None else idfs
    va, vb = a.vector, b.vector
    if len(va) > len(vb):
        va, vb = vb, va
    contrib = []
    for t, w in va.items():
        w2 = vb.get(t)
        if w2:
            contrib.append((t, w * w2 * idfs[t]))
    dot = sum(c for _, c in contrib)
    if cosine:
        na = a.norm or vector_norm(a.vector, df, n_docs, idfs)
        nb = b.norm or vector_norm(b.vector, df, n_docs, idfs)
        dot /= na * nb
    contrib.sort(key=lambda x: -x[1])
    return dot, contrib


def field_overlap(a: Features, b: Features, rarity: dict | None = None):
    """(overlap 0..1, shared sub-fields, groups shared without a common slug).

    ``fields`` and ``groups`` are aligned lists (``groups[i]`` is the top-level group of
    ``fields[i]``: its parent, or the slug itself when it is a group). ``rarity``: each
    slug's weight (0..1, :func:`field_rarity`; missing slugs weigh 1) multiplying the credit
    of a shared sub-field (its own) or a shared group (the group's)."""
    rarity = rarity or {}
    fa, fb = a.fields or [], b.fields or []
    if not fa or not fb:
        return 0.0, [], []
    ga, gb = a.groups or fa, b.groups or fb
    exact = [f for f in fa if f in fb]
    total, group_only = 0.0, set()
    for fields, groups, other, other_groups in ((fa, ga, fb, set(gb)), (fb, gb, fa, set(ga))):
        for f, g in zip(fields, groups, strict=False):
            if f in other:
                total += rarity.get(f, 1.0)
            elif g in other_groups:
                total += GROUP_CREDIT * rarity.get(g, 1.0)
                group_only.add(g)
    return total / (len(fa) + len(fb)), exact, sorted(group_only)


def field_rarity(candidates, share: float) -> dict[str, float]:
    """{slug: weight 0..1} of the fields and groups of ``candidates`` (Features): 1 for a slug
    held by at most ``share`` of them, else idf(held share) / idf(``share``) with
    idf(p) = ln(1 + (1 - p) / p), so a slug every candidate holds weighs ~0. (A field shared
    with the query by thousands of listings, as in a large catalogue, says little about the
    pair; in a small exchange few candidates share it and nothing changes.)"""
    candidates = list(candidates)
    if not share or not candidates:
        return {}
    held: dict[str, int] = {}
    for cand in candidates:
        for slug in set(cand.fields or []) | set(cand.groups or []):
            held[slug] = held.get(slug, 0) + 1
    n, top = len(candidates), math.log(1 + (1 - share) / share)
    out = {}
    for slug, count in held.items():
        p = count / n
        out[slug] = 1.0 if p <= share else math.log(1 + (1 - p) / p) / top
    return out


def fit_score(need: Features, tech: Features) -> tuple[float, list[Reason]]:
    """(bonus, reasons) from TRL, partnership and country fit -- see module docstring."""
    reasons, s = [], 0.0
    trl, lo, hi = tech.trl, need.trl_min, need.trl_max
    if trl is not None and (lo is not None or hi is not None):
        lo = lo if lo is not None else 1
        hi = hi if hi is not None else 9
        if trl < lo:
            gap = lo - trl
            s -= W_TRL * min(gap, 3) / 3
            reasons.append(TrlReason("below", trl, lo, hi))
        elif trl > hi:
            s -= 0.5 * W_TRL * min(trl - hi, 3) / 3
            reasons.append(TrlReason("above", trl, lo, hi))
        else:
            reasons.append(TrlReason("within", trl, lo, hi))
    want, offer = need.partnerships or [], tech.offers or []
    if want and offer:
        common = [p for p in want if p in offer]
        if not common:
            s -= W_PARTNER
        reasons.append(PartnershipReason(common))
    nc, tc = need.countries or [], tech.countries or []
    if nc and tc:
        common = [c for c in nc if c in tc]
        if common:
            s += W_COUNTRY
        reasons.append(CountryReason(common))
    return s, reasons


def score(
    need: Features, tech: Features, df: dict[str, int], n_docs: int, options: Options = DEFAULT
) -> tuple[float, list[Reason]]:
    """Score one (need, technology) pair. Returns ``(score, reasons)``.

    ``df``: document frequency of each term over all stored technologies and needs; ``n_docs``:
    their number. Reasons (structured, for display): a :class:`FieldsReason`, a
    :class:`TermsReason` (top matched terms), then the
    TRL / partnership / country fit reasons.
    For needs of a technology call it the same way (need first): the score is the same."""
    total, reasons, _text = score_parts(need, tech, df, n_docs, options=options)
    return total, reasons


def text_part(
    query: Features, cand: Features, df: dict, n_docs: int, idfs=None, options=DEFAULT
) -> tuple[float, list[str]]:
    """``(cosine, matched terms, heaviest first)`` of a query and a candidate.

    The engine computes the candidate's dot product with the query in SQL (``cand.dot``, the
    same sum over shared terms as :func:`text_score`, and ``cand.terms``). Without them (full
    vectors, as in tests) the vectors are compared here."""
    if cand.dot is None:
        text, contrib = text_score(query, cand, df, n_docs, idfs, options.cosine)
        return text, [t for t, _ in contrib[:N_REASON_TERMS]]
    dot = cand.dot
    if options.cosine:
        dot /= (query.norm or 1.0) * (cand.norm or 1.0)
    return dot, cand.terms


def score_parts(
    need: Features,
    tech: Features,
    df: dict[str, int],
    n_docs: int,
    idfs=None,
    text=None,
    options: Options = DEFAULT,
    rarity: dict | None = None,
):
    """``(score, reasons, text)``: :func:`score` and its text part (the cosine). ``text``: the
    ``(cosine, matched terms)`` pair when it is already known (:func:`text_part`); ``rarity``:
    the fields' weights among the candidates (:func:`field_rarity`)."""
    if text is None:
        text = text_part(need, tech, df, n_docs, idfs, options=options)
    text, matched = text
    total = text
    reasons = []
    if options.fields:
        f, exact, groups = field_overlap(need, tech, rarity)
        total += options.field_weight * f
        if exact or groups:
            reasons.append(FieldsReason(exact, groups))
    reasons.append(TermsReason(matched[:N_REASON_TERMS]))
    if options.fit:
        fit, fr = fit_score(need, tech)
        total += fit
        reasons.extend(fr)
    return total, reasons, text


#: language calibration: the text score of each candidate is divided by the mean of the top
#: ``CALIBRATION_K`` text scores of the candidates in its language, times the mean of those
#: means over the languages present (see :func:`rank`).
CALIBRATION_K = 10


@dataclass
class ScoredRow:
    """One candidate's score for a query, with what calibration and the order need."""

    key: object  # the candidate's key (a listing id in the engine)
    score: float
    reasons: list[Reason]
    text: float  # the text part (cosine) before calibration
    language: str | None
    raw: float = 0.0  # the score before the technology's hub value was taken off (`take_off_hubs`)
    near: float = 0.0  # what its likeness to the best candidates added (`propagate`)

    def order(self):
        """Sort key: best first, ties by key."""
        return (-self.score, self.key)


def rank(
    query: Features,
    candidates: dict,
    df: dict[str, int],
    n_docs: int,
    query_is_need: bool = True,
    limit: int | None = None,
    options: Options = DEFAULT,
) -> list[ScoredRow]:
    """Rank ``candidates`` ({key: Features}) for one query, best first.

    Same score as :func:`score`, plus a per-language calibration of the text part: the term
    vectors of Japanese documents come through a dictionary, so a Japanese need shares more
    (noisy) gloss terms with Japanese technologies than with English ones, and vice versa.
    Dividing each candidate's text score by the mean of the top ``CALIBRATION_K`` text scores
    of its language puts the languages on one scale (score normalisation as in cross-language
    retrieval); calibration applies only when each language has at least ``CALIBRATION_K``
    candidates. In SQL: a window ``avg() over (partition by language)`` on the top candidates.
    """
    rows = score_rows(query, candidates, df, n_docs, query_is_need, options=options)
    calibrate(rows, options)
    take_off_hubs(rows, query, candidates, query_is_need, options)
    rows.sort(key=ScoredRow.order)
    if query_is_need and options.propagation:
        idfs = IdfTable(df, n_docs)
        norms = {
            k: c.norm or vector_norm(c.vector, df, n_docs, idfs) for k, c in candidates.items()
        }
        vectors = {r.key: candidates[r.key].vector for r in propagation_pool(rows, options)}
        propagate(rows, cosines_with(best_keys(rows), vectors, idfs, norms), options)
    return rows[:limit] if limit else rows


def score_rows(
    query: Features, candidates: dict, df, n_docs, query_is_need=True, options=DEFAULT
) -> list[ScoredRow]:
    """A :class:`ScoredRow` for each candidate ({key: Features}).

    A candidate's vector may be restricted to the terms it shares with the query, provided
    its ``norm`` is set."""
    rows = []
    idfs = IdfTable(df, n_docs)
    rarity = field_rarity(candidates.values(), options.field_rarity) if options.fields else {}
    for key, cand in candidates.items():
        need, tech = (query, cand) if query_is_need else (cand, query)
        text = text_part(query, cand, df, n_docs, idfs, options=options)
        s, reasons, text = score_parts(
            need, tech, df, n_docs, idfs, text=text, options=options, rarity=rarity
        )
        rows.append(ScoredRow(key, s, reasons, text, cand.language))
    return rows


def calibrate(rows: list[ScoredRow], options: Options = DEFAULT) -> None:
    """Language calibration of scored rows, in place.

    Each row's text part is divided by the mean of the top ``CALIBRATION_K`` text scores of its
    language and multiplied by the mean of those means; applies only when every language
    present has at least ``CALIBRATION_K`` candidates (see :func:`rank`)."""
    if not options.calibrate or not options.calibration_strength:
        return
    by_lang: dict = {}
    for r in rows:
        if r.text > 0:  # only candidates sharing a term count, as in the engine (all do there)
            by_lang.setdefault(r.language, []).append(r.text)
    if len(by_lang) < 2 or not all(len(v) >= CALIBRATION_K for v in by_lang.values()):
        return
    means = {
        lang: sum(sorted(v, reverse=True)[:CALIBRATION_K]) / CALIBRATION_K
        for lang, v in by_lang.items()
    }
    ref = sum(means.values()) / len(means)
    for r in rows:
        m = means.get(r.language, 0.0)
        if m > 0:
            r.score += r.text * ((ref / m) ** options.calibration_strength - 1.0)


#: a technology's hub value is the mean of its HUB_K best scores against the open needs.
HUB_K = 5


def hub_value(scores) -> float:
    """A technology's hub value from its scores against the needs (its own ranking, where no
    hub value is taken off): the mean of the ``HUB_K`` best, a missing one counting as 0, none
    below 0."""
    best = sorted((max(s, 0.0) for s in scores), reverse=True)[:HUB_K]
    return sum(best) / HUB_K


def take_off_hubs(
    rows: list[ScoredRow], query: Features, candidates: dict, query_is_need: bool, options=DEFAULT
) -> None:
    """Hubness reduction of a need's candidates, in place: each technology's score loses
    ``options.hubness`` times how far its hub value (``Features.hub``) is above the median of
    the candidates', and gains as much below it; ``raw`` keeps the score before.

    A technology that scores well with many needs at once (a broad text typical of its field,
    the dictionary's glosses of a Japanese one) is a *hub*: it reaches the top of needs it does
    not answer, ahead of the technology that answers this one, as in cross-language retrieval
    (CSLS, Conneau et al. 2018, where each candidate's similarity is lowered by its mean
    similarity to its nearest queries). Measured from the candidates' median, a typical
    candidate keeps its score, so scores stay on the scale the labels are calibrated on
    whatever the catalogue's size. A technology's own list of needs is not changed: one value
    for all of them would change no order."""
    for r in rows:
        r.raw = r.score
    if not query_is_need or not options.hubness or not rows:
        return
    median = statistics.median(candidates[r.key].hub for r in rows)
    for r in rows:
        r.score -= options.hubness * (candidates[r.key].hub - median)


#: a need's candidates gain from their likeness to its PROPAGATION_K best (:func:`propagate`).
PROPAGATION_K = 3


def best_keys(rows: list[ScoredRow]) -> list:
    """The keys of the ``PROPAGATION_K`` best rows (``rows`` best first)."""
    return [r.key for r in rows[:PROPAGATION_K]]


def cosines_with(best: list, vectors: dict, idfs, norms: dict) -> dict:
    """{key: {best key: text cosine}} of every vector ({key: {term: weight}}) with each of the
    ``best`` ones, from full vectors; the engine sums the same in SQL
    (``engine.cosines_with_best``). ``idfs``: {term: idf}; ``norms``: {key: norm}."""
    by_term: dict = {}
    for b in best:
        for term, weight in vectors.get(b, {}).items():
            by_term.setdefault(term, []).append((b, weight * idfs[term] / (norms.get(b) or 1.0)))
    out: dict = {}
    for key, vector in vectors.items():
        sums = out.setdefault(key, {})
        for term, weight in vector.items():
            for b, other in by_term.get(term, ()):
                sums[b] = sums.get(b, 0.0) + weight * other
        for b in sums:
            sums[b] /= norms.get(key) or 1.0
    return out


def propagation_pool(rows: list[ScoredRow], options: Options = DEFAULT) -> list[ScoredRow]:
    """The candidates (``rows`` best first) that propagation compares with the best few: the
    first ``options.propagation_pool`` of them, or all when it is not positive."""
    return rows[: options.propagation_pool] if options.propagation_pool > 0 else rows


def propagate(rows: list[ScoredRow], cosines: dict, options: Options = DEFAULT) -> None:
    """Score propagation over a need's candidates, in place; ``rows`` best first, and sorted
    again. Each candidate gains ``options.propagation`` times its mean text cosine with the
    ``PROPAGATION_K`` best candidates (``cosines``: {key: {best key: cosine}}, from
    :func:`cosines_with`; itself left out, counting 0). A technology like the need's best
    answers is likely an answer too (the cluster hypothesis; score regularisation over a
    similarity graph, Diaz 2005). It reaches what the need's own words do not: the same
    method for another purpose ("an isothermal DNA test for shrimp disease" for "malaria
    testing in outreach camps"), which only the candidates' words have in common. A candidate
    that its gain moves up the list gets a :class:`NeighboursReason` naming the best candidate
    it is most like."""
    if not options.propagation or len(rows) <= PROPAGATION_K:
        return
    best = best_keys(rows)
    before = {}
    for position, r in enumerate(rows):
        before[r.key] = position
        likeness = sum(c for b, c in cosines.get(r.key, {}).items() if b != r.key)
        r.near = options.propagation * likeness / PROPAGATION_K
        r.score += r.near
    rows.sort(key=ScoredRow.order)
    for position, r in enumerate(rows):
        if position < before[r.key]:  # read after the shared terms, before the fit
            at = next((i + 1 for i, x in enumerate(r.reasons) if isinstance(x, TermsReason)), 0)
            reason = NeighboursReason(_most_like(r.key, cosines, best))
            r.reasons = [*r.reasons[:at], reason, *r.reasons[at:]]


def _most_like(key, cosines: dict, best: list):
    """The one of the ``best`` candidates (best first) that ``key`` is most like, not itself;
    of equals, the better one; None if it shares nothing with them."""
    likeness = cosines.get(key, {})
    others = [b for b in best if b != key and likeness.get(b, 0.0) > 0]
    return max(others, key=lambda b: likeness[b]) if others else None
