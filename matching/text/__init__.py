"""Text analysis for the matching engine: English or Japanese text -> one term space.

Every document (technology or need) is turned into a sparse vector ``{term: weight}`` that
depends only on that document, so it can be computed when the listing is saved and stored.

Term space (language-independent):

* ``roll``, ``bear`` ... -- Snowball stems of English words (:mod:`.english`). Japanese text is
  segmented with SudachiPy and every content word is mapped to English through the dictionary
  tables (:mod:`.japanese`, :mod:`.dictionary`).

(Katakana/English consonant skeletons, ``~krmn``, were removed: by cross-validation they lowered
every fold's nDCG@10 or left it equal, see docs/matching.md.)

The modules, lowest first: ``scripts`` (character classes, language detection), ``english``, ``dictionary`` (the tables, loaded lazily), ``japanese``, ``document`` (the
document vector, idf, matched words) and ``search`` (cross-language search queries). This
package exports what the rest of the project uses.
"""

from .document import analyse, document_vector, idf, term_words
from .english import STOPWORDS, WORD_RE, analyse_english, stem
from .scripts import detect_language
from .search import translate_query

__all__ = [
    "STOPWORDS",
    "WORD_RE",
    "analyse",
    "analyse_english",
    "detect_language",
    "document_vector",
    "idf",
    "stem",
    "term_words",
    "translate_query",
]
