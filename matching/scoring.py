"""Scoring a (need, technology) pair: pure functions, no Django.

A *repr* is a plain dict computed when the item is saved (see :func:`make_repr`)::

    {"vector": {term: weight}, "norm": float | None,
     "fields": [slug, ...], "groups": [group slug, ...],   # aligned: group of each field
     "trl": int | None,                                     # technology
     "trl_min": int | None, "trl_max": int | None,          # need
     "countries": [ISO2, ...],
     "offers": [...]  (technology)  /  "partnerships": [...]  (need),
     "language": "en" | "ja"}

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
  sides (a symmetric Dice-like overlap).
* ``fit`` -- small bonuses and penalties for the structured data:
  TRL below the need's range: ``-W_TRL * min(gap, 3) / 3``; above it: half of that;
  no common partnership kind (offers vs partnerships): ``-W_PARTNER``;
  a country in common: ``+W_COUNTRY``.
"""

from __future__ import annotations

import math

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


def make_repr(item: dict, vector: dict, parents: dict[str, str | None]) -> dict:
    """Build a repr from a bundle-style technology/need dict and its document vector.

    ``parents`` maps each field slug to its parent slug (None for a top-level group)."""
    fields = list(dict.fromkeys(item.get("fields") or []))
    groups = [parents.get(f) or f for f in fields]
    return {
        "vector": vector,
        "norm": None,
        "fields": fields,
        "groups": groups,
        "trl": item.get("trl"),
        "trl_min": item.get("trl_min"),
        "trl_max": item.get("trl_max"),
        "countries": list(item.get("countries") or []),
        "offers": list(item.get("offers") or []),
        "partnerships": list(item.get("partnerships") or []),
        "language": item.get("language"),
    }


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
    a: dict, b: dict, df: dict, n_docs: int, idfs: IdfTable | None = None, cosine: bool = True
):
    """(cosine, [(term, contribution), ...]) of two reprs' vectors."""
    idfs = IdfTable(df, n_docs) if idfs is None else idfs
    va, vb = a["vector"], b["vector"]
    if len(va) > len(vb):
        va, vb = vb, va
    contrib = []
    for t, w in va.items():
        w2 = vb.get(t)
        if w2:
            contrib.append((t, w * w2 * idfs[t]))
    dot = sum(c for _, c in contrib)
    if cosine:
        na = a.get("norm") or vector_norm(a["vector"], df, n_docs, idfs)
        nb = b.get("norm") or vector_norm(b["vector"], df, n_docs, idfs)
        dot /= na * nb
    contrib.sort(key=lambda x: -x[1])
    return dot, contrib


def field_overlap(a: dict, b: dict):
    """(overlap 0..1, shared sub-fields, groups shared without a common slug).

    ``fields`` and ``groups`` of a repr are aligned lists (``groups[i]`` is the top-level group
    of ``fields[i]``: its parent, or the slug itself when it is a group)."""
    fa, fb = a.get("fields") or [], b.get("fields") or []
    if not fa or not fb:
        return 0.0, [], []
    ga, gb = a.get("groups") or fa, b.get("groups") or fb
    exact = [f for f in fa if f in fb]
    total, group_only = 0.0, set()
    for fields, groups, other, other_groups in ((fa, ga, fb, set(gb)), (fb, gb, fa, set(ga))):
        for f, g in zip(fields, groups, strict=False):
            if f in other:
                total += 1.0
            elif g in other_groups:
                total += GROUP_CREDIT
                group_only.add(g)
    return total / (len(fa) + len(fb)), exact, sorted(group_only)


def fit_score(need: dict, tech: dict):
    """(bonus, reasons) from TRL, partnership and country fit -- see module docstring."""
    reasons, s = [], 0.0
    trl, lo, hi = tech.get("trl"), need.get("trl_min"), need.get("trl_max")
    if trl is not None and (lo is not None or hi is not None):
        lo = lo if lo is not None else 1
        hi = hi if hi is not None else 9
        if trl < lo:
            gap = lo - trl
            s -= W_TRL * min(gap, 3) / 3
            reasons.append({"kind": "trl", "fit": "below", "trl": trl, "range": [lo, hi]})
        elif trl > hi:
            s -= 0.5 * W_TRL * min(trl - hi, 3) / 3
            reasons.append({"kind": "trl", "fit": "above", "trl": trl, "range": [lo, hi]})
        else:
            reasons.append({"kind": "trl", "fit": "within", "trl": trl, "range": [lo, hi]})
    want, offer = need.get("partnerships") or [], tech.get("offers") or []
    if want and offer:
        common = [p for p in want if p in offer]
        if not common:
            s -= W_PARTNER
        reasons.append({"kind": "partnership", "common": common})
    nc, tc = need.get("countries") or [], tech.get("countries") or []
    if nc and tc:
        common = [c for c in nc if c in tc]
        if common:
            s += W_COUNTRY
        reasons.append({"kind": "country", "common": common})
    return s, reasons


def score(
    need_repr: dict, tech_repr: dict, df: dict[str, int], n_docs: int, options: Options = DEFAULT
):
    """Score one (need, technology) pair. Returns ``(score, reasons)``.

    ``df``: document frequency of each term over all stored technologies and needs; ``n_docs``:
    their number. Reasons (structured, for display): ``{"kind": "fields", "sub_fields": [...],
    "groups": [...]}``, ``{"kind": "terms", "terms": [...]}`` (top matched terms, phonetic
    skeletons shown as ``~krmn``), then the ``trl`` / ``partnership`` / ``country`` fit entries.
    For needs of a technology call it the same way (need first): the score is the same."""
    total, reasons, _text = score_parts(need_repr, tech_repr, df, n_docs, options=options)
    return total, reasons


