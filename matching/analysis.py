"""Text analysis for the matching engine: English or Japanese text -> one term space.

Every document (technology or need) is turned into a sparse vector ``{term: weight}`` that
depends only on that document, so it can be computed when the item is saved and stored.

Term space (language-independent):

* ``roll``, ``bear`` ... -- Snowball stems of English words. English text is tokenised directly;
  Japanese text is segmented with SudachiPy (``sudachidict-small``) and every content word is
  mapped to English through a compact JMdict gloss table (``data/jmdict_gloss.tsv.gz``) and a
  glossary of the taxonomy's EN/JA field names (``data/taxonomy_glossary.tsv``). Compounds are
  looked up whole (adjacent nouns joined, longest match first) *and* part by part, so
  ``転がり軸受`` gives ``roll`` + ``bear`` even though the compound is not in the dictionary.
  Unknown kanji compounds (``火点``) fall back to their single characters at a lower weight.
* ``~krmn`` -- phonetic skeletons. A katakana word that the dictionaries do not know
  (``カルマン``, ``グルコシダーゼ``) is romanised to a consonant skeleton; English words emit
  the skeleton of how they would be written in katakana (``kalman`` -> ``~krmn``,
  ``glucosidase`` -> ``~grksds``), at a lower weight. The skeleton merges the distinctions
  katakana does not make (l/r, b/v, s/z/j, ch/k) and drops vowels and non-rhotic r, so no
  vocabulary list is needed and it works on both sides of a pair.

Public functions: :func:`analyse`, :func:`document_vector`, :func:`detect_language`.
"""

from __future__ import annotations

import gzip
import math
import os
import re
import threading
from collections import Counter
from functools import lru_cache

import Stemmer

from .options import DEFAULT, Options

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")

# --- weights (documented; few on purpose) -------------------------------------------------
#: weight of the terms of a Japanese word's first-sense glosses (first gloss 1.0, others 0.4);
#: later senses' first glosses get SECONDARY_W.
PRIMARY_W, OTHER_PRIMARY_W, SECONDARY_W = 1.0, 0.4, 0.3
#: weight of glosses of single kanji used when a kanji compound is unknown.
CHAR_FALLBACK_W = 0.4
#: weight of the phonetic skeleton emitted for an English word (the unknown katakana word
#: itself gets weight 1.0 on its skeleton). Low, since for English-English pairs the stem
#: already matches; it exists to meet katakana loanwords missing from the dictionary.
PHONETIC_EN_W = 0.3
#: weight of a token's own glosses when it is part of a compound found whole in the dictionary.
#: The compound's own gloss is the precise one (``省エネルギー`` -> energy conservation); a
#: part's gloss alone is often another sense (``省`` -> ministry), so parts count half.
COVERED_W = 0.5
#: near-synonym expansion (``data/en_synonyms.tsv.gz``, from JMdict): every stem of a document
#: also adds its listed near-synonyms with SYNONYM_W times its weighted frequency (low: a
#: synonym is evidence, not a match). Document-local, so the vector stays storable.
SYNONYM_W = 0.1
#: only salient stems are expanded: weighted frequency >= SYNONYM_MIN_TF (a title, keyword or
#: summary word, or a description word used twice). Expanding every stem gives the same figures
#: on the development set but 2.4x the postings (421 terms per document instead of 245).
SYNONYM_MIN_TF = 2.0
#: minimum skeleton length: shorter skeletons collide too often.
PHONETIC_MIN_LEN = 4
#: field weights of a document's parts (title > keywords > summary > benefits/description).
PART_WEIGHTS = {"title": 3.0, "keywords": 2.5, "summary": 2.0, "benefits": 1.0, "description": 1.0}
#: BM25-style saturation of the weighted term frequency: w = tf*(K1+1)/(tf+K1*norm), with
#: norm = 1-B+B*len/AVG_LEN; AVG_LEN is a fixed constant (not a corpus statistic) so the
#: vector depends only on its document.
K1, B, AVG_LEN = 1.2, 0.5, 250.0

# ------------------------------------------------------------------------------------------
_STOP_TEXT = """
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each either etc few
for from further had has have having he her here hers him his how i if in into is it its itself
just more most my no nor not now of off on once only or other our ours out over own per same
she should so some such than that the their theirs them then there these they this those
through to too under until up upon very via was we were what when where which while who whom
why will with within without would you your yours one two three four five six ten may might
must shall us also e g i e eg ie vs using used use based new thing something someone
"""
STOPWORDS = frozenset(_STOP_TEXT.split())

WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*")
JA_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff々〆ヵヶー]")
KATAKANA_RE = re.compile(r"^[\u30a1-\u30faー・ヽヾ]+$")
KANJI_RE = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff々]+$")


# ------------------------------------------------------------------------- stemming ----
_STEMMER = Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def stem(w: str) -> str:
    """Snowball English ("Porter 2") stem of a lower-case word (PyStemmer, the C build of the
    Snowball project's stemmers); words of 1-2 letters and words with digits are kept."""
    if len(w) <= 2 or not w.isalpha():
        return w
    return _STEMMER.stemWord(w)


# ------------------------------------------------------------ phonetic skeletons --------
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


# ----------------------------------------------------------------- English analysis ----
def _english_tokens(text: str) -> list[str]:
    return [t.lower() for t in WORD_RE.findall(text)]


def analyse_english(text: str, phonetic: bool = True) -> Counter:
    c: Counter = Counter()
    for tok in _english_tokens(text):
        if tok in STOPWORDS or (len(tok) < 2):
            continue
        if tok.isdigit():
            continue
        c[stem(tok)] += 1.0
        if phonetic and tok.isalpha() and len(tok) >= 5:
            sk = english_skeleton(
                tok[:-1] if tok.endswith("s") and not tok.endswith("ss") else tok
            )  # katakana loanwords are singular
            if len(sk) >= PHONETIC_MIN_LEN:
                c["~" + sk] += PHONETIC_EN_W
    return c


# ------------------------------------------------------------------ glossary loading ----
_lock = threading.Lock()
_GLOSS: dict | None = None
_TAXO: dict | None = None
_TOKENIZER = None

_SYNONYMS: dict | None = None


def _synonyms() -> dict[str, tuple[str, ...]]:
    """{stem: (near-synonym stems)} -- loaded once, lazily (English-only use needs no Sudachi)."""
    global _SYNONYMS
    if _SYNONYMS is None:
        table = {}
        path = os.path.join(DATA_DIR, "en_synonyms.tsv.gz")
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                if not line.startswith("#"):
                    stem_, syns = line.rstrip("\n").split("\t")
                    table[stem_] = tuple(syns.split("|"))
        _SYNONYMS = table
    return _SYNONYMS


def expand_synonyms(tf: Counter) -> None:
    """Add the near-synonyms of each salient stem (weighted frequency >= ``SYNONYM_MIN_TF``) to
    ``tf`` (in place) at ``SYNONYM_W`` of its frequency."""
    table = _synonyms()
    extra: Counter = Counter()
    for t, v in tf.items():
        if v >= SYNONYM_MIN_TF:
            for s in table.get(t, ()):
                extra[s] += SYNONYM_W * v
    tf.update(extra)


def _load() -> None:
    global _GLOSS, _TAXO, _TOKENIZER
    with _lock:
        if _GLOSS is not None:
            return
        gl = {}
        with gzip.open(os.path.join(DATA_DIR, "jmdict_gloss.tsv.gz"), "rt", encoding="utf-8") as f:
            for line in f:
                if line.startswith("#"):
                    continue
                head, prim, sec = line.rstrip("\n").split("\t")
                gl[head] = (prim, sec)
        taxo = {}
        path = os.path.join(DATA_DIR, "taxonomy_glossary.tsv")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                for line in f:
                    if not line.startswith("#") and "\t" in line:
                        ja, en = line.rstrip("\n").split("\t")
                        taxo[ja] = en
        from sudachipy import Dictionary  # lazy: only Japanese text needs it

        _TOKENIZER = Dictionary(dict="small").tokenizer()
        _TAXO = taxo
        _GLOSS = gl


@lru_cache(maxsize=100_000)
def _gloss_terms(
    head: str, taxonomy: bool = True, secondary: bool = True
) -> tuple[tuple[str, float], ...] | None:
    """English terms (stem, weight) for a Japanese headword, or None if unknown."""
    if taxonomy and head in _TAXO:
        c = analyse_english(_TAXO[head], phonetic=False)
        return tuple((t, PRIMARY_W) for t in c)
    entry = _GLOSS.get(head)
    if entry is None:
        return None
    prim, sec = entry
    out: dict[str, float] = {}
    for i, g in enumerate(prim.split("|")):
        for t in analyse_english(g, phonetic=False):
            w = PRIMARY_W if i == 0 else OTHER_PRIMARY_W
            out[t] = max(out.get(t, 0.0), w)
    if secondary and sec:
        for g in sec.split("|"):
            for t in analyse_english(g, phonetic=False):
                out[t] = max(out.get(t, 0.0), SECONDARY_W)
    return tuple(out.items()) if out else None


