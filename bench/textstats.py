"""How like real listings the generated ones read, in the statistics that matter to matching:
the idf-weighted norm of a listing's vector (the cosine's denominator: a bland listing, made of
its field's shared words, has a small one and so a high cosine with any need of its field),
its number of terms and its length.

Measured without a database: a sample of generated listings and the real listings of a bundle
(``data/matching-dev.json``) are analysed as the engine does (`matching.text.document_vector`)
and each term's document frequency is estimated as in a bench catalogue of ``catalogue``
public listings: its count in the sample, scaled up, plus its count among the real listings.
On the 100,000-listing bench this estimate gives the medians measured in its database
(docs/matching.md, "Quality at scale")."""

import math
import random
from collections import Counter
from dataclasses import dataclass

from matching.text.document import document_vector, idf

from . import generate, vocabulary

PARTS = ("title", "summary", "description", "benefits", "keywords")
#: public technologies of the 100,000-listing bench
CATALOGUE = 88_000


@dataclass
class Listing:
    generated: bool
    language: str
    parts: dict
    norm: float = 0.0
    terms: int = 0


def generated_sample(count: int, seed: int) -> list[Listing]:
    """``count`` listings as the bench generates them (fields, language shares, benefits)."""
    rng = random.Random(seed)
    groups = sorted(vocabulary.TOPICS_EN)
    corpus = generate.Corpus.build(rng, groups)
    out = []
    for _ in range(count):
        japanese = rng.random() < generate.JAPANESE_SHARE
        subject = corpus.subject(rng.choice(groups), japanese)
        parts = {
            "title": corpus.title(subject),
            "summary": corpus.text(subject, "summary")[:500],
            "description": corpus.text(subject, "description"),
            "benefits": corpus.text(subject, "benefits") if rng.random() < 0.8 else "",
            "keywords": corpus.keywords(subject),
        }
        out.append(Listing(True, "ja" if japanese else "en", parts))
    return out


def real_listings(bundle: dict) -> list[Listing]:
    return [
        Listing(False, t["language"], {p: t.get(p) or "" for p in PARTS})
        for t in bundle["technologies"]
    ]


def measure(listings: list[Listing], catalogue: int = CATALOGUE) -> list[Listing]:
    """Fill each listing's norm and number of terms (in place; returns the listings)."""
    vectors = [document_vector(x.parts, x.language) for x in listings]
    generated, real = Counter(), Counter()
    for listing, vector in zip(listings, vectors, strict=True):
        (generated if listing.generated else real).update(vector.keys())
    scale = catalogue / max(sum(x.generated for x in listings), 1)
    for listing, vector in zip(listings, vectors, strict=True):
        own = int(listing.generated)  # a generated listing's own count is not scaled up
        square = 0.0
        for term, weight in vector.items():
            df = (generated[term] - own) * scale + own + real[term]
            square += weight * weight * idf(df, catalogue)
        listing.norm, listing.terms = math.sqrt(square), len(vector)
    return listings


def quantile(values, q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]