def text_part(query: dict, cand: dict, df: dict, n_docs: int, idfs=None, options=DEFAULT):
    """``(cosine, matched terms, heaviest first)`` of a query and a candidate repr.

    The engine computes the candidate's dot product with the query in SQL (``cand["dot"]``,
    the same sum over shared terms as :func:`text_score`, and ``cand["terms"]``). Without them
    (plain reprs, as in tests) the vectors are compared here."""
    if "dot" not in cand:
        text, contrib = text_score(query, cand, df, n_docs, idfs, options.cosine)
        return text, [t for t, _ in contrib[:N_REASON_TERMS]]
    dot = cand["dot"]
    if options.cosine:
        dot /= (query.get("norm") or 1.0) * (cand.get("norm") or 1.0)
    return dot, cand.get("terms", [])


def score_parts(
    need_repr: dict,
    tech_repr: dict,
    df: dict[str, int],
    n_docs: int,
    idfs=None,
    text=None,
    options: Options = DEFAULT,
):
    """``(score, reasons, text)``: :func:`score` and its text part (the cosine). ``text``: the
    ``(cosine, matched terms)`` pair when it is already known (:func:`text_part`)."""
    if text is None:
        text = text_part(need_repr, tech_repr, df, n_docs, idfs, options=options)
    text, matched = text
    total = text
    reasons = []
    if options.fields:
        f, exact, groups = field_overlap(need_repr, tech_repr)
        total += options.field_weight * f
        if exact or groups:
            reasons.append({"kind": "fields", "sub_fields": exact, "groups": groups})
    reasons.append({"kind": "terms", "terms": matched[:N_REASON_TERMS]})
    if options.fit:
        fit, fr = fit_score(need_repr, tech_repr)
        total += fit
        reasons.extend(fr)
    return total, reasons, text


#: language calibration: the text score of each candidate is divided by the mean of the top
#: ``CALIBRATION_K`` text scores of the candidates in its language, times the mean of those
#: means over the languages present (see :func:`rank`).
CALIBRATION_K = 10


def rank(
    query_repr: dict,
    candidates: dict,
    df: dict[str, int],
    n_docs: int,
    query_is_need: bool = True,
    limit: int | None = None,
    options: Options = DEFAULT,
):
    """Rank ``candidates`` ({key: repr}) for one query repr; returns [(score, key, reasons)].

    Same score as :func:`score`, plus a per-language calibration of the text part: the term
    vectors of Japanese documents come through a dictionary, so a Japanese need shares more
    (noisy) gloss terms with Japanese technologies than with English ones, and vice versa.
    Dividing each candidate's text score by the mean of the top ``CALIBRATION_K`` text scores
    of its language puts the languages on one scale (score normalisation as in cross-language
    retrieval); calibration applies only when each language has at least ``CALIBRATION_K``
    candidates. In SQL: a window ``avg() over (partition by language)`` on the top candidates.
    """
    rows = score_rows(query_repr, candidates, df, n_docs, query_is_need, options=options)
    calibrate(rows, options)
    rows.sort(key=lambda r: (-r[0], r[1]))
    out = [(r[0], r[1], r[2]) for r in rows]
    return out[:limit] if limit else out


def score_rows(query_repr, candidates, df, n_docs, query_is_need=True, options=DEFAULT) -> list:
    """Rows ``[score, key, reasons, text, language]`` for each candidate ({key: repr}).

    A candidate's vector may be restricted to the terms it shares with the query, provided
    its ``norm`` is set."""
    rows = []
    idfs = IdfTable(df, n_docs)
    for key, cand in candidates.items():
        need, tech = (query_repr, cand) if query_is_need else (cand, query_repr)
        text = text_part(query_repr, cand, df, n_docs, idfs, options=options)
        s, reasons, text = score_parts(need, tech, df, n_docs, idfs, text=text, options=options)
        rows.append([s, key, reasons, text, cand.get("language")])
    return rows


def calibrate(rows: list, options: Options = DEFAULT) -> None:
    """Language calibration of ranked rows ``[score, key, reasons, text, language]``, in place.

    Each row's text part is divided by the mean of the top ``CALIBRATION_K`` text scores of its
    language and multiplied by the mean of those means; applies only when every language
    present has at least ``CALIBRATION_K`` candidates (see :func:`rank`)."""
    if not options.calibrate or not options.calibration_strength:
        return
    by_lang: dict = {}
    for r in rows:
        if r[3] > 0:  # only candidates sharing a term count, as in the engine (all do there)
            by_lang.setdefault(r[4], []).append(r[3])
    if len(by_lang) < 2 or not all(len(v) >= CALIBRATION_K for v in by_lang.values()):
        return
    means = {
        lang: sum(sorted(v, reverse=True)[:CALIBRATION_K]) / CALIBRATION_K
        for lang, v in by_lang.items()
    }
    ref = sum(means.values()) / len(means)
    for r in rows:
        m = means.get(r[4], 0.0)
        if m > 0:
            r[0] += r[3] * ((ref / m) ** options.calibration_strength - 1.0)
