"""Evaluate the matching engine (matching.analysis + matching.scoring) on a bundle JSON.

    python scripts/matching_prototype.py data/matching-dev.json [--ablation]
        [--taxonomy listings/data/taxonomy.json] [--holdout K] [--verbose]

Without --taxonomy the field tree is looked up beside the bundle, then in the repository's
listings/data/taxonomy.json (without it field groups are lost and the figures drop).

Builds the repr of every technology and need, ranks all technologies for each need and prints
per-need and mean nDCG@10 (graded gains 3/2/1, log2 discount, ideal from the judgments) and
recall@10 (share of judged technologies in the top 10). ``--ablation`` prints a table of
variants; ``--holdout K`` reports the figures on K random folds of needs (sanity check that no
fold is much worse than the mean). No Django needed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from collections import Counter

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, REPO)

from matching import analysis, scoring  # noqa: E402

TECH_PARTS = ("title", "summary", "description", "benefits", "keywords")
NEED_PARTS = ("title", "description", "keywords")


def load_parents(bundle_path: str, taxonomy: str | None) -> dict:
    cands = [taxonomy] if taxonomy else []
    cands.append(os.path.join(os.path.dirname(os.path.abspath(bundle_path)), "taxonomy.json"))
    cands.append(os.path.join(REPO, "listings", "data", "taxonomy.json"))
    for p in cands:
        if p and os.path.exists(p):
            with open(p, encoding="utf-8") as f:
                return {x["slug"]: x["parent"] for x in json.load(f)["fields"]}
    print("warning: no taxonomy found, field groups are lost", file=sys.stderr)
    return {}


def build(bundle: dict, parents: dict):
    t0 = time.perf_counter()
    techs, needs = {}, {}
    for t in bundle["technologies"]:
        vec = analysis.document_vector({k: t.get(k) for k in TECH_PARTS}, t.get("language"))
        techs[t["key"]] = scoring.make_repr(t, vec, parents)
    for n in bundle["needs"]:
        vec = analysis.document_vector({k: n.get(k) for k in NEED_PARTS}, n.get("language"))
        needs[n["key"]] = scoring.make_repr(n, vec, parents)
    elapsed = time.perf_counter() - t0
    df = Counter()
    for r in list(techs.values()) + list(needs.values()):
        df.update(r["vector"].keys())
    n_docs = len(techs) + len(needs)
    for r in list(techs.values()) + list(needs.values()):
        r["norm"] = scoring.vector_norm(r["vector"], df, n_docs)
    return techs, needs, df, n_docs, elapsed


def ndcg_at(ranked: list[str], judged: dict, k: int = 10) -> float:
    dcg = sum(judged.get(key, 0) / math.log2(i + 2) for i, key in enumerate(ranked[:k]))
    ideal = sorted(judged.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: list[str], judged: dict, k: int = 10) -> float:
    return len(set(ranked[:k]) & set(judged)) / len(judged) if judged else 0.0


def evaluate(bundle: dict, parents: dict, verbose: bool = False, return_per_need=False):
    techs, needs, df, n_docs, elapsed = build(bundle, parents)
    per = {}
    for nk, nr in needs.items():
        judged = bundle.get("judgments", {}).get(nk)
        if not judged:
            continue
        scored = scoring.rank(nr, techs, df, n_docs)
        ranked = [tk for _, tk, _ in scored]
        per[nk] = (ndcg_at(ranked, judged), recall_at(ranked, judged), ranked)
        if verbose:
            print(f"{nk} [{nr['language']}] nDCG@10 {per[nk][0]:.3f} recall@10 {per[nk][1]:.2f}")
            for i, tk in enumerate(ranked[:10]):
                print(
                    f"   {i + 1:2d} {tk} [{techs[tk]['language']}] g={judged.get(tk, 0)} "
                    f"s={scored[i][0]:.3f}"
                )
            for tk, g in judged.items():
                if tk not in ranked[:10]:
                    print(f"   MISSED {tk} g={g} rank={ranked.index(tk) + 1}")
    nd = sum(v[0] for v in per.values()) / len(per)
    rc = sum(v[1] for v in per.values()) / len(per)
    docs = len(techs) + len(needs)
    if return_per_need:
        return nd, rc, per, elapsed / docs
    return nd, rc


VARIANTS = [
    ("full engine", {}),
    ("no pseudo-relevance feedback (first pass only)", {"s.feedback": False}),
    ("no cross-language mapping (JA kept as words)", {"a.crosslang": False}),
    ("no compound / char fallback", {"a.compounds": False}),
    ("no katakana phonetic matching", {"a.katakana": False}),
    ("no taxonomy glossary", {"a.taxonomy": False}),
    ("first-sense glosses only", {"a.secondary": False}),
    ("no field overlap", {"s.fields": False}),
    ("no field group credit (exact slugs only)", {"GROUP_CREDIT": 0.0}),
    ("no near-synonym expansion", {"a.synonyms": False}),
    ("near-synonyms at weight 0.05", {"A.SYNONYM_W": 0.05}),
    ("near-synonyms at weight 0.2", {"A.SYNONYM_W": 0.2}),
    ("near-synonyms of every stem (no salience threshold)", {"A.SYNONYM_MIN_TF": 0.0}),
    ("compound parts at full weight (1.0)", {"A.COVERED_W": 1.0}),
    (
        "no synonyms, compound parts at 1.0 (previous engine)",
        {"a.synonyms": False, "A.COVERED_W": 1.0},
    ),
    ("no TRL/partnership/country fit", {"s.fit": False}),
    ("dot product (no cosine normalisation)", {"s.cosine": False}),
    ("no language calibration", {"s.calibrate": False}),
    ("text only (no fields, no fit)", {"s.fields": False, "s.fit": False}),
    ("feedback from top 3 documents", {"FEEDBACK_DOCS": 3}),
    ("feedback from top 8 documents", {"FEEDBACK_DOCS": 8}),
    ("feedback weight 0.2", {"FEEDBACK_WEIGHT": 0.2}),
    ("feedback weight 0.5", {"FEEDBACK_WEIGHT": 0.5}),
    ("feedback terms 20", {"FEEDBACK_TERMS": 20}),
    ("feedback terms 80", {"FEEDBACK_TERMS": 80}),
]


def run_variant(bundle, parents, changes):
    saved_a, saved_s = dict(analysis.OPTIONS), dict(scoring.OPTIONS)
    saved_consts = {k: getattr(scoring, k) for k in changes if k[:2] not in ("a.", "s.", "A.")}
    saved_a_consts = {k[2:]: getattr(analysis, k[2:]) for k in changes if k.startswith("A.")}
    try:
        for k, v in changes.items():
            if k.startswith("a."):
                analysis.OPTIONS[k[2:]] = v
            elif k.startswith("s."):
                scoring.OPTIONS[k[2:]] = v
            elif k.startswith("A."):
                setattr(analysis, k[2:], v)
            else:
                setattr(scoring, k, v)
        analysis._gloss_terms.cache_clear()
        return evaluate(bundle, parents, return_per_need=True)
    finally:
        analysis.OPTIONS.update(saved_a)
        scoring.OPTIONS.update(saved_s)
        for k, v in saved_consts.items():
            setattr(scoring, k, v)
        for k, v in saved_a_consts.items():
            setattr(analysis, k, v)
        analysis._gloss_terms.cache_clear()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("bundle")
    ap.add_argument("--taxonomy")
    ap.add_argument("--ablation", action="store_true")
    ap.add_argument("--holdout", type=int, default=0, metavar="K")
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args()
    with open(args.bundle, encoding="utf-8") as f:
        bundle = json.load(f)
    parents = load_parents(args.bundle, args.taxonomy)

    analysis._load()
    nd, rc, per, per_doc = evaluate(bundle, parents, verbose=args.verbose, return_per_need=True)
    if not args.verbose:
        for nk, (n, r, _) in per.items():
            print(f"{nk}  nDCG@10 {n:.3f}  recall@10 {r:.2f}")
    print(
        f"MEAN  nDCG@10 {nd:.3f}  recall@10 {rc:.3f}  ({len(per)} needs; "
        f"analysis {per_doc * 1000:.1f} ms/document)"
    )

    edge, missed = margin(per, bundle)
    print(f"recall margin: {edge} judged technologies at ranks 8-10, {missed} below rank 10")
    if args.holdout:
        for i, (n, r, size) in enumerate(folds(per, args.holdout), 1):
            print(f"fold {i}: nDCG@10 {n:.3f} recall@10 {r:.3f} ({size} needs)")

    if args.ablation:
        k = args.holdout or 3
        print(
            f"\n| variant | nDCG@10 | recall@10 | {k} folds nDCG@10 (worst) | {k} folds recall@10 "
            "| judged at 8-10 / >10 |\n|---|---|---|---|---|---|"
        )
        for name, changes in VARIANTS:
            n, r, per_v, _ = run_variant(bundle, parents, changes)
            fs = folds(per_v, k)
            print(
                f"| {name} | {n:.3f} | {r:.3f} | "
                + " / ".join(f"{x[0]:.3f}" for x in fs)
                + f" ({min(x[0] for x in fs):.3f}) | "
                + " / ".join(f"{x[1]:.3f}" for x in fs)
                + " | {} / {} |".format(*margin(per_v, bundle))
            )


def margin(per: dict, bundle: dict) -> tuple[int, int]:
    """How close recall@10 is to falling: judged technologies ranked 8-10, and below 10."""
    edge = missed = 0
    for nk, (_n, _r, ranked) in per.items():
        for tk in bundle["judgments"][nk]:
            pos = ranked.index(tk) + 1 if tk in ranked else len(ranked) + 1
            edge += 8 <= pos <= 10
            missed += pos > 10
    return edge, missed


def folds(per: dict, k: int) -> list[tuple[float, float, int]]:
    """Mean (nDCG@10, recall@10, size) on k fixed random folds of the needs (seed 0)."""
    keys = sorted(per)
    random.Random(0).shuffle(keys)
    out = []
    for i in range(k):
        fold = keys[i::k]
        out.append(
            (
                sum(per[x][0] for x in fold) / len(fold),
                sum(per[x][1] for x in fold) / len(fold),
                len(fold),
            )
        )
    return out


if __name__ == "__main__":
    main()
