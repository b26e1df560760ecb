"""Which parts of the matching engine are switched on, and its few tuned values.

One frozen value passed down from the caller (pages use :data:`DEFAULT`; `evaluate_matching
--ablate` passes variants with one part switched off), so no module state is ever patched.
"""

from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Options:
    # --- text analysis (a change needs the representations rebuilt) ---
    #: Japanese mapped to English terms through the JMdict gloss table (else kept as words).
    crosslang: bool = True
    #: Japanese compounds looked up whole, and unknown kanji compounds by single characters.
    compounds: bool = True
    #: the taxonomy's EN/JA field names take precedence over the dictionary.
    taxonomy: bool = True
    #: glosses of a word's later senses, at a low weight.
    secondary: bool = True
    #: salient words add their JMdict near-synonyms at a low weight.
    synonyms: bool = True
    #: each listing keeps only its heaviest terms (0: all); chosen by cross-validation
    #: (`evaluate_matching --terms-per-listing`), it bounds the postings per listing.
    terms_per_listing: int = 64
    #: a Japanese word's alternatives (the terms of one dictionary lookup below its first
    #: gloss's weight: other glosses, later senses) scaled to sum to at most this, the first
    #: gloss kept whole (0: no bound). A many-gloss word otherwise weighs as several words, and
    #: at scale that breadth brings unrelated Japanese listings into English needs' top 10s.
    #: 0.1 passed the cross-validation rule and raised the figures among 100,000 generated
    #: technologies (docs/matching.md, *A partial share, or only the alternatives shared*).
    gloss_alternatives: float = 0.1
    # --- scoring ---
    #: field overlap added to the text score.
    fields: bool = True
    #: TRL, partnership and country fit.
    fit: bool = True
    #: cosine normalisation of the text score (else a plain dot product).
    cosine: bool = True
    #: per-language calibration of the text score.
    calibrate: bool = True
    #: how far the language calibration moves a candidate's text score towards the common
    #: scale: 0 none, 1 all the way (searched by `evaluate_matching --tune`: 1 is kept).
    calibration_strength: float = 1.0
    #: weight of the field overlap (0..1) relative to the text cosine (0..1).
    field_weight: float = 0.15
    #: field credit by the field's rarity among the candidates: a field (or group) held by
    #: more than this share of a query's candidates counts less, as a common term does
    #: (scoring.field_rarity; 0: every field counts fully). In a large catalogue thousands of
    #: listings share a sub-field, and sharing it says little there.
    field_rarity: float = 0.0
    #: how much of a technology's hub value (the mean of its best scores against the open
    #: needs: how strongly it matches whatever it matches), above the median of a need's
    #: candidates, is taken off its score for that need (and below it, added); 0: none. A
    #: technology close to many needs at once (a broad, field-typical text) otherwise outranks
    #: the one that answers this need (hubness in cross-language retrieval: CSLS, Conneau et
    #: al. 2018). Chosen nested on the folds (docs/matching.md, *Hubness reduction*).
    hubness: float = 0.75
    #: how much of a need's candidates' likeness to its best candidates is added to their
    #: score: each gains this times its mean text cosine with the PROPAGATION_K best
    #: (scoring.propagate; 0: none). A technology like the need's best answers (the same
    #: method for another purpose) is found where the need's own words do not reach it.
    #: Chosen nested on the folds, and measured at scale (docs/matching.md, *Score
    #: propagation*).
    propagation: float = 0.5
    #: how many of a need's candidates (its best by score before propagation) propagation
    #: compares with its best few; the others gain nothing (0: every candidate). Among
    #: 100,000 technologies no top 20 changed at 100 (300 generated needs; the development
    #: set's figures the same to the third decimal), and ranking costs less: the comparison
    #: reads half the candidates' vectors (docs/matching.md, *Score propagation*).
    propagation_pool: int = 100

    def without(self, part: str) -> "Options":
        return replace(self, **{part: False})

    def but(self, **values) -> "Options":
        return replace(self, **values)


#: the parts that `--ablate` switches off one at a time.
PARTS = tuple(f.name for f in fields(Options) if f.type in (bool, "bool"))
#: the parts whose change needs the stored representations rebuilt.
ANALYSIS_PARTS = (
    "crosslang",
    "compounds",
    "taxonomy",
    "secondary",
    "synonyms",
    "terms_per_listing",
    "gloss_alternatives",
)

DEFAULT = Options()