_I_TO_U = dict(
    zip(
        "いきぎしじちぢにひびぴみりえけげせぜてでねへべぺめれ",
        "うくぐすずつづぬふぶぷむるるけげせぜてでねへべぺめれ",
        strict=True,
    )
)


def _lookup(candidates: list[str], options: Options = DEFAULT) -> tuple | None:
    flags = (options.taxonomy, options.secondary)
    for h in candidates:
        if not h:
            continue
        r = _gloss_terms(h, *flags)
        if r is None and KATAKANA_RE.match(h):
            r = _gloss_terms(h[:-1] if h.endswith("ー") else h + "ー", *flags)
        if r is None and len(h) >= 2 and h[-1] in "いきぎしちにびみり":
            # noun made from a verb's continuative form (転がり -> 転がる)
            r = _gloss_terms(h[:-1] + _I_TO_U[h[-1]], *flags)
        if r is not None:
            return r
    return None


_CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞", "接頭辞", "接尾辞"}
_NOMINAL_POS = {"名詞", "接頭辞", "接尾辞", "形状詞"}


def analyse_japanese(text: str, options: Options = DEFAULT) -> Counter:
    if _GLOSS is None:
        _load()
    c: Counter = Counter()
    morphs = list(_TOKENIZER.tokenize(text))
    toks = []  # (surface, lemma, norm, pos0, pos1, nominal)
    for m in morphs:
        pos = m.part_of_speech()
        toks.append(
            (
                m.surface(),
                m.dictionary_form(),
                m.normalized_form(),
                pos[0],
                pos[1],
                pos[0] in _NOMINAL_POS and pos[1] != "数詞",
            )
        )

    def emit(terms, w):
        for t, tw in terms:
            if t not in STOPWORDS:
                c[t] += w * tw

    n = len(toks)
    # a katakana word split by the analyser into known parts (ザクロ+マイシン) may still be one
    # loanword: when the whole run is not in the dictionary, also emit its skeleton
    if options.katakana:
        i = 0
        while i < n:
            j = i
            while j < n and KATAKANA_RE.match(toks[j][0]):
                j += 1
            if j - i >= 2:
                word = "".join(t[0] for t in toks[i:j])
                if _lookup([word], options) is None:
                    sk = katakana_skeleton(word)
                    if len(sk) >= PHONETIC_MIN_LEN:
                        c["~" + sk] += 1.0
            i = max(j, i + 1)
    # whole compounds: runs of adjacent nominal tokens, longest match first
    covered = [False] * n
    if options.compounds:
        i = 0
        while i < n:
            if not toks[i][5]:
                i += 1
                continue
            matched = 0
            for L in range(min(5, n - i), 1, -1):
                span = toks[i : i + L]
                if not all(t[5] for t in span):
                    continue
                r = _lookup(["".join(t[0] for t in span)], options)
                if r is not None:
                    emit(r, 1.0)
                    matched = L
                    for k in range(i, i + L):
                        covered[k] = True
                    break
            i += max(matched - 1, 1) if matched else 1

    for idx, (surf, lemma, norm, p0, p1, _nominal) in enumerate(toks):
        if p0 not in _CONTENT_POS or p1 in ("非自立可能", "数詞"):
            continue
        if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9\-]*", surf):
            c.update(analyse_english(surf))
            continue
        if not JA_RE.search(surf):
            continue
        r = _lookup([surf, lemma, norm], options)
        if r is not None:
            emit(r, COVERED_W if covered[idx] else 1.0)
            if options.katakana and KATAKANA_RE.match(surf) and len(surf) >= 3:
                sk = katakana_skeleton(surf)
                if len(sk) >= PHONETIC_MIN_LEN:
                    c["~" + sk] += PHONETIC_EN_W
            continue
        if KATAKANA_RE.match(surf):
            if options.katakana:
                sk = katakana_skeleton(surf)
                if len(sk) >= PHONETIC_MIN_LEN:
                    c["~" + sk] += 1.0
            continue
        if options.compounds and KANJI_RE.match(surf) and len(surf) >= 2:
            for ch in surf:  # unknown kanji compound: its characters, at a lower weight
                r = _lookup([ch], options)
                if r is not None:
                    emit(r, CHAR_FALLBACK_W)
    return c


# ----------------------------------------------------------------------- public API ----
def detect_language(text: str) -> str:
    """'ja' if at least 20 % of the letters are kana/kanji, else 'en'."""
    ja = len(JA_RE.findall(text or ""))
    lat = len(re.findall(r"[A-Za-z]", text or ""))
    return "ja" if ja and ja >= 0.2 * (ja + lat) else "en"


