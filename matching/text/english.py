"""English text to terms: words, stop words and Snowball stems (PyStemmer)."""

import re
from collections import Counter
from functools import lru_cache

import Stemmer

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

_STEMMER = Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def stem(w: str) -> str:
    """Snowball English ("Porter 2") stem of a lower-case word (PyStemmer, the C build of the
    Snowball project's stemmers); words of 1-2 letters and words with digits are kept."""
    if len(w) <= 2 or not w.isalpha():
        return w
    return _STEMMER.stemWord(w)


def _content_tokens(text: str):
    """(token as written, lower-case) of the words that carry meaning."""
    for token in WORD_RE.findall(text):
        lower = token.lower()
        if lower in STOPWORDS or len(lower) < 2 or lower.isdigit():
            continue
        yield token, lower


def analyse_english(text: str) -> Counter:
    """Counter of the stems of ``text``."""
    c: Counter = Counter()
    for _token, lower in _content_tokens(text):
        c[stem(lower)] += 1.0
    return c


def english_words(text: str) -> dict[str, str]:
    """``{term: the word of text it comes from}`` (acronyms kept in capitals)."""
    words: dict[str, str] = {}
    for token, lower in _content_tokens(text):
        words.setdefault(stem(lower), lower if not token.isupper() else token)
    return words
