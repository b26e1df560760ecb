"""Japanese text to English terms: SudachiPy segments it, and every content word is mapped to
English stems through the dictionary tables (:mod:`.dictionary`).

Compounds are looked up whole (adjacent nouns joined, longest match first) *and* part by part,
so ``転がり軸受`` gives ``roll`` + ``bear`` even though the compound is not in the dictionary.
Unknown kanji compounds (``火点``) fall back to their single characters at a lower weight.
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from ..options import DEFAULT, Options
from .dictionary import PRIMARY_W, WeightedTerm, lookup, tokenize
from .english import STOPWORDS, analyse_english, english_words
from .scripts import JA_RE, KANJI_RE, LATIN_WORD_RE

#: weight of glosses of single kanji used when a kanji compound is unknown.
CHAR_FALLBACK_W = 0.4
#: weight of a token's own glosses when it is part of a compound found whole in the dictionary.
#: The compound's own gloss is the precise one (``省エネルギー`` -> energy conservation); a
#: part's gloss alone is often another sense (``省`` -> ministry), so parts count half.
COVERED_W = 0.5
#: the longest run of nouns looked up as one compound.
MAX_COMPOUND = 5

CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞", "接頭辞", "接尾辞"}
_NOMINAL_POS = {"名詞", "接頭辞", "接尾辞", "形状詞"}
NOT_CONTENT = ("非自立可能", "数詞")
#: what a reason shows of a word outside a compound (:func:`japanese_words`): nouns and
#: adjectival nouns, and of one-character nouns not these, which say where, when or how many.
_SHOWN_POS = {"名詞", "形状詞"}
_VAGUE_NOUNS = frozenset("中前後上下内外間方時際等他全半回数台部類分")
#: nouns a reason never shows, whatever their gloss: the counterpart of
#: ``reasons.GENERAL_TERMS`` for words whose first gloss is not itself a general English word.
#: Formal and vague nouns (こと glosses as "particle; indicates a command"), general acts and
#: qualities (実施, 最大) and the words a listing uses of its own organisation (当社 glosses as
#: "this shrine", 本県 as "prefecture").
_GENERAL_NOUN_TEXT = """
こと もの ところ ため よう ほう わけ はず とき
状況 状態 場合 結果 条件 方向 内部 外部 全体 一部 部分 以下 以上 前提 余分 側 種 段 率 比 倍
最大 最小 最適 同時 連続 件数 人員 手前 共同 専用 業務 情報 指示 仕組み 方法 手法 機能 効果
目的 課題 問題 必要 可能 特徴 対象
実施 対策 検討 導入 達成 判断 適用 優先 維持 支援 提供 利用 使用 活用 実現 向上 改善 作製
当社 弊社 自社 他社 本社 社 本学 本県 県内 県 本研究 研究所 実績
"""
_GENERAL_NOUNS = frozenset(_GENERAL_NOUN_TEXT.split())


class Token(NamedTuple):
    """One morpheme as SudachiPy gives it."""

    surface: str
    lemma: str  # dictionary form
    normalized: str
    pos: str  # part of speech
    subpos: str  # its first subdivision

    @property
    def nominal(self) -> bool:
        """May be part of a compound noun (numbers are not)."""
        return self.pos in _NOMINAL_POS and self.subpos != "数詞"

    @property
    def content(self) -> bool:
        """Carries meaning (not a particle, auxiliary, dependent word or number)."""
        return self.pos in CONTENT_POS and self.subpos not in NOT_CONTENT


def tokens(text: str) -> list[Token]:
    out = []
    for m in tokenize(text):
        pos = m.part_of_speech()
        out.append(Token(m.surface(), m.dictionary_form(), m.normalized_form(), pos[0], pos[1]))
    return out


def _add(
    counts: Counter, terms: tuple[WeightedTerm, ...], weight: float, options: Options = DEFAULT
) -> None:
    for term, term_weight in _shared([t for t in terms if t.term not in STOPWORDS], options):
        counts[term] += weight * term_weight


def _shared(terms: list[WeightedTerm], options: Options) -> list[WeightedTerm]:
    """One lookup's terms with its alternatives bounded (``Options.gloss_alternatives``): the
    first gloss says what the word means, the other glosses are guesses at it, and together
    they would otherwise weigh as much as another word or two."""
    budget = options.gloss_alternatives
    alternatives = sum(w for _, w in terms if w < PRIMARY_W)
    if not budget or alternatives <= budget:
        return terms
    return [WeightedTerm(t, w if w >= PRIMARY_W else w * budget / alternatives) for t, w in terms]


def _surfaces(span: list[Token]) -> str:
    return "".join(t.surface for t in span)


def analyse_japanese(text: str, options: Options = DEFAULT) -> Counter:
    """Counter of the English terms of Japanese ``text``."""
    toks = tokens(text)
    counts: Counter = Counter()
    covered = (
        _add_whole_compounds(toks, counts, options) if options.compounds else [False] * len(toks)
    )
    for token, in_compound in zip(toks, covered, strict=True):
        _add_word(token, in_compound, counts, options)
    return counts


def _add_whole_compounds(toks: list[Token], counts: Counter, options: Options) -> list[bool]:
    """Runs of adjacent nominal tokens found whole in the tables, longest match first. Returns
    which tokens such a compound covers (their own glosses then count ``COVERED_W``)."""
    n = len(toks)
    covered = [False] * n
    i = 0
    while i < n:
        if not toks[i].nominal:
            i += 1
            continue
        matched = 0
        for length in range(min(MAX_COMPOUND, n - i), 1, -1):
            span = toks[i : i + length]
            if not all(t.nominal for t in span):
                continue
            terms = lookup([_surfaces(span)], options)
            if terms is not None:
                _add(counts, terms, 1.0, options)
                matched = length
                covered[i : i + length] = [True] * length
                break
        i += max(matched - 1, 1) if matched else 1
    return covered


def _add_word(token: Token, in_compound: bool, counts: Counter, options: Options) -> None:
    """One content word's terms: a Latin word as English, a known word by its glosses, an
    unknown kanji compound by its characters (an unknown katakana word has none)."""
    surface = token.surface
    if not token.content:
        return
    if LATIN_WORD_RE.fullmatch(surface):
        counts.update(analyse_english(surface))
        return
    if not JA_RE.search(surface):
        return
    terms = lookup([surface, token.lemma, token.normalized], options)
    if terms is not None:
        _add(counts, terms, COVERED_W if in_compound else 1.0, options)
        return
    if options.compounds and KANJI_RE.match(surface) and len(surface) >= 2:
        for ch in surface:  # unknown kanji compound: its characters, at a lower weight
            terms = lookup([ch], options)
            if terms is not None:
                _add(counts, terms, CHAR_FALLBACK_W, options)


def japanese_surface_terms(text: str) -> Counter:
    """Ablation (no cross-language mapping): the content words themselves, as terms."""
    counts: Counter = Counter()
    for m in tokenize(text):
        p = m.part_of_speech()
        if p[0] in CONTENT_POS and p[1] != "非自立可能":
            s = m.surface()
            counts[s.lower() if s.isascii() else s] += 1.0
    return counts


def japanese_words(text: str) -> dict[str, str]:
    """``{term: the word of text it comes from}``: Japanese words, and compounds found whole,
    by the terms of their first gloss only (see :func:`matching.text.term_words`)."""
    words: dict[str, str] = {}
    toks = tokens(text)
    nominal = [t.nominal for t in toks]
    for i in range(len(toks)):  # compounds first: the precise word of a phrase
        for length in range(min(MAX_COMPOUND, len(toks) - i), 1, -1):
            if all(nominal[i : i + length]):
                compound = _surfaces(toks[i : i + length])
                _add_first_gloss_words(words, compound, [compound])
    for token in toks:
        surface = token.surface
        if not token.content:
            continue
        if LATIN_WORD_RE.fullmatch(surface):
            for term, word in english_words(surface).items():
                words.setdefault(term, word)
        elif _shown_alone(token):
            _add_first_gloss_words(words, surface, [surface, token.lemma])
    return words


def _shown_alone(token: Token) -> bool:
    """A word a reader takes as a reason on its own: a noun or adjectival noun, not a verb or
    adjective cut at its conjugation (``死な``, ``捨て``), a prefix or suffix torn from its
    compound (``所``, ``的``, ``約``) or a one-character word of place, time or count (``中``)."""
    if token.pos not in _SHOWN_POS or not JA_RE.search(token.surface):
        return False
    if len(token.surface) >= 2:
        return True
    return bool(KANJI_RE.match(token.surface)) and token.surface not in _VAGUE_NOUNS


def _add_first_gloss_words(words: dict, surface: str, heads: list[str]) -> None:
    if surface in _GENERAL_NOUNS:
        return
    for term, weight in lookup(heads) or ():
        if weight >= PRIMARY_W and term not in STOPWORDS:
            words.setdefault(term, surface)
