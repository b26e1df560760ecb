"""The tables that map Japanese to English terms, loaded once and lazily (English-only use
needs neither SudachiPy nor the gloss table).

* ``jmdict_gloss.tsv.gz``: a Japanese headword's first-sense glosses and later senses' first
  glosses (from JMdict);
* ``taxonomy_glossary.tsv``: the taxonomy's Japanese field names and their English names,
  which take precedence over the dictionary;
* ``en_synonyms.tsv.gz``: each English stem's near-synonyms (from JMdict);
* ``en_ja_index.tsv.gz``: English stems (and two-stem phrases) to the Japanese headwords whose
  first gloss they are (cross-language search).
"""

from __future__ import annotations

import gzip
import os
import threading
from functools import lru_cache
from typing import NamedTuple

from ..options import DEFAULT, Options
from .english import analyse_english
from .scripts import KATAKANA_RE

DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")

#: weight of the terms of a Japanese word's first-sense glosses (first gloss 1.0, others 0.4);
#: later senses' first glosses get SECONDARY_W.
PRIMARY_W, OTHER_PRIMARY_W, SECONDARY_W = 1.0, 0.4, 0.3


class Gloss(NamedTuple):
    """A headword's English: its first sense's glosses and the first gloss of later senses."""

    first_sense: tuple[str, ...]
    later_senses: tuple[str, ...]


class WeightedTerm(NamedTuple):
    term: str
    weight: float


class _Tables:
    """The Japanese tables and the tokenizer, loaded together on first use."""

    def __init__(self):
        self.lock = threading.Lock()
        self.glosses: dict[str, Gloss] | None = None
        self.taxonomy: dict[str, str] = {}
        self.tokenizer = None

    def load(self) -> None:
        with self.lock:
            if self.glosses is not None:
                return
            glosses = {}
            path = os.path.join(DATA_DIR, "jmdict_gloss.tsv.gz")
            with gzip.open(path, "rt", encoding="utf-8") as f:
                for line in f:
                    if line.startswith("#"):
                        continue
                    head, first, later = line.rstrip("\n").split("\t")
                    glosses[head] = Gloss(_split(first), _split(later))
            taxonomy = {}
            path = os.path.join(DATA_DIR, "taxonomy_glossary.tsv")
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    for line in f:
                        if not line.startswith("#") and "\t" in line:
                            ja, en = line.rstrip("\n").split("\t")
                            taxonomy[ja] = en
            from sudachipy import Dictionary  # lazy: only Japanese text needs it

            self.tokenizer = Dictionary(dict="small").tokenizer()
            self.taxonomy = taxonomy
            self.glosses = glosses


def _split(glosses: str) -> tuple[str, ...]:
    return tuple(glosses.split("|")) if glosses else ()


_TABLES = _Tables()


def tables() -> _Tables:
    if _TABLES.glosses is None:
        _TABLES.load()
    return _TABLES


def tokenize(text: str):
    """SudachiPy morphemes of ``text`` (``sudachidict-small``)."""
    return tables().tokenizer.tokenize(text)


def english_of(word: str) -> tuple[str, ...] | None:
    """A Japanese word's English: its taxonomy name, else its first sense's glosses; None when
    the tables do not know it."""
    t = tables()
    if word in t.taxonomy:
        return (t.taxonomy[word],)
    gloss = t.glosses.get(word)
    return gloss.first_sense if gloss else None


@lru_cache(maxsize=100_000)
def gloss_terms(
    head: str, taxonomy: bool = True, secondary: bool = True
) -> tuple[WeightedTerm, ...] | None:
    """English terms of a Japanese headword, or None if unknown."""
    t = tables()
    if taxonomy and head in t.taxonomy:
        return tuple(WeightedTerm(term, PRIMARY_W) for term in analyse_english(t.taxonomy[head]))
    gloss = t.glosses.get(head)
    if gloss is None:
        return None
    out: dict[str, float] = {}
    for i, g in enumerate(gloss.first_sense):
        for term in analyse_english(g):
            w = PRIMARY_W if i == 0 else OTHER_PRIMARY_W
            out[term] = max(out.get(term, 0.0), w)
    if secondary:
        for g in gloss.later_senses:
            for term in analyse_english(g):
                out[term] = max(out.get(term, 0.0), SECONDARY_W)
    return tuple(WeightedTerm(*item) for item in out.items()) if out else None


_I_TO_U = dict(
    zip(
        "いきぎしじちぢにひびぴみりえけげせぜてでねへべぺめれ",
        "うくぐすずつづぬふぶぷむるるけげせぜてでねへべぺめれ",
        strict=True,
    )
)


def lookup(candidates: list[str], options: Options = DEFAULT) -> tuple[WeightedTerm, ...] | None:
    """The terms of the first of ``candidates`` (spellings of one word) the tables know, also
    trying a katakana word with or without its final long mark and a noun made from a verb's
    continuative form (転がり -> 転がる)."""
    flags = (options.taxonomy, options.secondary)
    for h in candidates:
        if not h:
            continue
        r = gloss_terms(h, *flags)
        if r is None and KATAKANA_RE.match(h):
            r = gloss_terms(h[:-1] if h.endswith("ー") else h + "ー", *flags)
        if r is None and len(h) >= 2 and h[-1] in "いきぎしちにびみり":
            r = gloss_terms(h[:-1] + _I_TO_U[h[-1]], *flags)
        if r is not None:
            return r
    return None


@lru_cache(maxsize=1)
def synonyms() -> dict[str, tuple[str, ...]]:
    """{stem: (near-synonym stems)}."""
    table = {}
    with gzip.open(os.path.join(DATA_DIR, "en_synonyms.tsv.gz"), "rt", encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                stem_, syns = line.rstrip("\n").split("\t")
                table[stem_] = tuple(syns.split("|"))
    return table


class EnglishToJapanese(NamedTuple):
    #: {English stem or "stem stem": Japanese headwords}
    headwords: dict[str, tuple[str, ...]]
    #: {stem: the two-stem keys that contain it}
    phrases_with: dict[str, list[str]]


@lru_cache(maxsize=1)
def english_to_japanese() -> EnglishToJapanese:
    table, parts = {}, {}
    with gzip.open(os.path.join(DATA_DIR, "en_ja_index.tsv.gz"), "rt", encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                key, heads = line.rstrip("\n").split("\t")
                table[key] = tuple(heads.split("|"))
                if " " in key:
                    for term in key.split(" "):
                        parts.setdefault(term, []).append(key)
    return EnglishToJapanese(table, parts)
