"""Consonant skeletons that let a katakana loanword meet its English source.

A katakana word that the dictionaries do not know (``カルマン``, ``グルコシダーゼ``) is romanised to
a consonant skeleton; English words emit the skeleton of how they would be written in katakana
(``kalman`` -> ``~krmn``, ``glucosidase`` -> ``~grksds``), at a lower weight. The skeleton merges
the distinctions katakana does not make (l/r, b/v, s/z/j, ch/k) and drops vowels and non-rhotic
r, so no vocabulary list is needed and it works on both sides of a pair. Kept by hand: no
maintained library matches loanwords across scripts (docs/matching.md).
"""

import re
from functools import lru_cache

#: prefix of a skeleton term (``~krmn``), so it never collides with an English stem.
PREFIX = "~"
#: weight of the phonetic skeleton emitted for an English word (the unknown katakana word
#: itself gets weight 1.0 on its skeleton). Low, since for English-English pairs the stem
#: already matches; it exists to meet katakana loanwords missing from the dictionary.
PHONETIC_EN_W = 0.3
#: minimum skeleton length: shorter skeletons collide too often.
PHONETIC_MIN_LEN = 4

_KANA_CONS = {}
for _chars, _c in [
    ("アイウエオァィゥェォヤユヨャュョワヲヮーッ・", ""),
    ("カキクケコヵヶ", "k"),
    ("ガギグゲゴ", "g"),
    ("サシスセソ", "s"),
    ("ザジズゼゾヂヅ", "s"),
    ("タテト", "t"),
    ("チ", "k"),
    ("ツ", "t"),
    ("ダデド", "d"),
    ("ナニヌネノ", "n"),
    ("ハヒヘホ", "h"),
    ("フ", "f"),
    ("バビブベボヴ", "b"),
    ("パピプペポ", "p"),
    ("マミムメモ", "m"),
    ("ラリルレロ", "r"),
    ("ン", "n"),
]:
    for _ch in _chars:
        _KANA_CONS[_ch] = _c


def _collapse(s: str) -> str:
    out = []
    for ch in s:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


def katakana_skeleton(word: str) -> str:
    """Consonant skeleton of a katakana word (``カルマン`` -> ``krmn``)."""
    out = []
    for i, ch in enumerate(word):
        c = _KANA_CONS.get(ch, "")
        if ch == "ン" and i + 1 < len(word) and _KANA_CONS.get(word[i + 1]) in ("b", "p", "m"):
            c = "m"
        out.append(c)
    return _collapse("".join(out))


_EN_RULES = [
    (re.compile(p), r)
    for p, r in [
        (r"tch", "ch"),
        (r"ph", "f"),
        (r"gh", ""),
        (r"ck", "k"),
        (r"dg", "j"),
        (r"ti(?=[ao])", "s"),
        (r"si(?=[ao]n)", "s"),
        (r"ch", "k"),
        (r"th", "s"),
        (r"sh", "s"),
        (r"wh", "w"),
        (r"c(?=[eiy])", "s"),
        (r"c", "k"),
        (r"q", "k"),
        (r"x", "ks"),
        (r"g(?=[eiy])", "j"),
        (r"(?<=[aeiou])r(?=[^aeiou]|$)", ""),
        (r"[zj]", "s"),
        (r"v", "b"),
        (r"l", "r"),
        (r"(?<=.)h", ""),
        (r"[aeiouyw]", ""),
    ]
]


@lru_cache(maxsize=200_000)
def english_skeleton(word: str) -> str:
    """Consonant skeleton of an English word as katakana would render it
    (``kalman`` -> ``krmn``)."""
    w = word.lower()
    for pat, rep in _EN_RULES:
        w = pat.sub(rep, w)
    return _collapse(w)


def singular(word: str) -> str:
    """Katakana loanwords are singular: ``filters`` is written as ``filter`` would be."""
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def skeleton_term(skeleton: str) -> str | None:
    """The term of a skeleton, or None when it is too short to be telling."""
    return PREFIX + skeleton if len(skeleton) >= PHONETIC_MIN_LEN else None