def analyse(text: str, language: str | None = None, options: Options = DEFAULT) -> Counter:
    """Map EN or JA text to a Counter of language-independent terms (English stems, ``~``
    phonetic skeletons). ``language`` is detected when missing. Japanese-language documents
    often contain Latin words (``MOF``, ``AI``): those are analysed as English."""
    if not text:
        return Counter()
    lang = language or detect_language(text)
    if lang == "ja" and JA_RE.search(text):
        if not options.crosslang:
            # ablation: no dictionary, Japanese words kept as surface forms
            if _GLOSS is None:
                _load()
            c = Counter()
            for m in _TOKENIZER.tokenize(text):
                p = m.part_of_speech()
                if p[0] in _CONTENT_POS and p[1] != "非自立可能":
                    s = m.surface()
                    c[s.lower() if s.isascii() else s] += 1.0
            return c
        return analyse_japanese(text, options)
    return analyse_english(text)


def document_vector(
    parts: dict, language: str | None = None, options: Options = DEFAULT
) -> dict[str, float]:
    """Sparse vector {term: weight} of a technology or need.

    ``parts``: ``title``, ``summary``, ``description``, ``benefits``, ``keywords`` (technology) or
    ``title``, ``description``, ``keywords`` (need); values are strings or lists of strings.
    Weighted term frequency tf = sum over parts of PART_WEIGHTS[part] * count, plus near-synonyms
    at SYNONYM_W (:func:`expand_synonyms`), then w = tf*(K1+1) / (tf + K1*(1 - B + B*len/AVG_LEN)) where len is the weighted length.
    The result depends only on the document (no corpus statistics)."""
    if language is None:
        language = detect_language(
            " ".join(v if isinstance(v, str) else " ".join(v) for v in parts.values() if v)
        )
    tf: Counter = Counter()
    length = 0.0
    for name, value in parts.items():
        if not value:
            continue
        pw = PART_WEIGHTS.get(name, 1.0)
        text = value if isinstance(value, str) else " ; ".join(value)
        for t, n in analyse(text, language, options).items():
            tf[t] += pw * n
            if not t.startswith("~"):
                length += pw * n
    if options.synonyms:
        expand_synonyms(tf)  # not counted in the length: the document did not get longer
    norm = 1 - B + B * (length / AVG_LEN)
    return {t: round(v * (K1 + 1) / (v + K1 * norm), 4) for t, v in tf.items()}


def idf(df: int, n_docs: int) -> float:
    """BM25 idf, floored at 0: ln(1 + (N - df + 0.5) / (df + 0.5))."""
    return math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))


def term_words(text: str, language: str | None = None) -> dict[str, str]:
    """``{term: the word of text it comes from}``, to show matched terms in human words.

    English words by their stem (and loanword skeleton); Japanese words, and compounds found
    whole, by the terms of their first gloss only, so a term reached only through a later sense
    or a near-synonym (dictionary noise such as "shrewd" for a word meaning "clever") has no
    word here and is not shown."""
    if not text:
        return {}
    lang = language or detect_language(text)
    if lang != "ja" or not JA_RE.search(text):
        return _english_words(text)
    if _GLOSS is None:
        _load()
    words: dict[str, str] = {}
    toks = [
        (m.surface(), m.dictionary_form(), m.part_of_speech()) for m in _TOKENIZER.tokenize(text)
    ]
    nominal = [p[0] in _NOMINAL_POS and p[1] != "数詞" for _s, _l, p in toks]
    for i in range(len(toks)):  # compounds first: the precise word of a phrase
        for length in range(min(5, len(toks) - i), 1, -1):
            if all(nominal[i : i + length]):
                compound = "".join(t[0] for t in toks[i : i + length])
                _first_gloss_words(words, compound, [compound])
    for surface, lemma, pos in toks:
        if pos[0] not in _CONTENT_POS or pos[1] in ("非自立可能", "数詞"):
            continue
        if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9\-]*", surface):
            for term, word in _english_words(surface).items():
                words.setdefault(term, word)
        elif JA_RE.search(surface) and len(surface) >= 2 or KANJI_RE.match(surface):
            _first_gloss_words(words, surface, [surface, lemma])
            if KATAKANA_RE.match(surface):
                words.setdefault("~" + katakana_skeleton(surface), surface)
    return words


def _first_gloss_words(words: dict, surface: str, heads: list[str]) -> None:
    terms = _lookup(heads)
    for term, weight in terms or ():
        if weight >= PRIMARY_W and term not in STOPWORDS:
            words.setdefault(term, surface)


