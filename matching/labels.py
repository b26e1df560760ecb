"""How sure a suggestion is, in words a person understands, from its calibrated score.

The thresholds are chosen by `evaluate_matching` on the development set's folds (a label's
threshold is the lowest score above which the target share of suggestions was judged relevant
on the training folds, then checked on the held-out fold; see docs/matching.md). Below
``MINIMUM`` nothing is suggested: a page says that nothing matches well enough yet.
"""

from django.utils.translation import gettext_lazy as _

#: label -> (target share of suggestions judged relevant, minimal grade counted relevant).
TARGETS = {"strong": (0.7, 2), "good": (0.5, 1), "worth a look": (0.25, 1)}

#: score thresholds (evaluate_matching on the development set, all folds; see docs/matching.md).
#: On held-out folds, "strong" suggestions were judged good or excellent 48-90 % of the time,
#: "good" and above relevant 33-73 %, "worth a look" and above relevant 21-37 % (session 22,
#: with score propagation, which raises the scores of a need's likely answers).
STRONG = 0.32
GOOD = 0.25
MINIMUM = 0.15

LABELS = {"strong": _("strong match"), "good": _("good match"), "worth": _("worth a look")}


def strength(score: float) -> str | None:
    """``"strong"``, ``"good"``, ``"worth"`` (worth a look) or None (not suggested)."""
    if score >= STRONG:
        return "strong"
    if score >= GOOD:
        return "good"
    if score >= MINIMUM and score > 0:
        return "worth"
    return None
