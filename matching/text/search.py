"""Cross-language search: a query's words with their spellings in the other language, from
the same tables as the matching analysis (used by ``listings.search``)."""

from __future__ import annotations

import re
from functools import lru_cache

from .dictionary import english_of, english_to_japanese, tokenize
from .english import STOPWORDS, WORD_RE, stem
from .japanese import CONTENT_POS, MAX_COMPOUND, NOT_CONTENT
from .scripts import JA_RE, LATIN_WORD_RE

#: at most this many spellings in the other language per query word (most specific first).
MAX_TRANSLATIONS = 6
_SEARCH_SYNTAX = re.compile(r'"|\bOR\b|(^|\s)-\S')

#: one query word (or phrase) and its alternative spellings: ``(word, alternative, ...)``.
Alternatives = tuple[str, ...]


@lru_cache(maxsize=1024)
def translate_query(query: str) -> tuple[Alternatives, ...]:
    """A search query's words, each with its spellings in the other language.

    A listing matches when it has, for every word, the word or one of its alternatives.
    Japanese words (compounds looked up whole first) get the English glosses of their first
    sense; English words (two-word phrases first) the Japanese headwords whose first gloss they
    are. Query-time only: the search index is not changed. Empty when the query uses search
    syntax (quotes, OR, -word): it is then taken as typed."""
    query = (query or "").strip()
    if not query or _SEARCH_SYNTAX.search(query) or len(query) > 200:
        return ()
    if JA_RE.search(query):
        return _translate_japanese(query)
    return _translate_english(query)


def _translate_english(query: str) -> tuple[Alternatives, ...]:
    words = [w for w in WORD_RE.findall(query) if w.lower() not in STOPWORDS]
    stems = [stem(w.lower()) for w in words]
    table = english_to_japanese().headwords
    out, i = [], 0
    while i < len(words):
        pair = " ".join(stems[i : i + 2]) if i + 1 < len(words) else None
        if pair and pair in table:
            out.append((f"{words[i]} {words[i + 1]}", *_fewest(table[pair])))
            i += 2
            continue
        heads = table.get(stems[i]) or tuple(h for key, hs in _two_word_keys(stems[i]) for h in hs)
        out.append((words[i], *_fewest(heads)))
        i += 1
    return tuple(out)


def _two_word_keys(term: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Two-word glosses that contain ``term`` (``geotherm`` -> "geothermal energy": 地熱)."""
    index = english_to_japanese()
    return tuple((k, index.headwords[k]) for k in index.phrases_with.get(term, ())[:3])


def _fewest(heads) -> tuple[str, ...]:
    """Up to MAX_TRANSLATIONS headwords, without one that contains another (バイナリ matches
    バイナリー already: the search is by character pairs)."""
    chosen: list[str] = []
    for head in sorted(dict.fromkeys(heads), key=len):
        if not any(c in head for c in chosen):
            chosen.append(head)
    return tuple(chosen[:MAX_TRANSLATIONS])


def _translate_japanese(query: str) -> tuple[Alternatives, ...]:
    toks = list(tokenize(query))
    out, i = [], 0
    while i < len(toks):
        pos = toks[i].part_of_speech()
        surface = toks[i].surface()
        if LATIN_WORD_RE.fullmatch(surface):
            out.extend(_translate_english(surface) or ((surface,),))
            i += 1
            continue
        if pos[0] not in CONTENT_POS or pos[1] in NOT_CONTENT or not surface.strip():
            i += 1
            continue
        for length in range(min(MAX_COMPOUND, len(toks) - i), 0, -1):
            word = "".join(t.surface() for t in toks[i : i + length])
            glosses = _english_glosses(word if length > 1 else toks[i].dictionary_form(), word)
            glosses += tuple(s for s in _english_words_for(word) if s not in glosses)
            if glosses or length == 1:
                out.append((word, *glosses))
                i += length
                break
    return tuple(out)


def _english_words_for(japanese: str) -> tuple[str, ...]:
    """The English words (as stems) that :func:`_translate_english` turns into this Japanese
    word through a two-word gloss: 地熱 is "geothermal energy", so an English query
    ``geothermal`` finds 地熱, and the Japanese query 地熱 finds ``geothermal`` alone too."""
    return _reverse_two_word_index().get(japanese, ())


@lru_cache(maxsize=1)
def _reverse_two_word_index() -> dict[str, tuple[str, ...]]:
    index = english_to_japanese()
    reverse: dict[str, list[str]] = {}
    for term in index.phrases_with:
        if term in index.headwords:  # a word with its own entry: translated by that
            continue
        for _key, heads in _two_word_keys(term):
            for head in heads:
                if term not in reverse.setdefault(head, []):
                    reverse[head].append(term)
    return {head: tuple(terms[:2]) for head, terms in reverse.items()}


def _english_glosses(head: str, surface: str) -> tuple[str, ...]:
    """The English of a Japanese word: its taxonomy name, else its first sense's glosses."""
    for key in dict.fromkeys([surface, head]):
        english = english_of(key)
        if english is not None:
            return tuple(g for g in english if g)[:3]
    return ()
