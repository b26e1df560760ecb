"""Ranking quality: nDCG@k with graded gains (3/2/1) and recall@k, as in data/README.md, and
leave-one-batch-out cross-validation over the needs' folds."""

import math
from dataclasses import dataclass


def ndcg_at(ranked: list[str], judged: dict[str, int], k: int = 10) -> float:
    dcg = sum(judged.get(key, 0) / math.log2(i + 2) for i, key in enumerate(ranked[:k]))
    ideal = sorted(judged.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: list[str], judged: dict[str, int], k: int = 10) -> float:
    return len(set(ranked[:k]) & set(judged)) / len(judged) if judged else 0.0


@dataclass(frozen=True)
class Figures:
    ndcg: float
    recall: float


@dataclass(frozen=True)
class CrossValidation:
    """Held-out figures of each fold, and which setting was chosen on its training folds."""

    folds: dict[str, Figures]
    chosen: dict[str, str]

    @property
    def mean(self) -> Figures:
        n = len(self.folds) or 1
        return Figures(
            sum(f.ndcg for f in self.folds.values()) / n,
            sum(f.recall for f in self.folds.values()) / n,
        )

    @property
    def worst(self) -> Figures:
        """The worst fold's nDCG@10 and the worst fold's recall@10 (maybe two folds)."""
        return Figures(
            min(f.ndcg for f in self.folds.values()), min(f.recall for f in self.folds.values())
        )


def mean_figures(per_need: dict[str, Figures], needs) -> Figures:
    needs = list(needs)
    n = len(needs) or 1
    return Figures(
        sum(per_need[k].ndcg for k in needs) / n, sum(per_need[k].recall for k in needs) / n
    )


def cross_validate(per_setting: dict[str, dict[str, Figures]], folds: dict[str, str]):
    """Leave one fold out: for each fold, the setting with the best mean nDCG@10 (then recall)
    on the other folds' needs is chosen and scored on that fold's needs alone.

    ``per_setting``: {setting label: {need key: Figures}}, every setting over the same needs;
    ``folds``: {need key: fold}. With one setting this is plain per-fold scoring."""
    out, chosen = {}, {}
    for fold in sorted(set(folds.values()), key=str):
        held_out = [k for k, f in folds.items() if f == fold]
        training = [k for k, f in folds.items() if f != fold]
        best = max(per_setting, key=lambda label: _as_key(per_setting[label], training))
        chosen[str(fold)] = best
        out[str(fold)] = mean_figures(per_setting[best], held_out)
    return CrossValidation(out, chosen)


def _as_key(per_need: dict[str, Figures], needs) -> tuple[float, float]:
    figures = mean_figures(per_need, needs)
    return (round(figures.ndcg, 6), round(figures.recall, 6))


def threshold_for(pairs: list[tuple[float, int]], precision: float, min_grade: int = 1) -> float:
    """The lowest score above which at least ``precision`` of the ranked pairs are judged
    relevant (grade >= ``min_grade``): ``pairs`` are (score, grade) of the ranked top lists."""
    ordered = sorted(pairs, key=lambda p: -p[0])
    best, hits = float("inf"), 0
    for count, (score, grade) in enumerate(ordered, 1):
        hits += grade >= min_grade
        if hits / count >= precision:
            best = score
    return best


def relevant_above(pairs, threshold: float, min_grade: int = 1) -> tuple[int, int]:
    """(relevant pairs, pairs) among pairs scoring at least ``threshold``."""
    above = [g for s, g in pairs if s >= threshold]
    return sum(g >= min_grade for g in above), len(above)


def precision_above(pairs, threshold: float, min_grade: int = 1) -> tuple[float, int]:
    """(share of relevant pairs, number of pairs) among pairs scoring at least ``threshold``."""
    relevant, count = relevant_above(pairs, threshold, min_grade)
    return (relevant / count if count else 0.0), count