def _english_words(text: str) -> dict[str, str]:
    words: dict[str, str] = {}
    for token in WORD_RE.findall(text):
        lower = token.lower()
        if lower in STOPWORDS or len(lower) < 2 or lower.isdigit():
            continue
        words.setdefault(stem(lower), lower if not token.isupper() else token)
        if lower.isalpha() and len(lower) >= 5:
            singular = lower[:-1] if lower.endswith("s") and not lower.endswith("ss") else lower
            words.setdefault("~" + english_skeleton(singular), lower)
    return words


# ------------------------------------------------------------ cross-language search ----
#: at most this many spellings in the other language per query word (most specific first).
MAX_TRANSLATIONS = 6
_EN_JA: dict | None = None
_EN_JA_PARTS: dict | None = None
_SEARCH_SYNTAX = re.compile(r'"|\bOR\b|(^|\s)-\S')


def _en_ja() -> dict[str, tuple[str, ...]]:
    """{English stem or "stem stem": Japanese headwords}, loaded once (en_ja_index.tsv.gz)."""
    global _EN_JA, _EN_JA_PARTS
    if _EN_JA is None:
        table, parts = {}, {}
        with gzip.open(os.path.join(DATA_DIR, "en_ja_index.tsv.gz"), "rt", encoding="utf-8") as f:
            for line in f:
                if not line.startswith("#"):
                    key, heads = line.rstrip("\n").split("\t")
                    table[key] = tuple(heads.split("|"))
                    if " " in key:
                        for term in key.split(" "):
                            parts.setdefault(term, []).append(key)
        _EN_JA_PARTS = parts
        _EN_JA = table
    return _EN_JA


@lru_cache(maxsize=1024)
def translate_query(query: str) -> tuple[tuple[str, ...], ...]:
    """A search query's words, each with its spellings in the other language.

    ``((word, alternative, ...), ...)``: a listing matches when it has, for every word, the
    word or one of its alternatives. Japanese words (compounds looked up whole first) get the
    English glosses of their first sense; English words (two-word phrases first) the Japanese
    headwords whose first gloss they are. Query-time only: the search index is not changed.
    Empty when the query uses search syntax (quotes, OR, -word): it is then taken as typed."""
    query = (query or "").strip()
    if not query or _SEARCH_SYNTAX.search(query) or len(query) > 200:
        return ()
    if JA_RE.search(query):
        return _translate_japanese(query)
    return _translate_english(query)


def _translate_english(query: str) -> tuple[tuple[str, ...], ...]:
    words = [w for w in WORD_RE.findall(query) if w.lower() not in STOPWORDS]
    stems = [stem(w.lower()) for w in words]
    table = _en_ja()
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
    table = _en_ja()
    return tuple((k, table[k]) for k in _EN_JA_PARTS.get(term, ())[:3])


def _fewest(heads) -> tuple[str, ...]:
    """Up to MAX_TRANSLATIONS headwords, without one that contains another (バイナリ matches
    バイナリー already: the search is by character pairs)."""
    chosen: list[str] = []
    for head in sorted(dict.fromkeys(heads), key=len):
        if not any(c in head for c in chosen):
            chosen.append(head)
    return tuple(chosen[:MAX_TRANSLATIONS])


def _translate_japanese(query: str) -> tuple[tuple[str, ...], ...]:
    if _GLOSS is None:
        _load()
    toks = [m for m in _TOKENIZER.tokenize(query)]
    out, i = [], 0
    while i < len(toks):
        pos = toks[i].part_of_speech()
        surface = toks[i].surface()
        if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9\-]*", surface):
            out.extend(_translate_english(surface) or ((surface,),))
            i += 1
            continue
        if pos[0] not in _CONTENT_POS or pos[1] in ("非自立可能", "数詞") or not surface.strip():
            i += 1
            continue
        for length in range(min(5, len(toks) - i), 0, -1):
            word = "".join(t.surface() for t in toks[i : i + length])
            glosses = _english_glosses(word if length > 1 else toks[i].dictionary_form(), word)
            if glosses or length == 1:
                out.append((word, *glosses))
                i += length
                break
    return tuple(out)


def _english_glosses(head: str, surface: str) -> tuple[str, ...]:
    """The English of a Japanese word: its taxonomy name, else its first sense's glosses."""
    for key in dict.fromkeys([surface, head]):
        if key in _TAXO:
            return (_TAXO[key],)
        entry = _GLOSS.get(key)
        if entry:
            return tuple(g for g in entry[0].split("|") if g)[:3]
    return ()
