"""Full-text search helpers shared by technologies and needs.

PostgreSQL's parser does not split Japanese into words, so Japanese (CJK) runs are also indexed
as overlapping character bigrams; a Japanese word of the query must have all its bigrams in the
listing (as pg_bigm's index condition: 太陽電池 is 太陽 & 陽電 & 電池, so 電池の太陽 does not
match). The same `english` configuration handles both, so one GIN-indexed tsvector serves every
language.

Why not a phrase of bigrams: a phrase needs word positions, which the GIN index does not hold,
so PostgreSQL would read every candidate row's whole vector (kilobytes, out of line) to check
them; the AND of bigrams is answered by the index alone (docs/performance.md).
"""

import re
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F
from django.utils.html import escape
from django.utils.safestring import mark_safe

from matching.text import translate_query

CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f々〆ー]+")
SEARCH_CONFIG = "english"
#: The weights whose text also goes into the small rank vector (see ListingQuerySet.search).
RANK_WEIGHTS = ("A", "B")
# ts_headline marks matches with these private-use characters instead of HTML, so that the
# listing's own text can be escaped before the <mark> tags go in (it is user input).
MARK_START, MARK_STOP = "\ue000", "\ue001"


def cjk_bigrams(run: str) -> list[str]:
    if len(run) < 2:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def index_text(text: str) -> str:
    """Text as stored for indexing: the original words plus CJK bigrams, run by run."""
    if not text:
        return ""
    runs = CJK_RUN.findall(text)
    if not runs:
        return text
    return text + " \n " + " \n ".join(" ".join(cjk_bigrams(run)) for run in runs)


def query_text(query: str) -> str:
    """A web-search query with every CJK run turned into a quoted phrase of its bigrams.

    A single CJK character cannot form a bigram; it is left as is and matched by prefix.
    """

    def replace(match):
        run = match.group(0)
        if len(run) < 2:
            return run
        return f' "{" ".join(cjk_bigrams(run))}" '

    # Quotes around a CJK run would nest; the bigram phrase is already quoted.
    return CJK_RUN.sub(replace, query.replace("「", " ").replace("」", " "))


#: In websearch_to_tsquery's output, the phrase operator between two Japanese bigrams (the
#: phrase that :func:`query_text` makes of a CJK run); replaced by AND.
_CJK_CLASS = CJK_RUN.pattern.removesuffix("+")
_CJK_PHRASE = rf"('[^']*{_CJK_CLASS}[^']*') <-> (?='[^']*{_CJK_CLASS})"


class ListingSearchQuery(SearchQuery):
    """A web-search query (quotes, OR, -word) whose Japanese words are ANDs of bigrams."""

    def __init__(self, query: str):
        super().__init__(query_text(query), config=SEARCH_CONFIG, search_type="websearch")

    def as_sql(self, compiler, connection, *args, **kwargs):
        sql, params = super().as_sql(compiler, connection, *args, **kwargs)
        return (
            f"regexp_replace(({sql})::text, %s, %s, 'g')::tsquery",
            [*params, _CJK_PHRASE, r"\1 & "],
        )


def cross_language_query(query: str) -> SearchQuery:
    """The query in both languages: every word, or one of its spellings in the other language
    (matching.text.translate_query: the glossary the matching engine uses). Expanded once
    per query, so the GIN-indexed search vector is searched as before; a query in search
    syntax (quotes, OR, -word) is taken as typed."""
    words = translate_query(query)
    if not words:
        return ListingSearchQuery(query)
    return reduce(
        and_, (reduce(or_, (ListingSearchQuery(spelling) for spelling in w)) for w in words)
    )


def relevance(ts_query: SearchQuery) -> SearchRank:
    """How well a listing's title, keywords and summary (the small rank vector) match: weighted
    word frequency (ts_rank), so a title or keyword hit outranks a summary hit and a listing
    matching only in its description scores 0. Not cover density (ts_rank_cd): with the other
    language's spellings ORed in, it costs ~4.5× more per row (0.84 s against 0.18 s for the
    83,000 rows of `system` and its Japanese spellings at 100,000 listings) for no better order
    (docs/performance.md)."""
    return SearchRank(F("rank_vector"), ts_query)


def highlight_terms(query: str) -> str:
    """What to mark in snippets: the query and its other-language spellings."""
    return " ".join([query, *(s for w in translate_query(query) for s in w[1:])])


def has_cjk(text: str) -> bool:
    return bool(CJK_RUN.search(text or ""))


def safe_headline(headline: str, query: str) -> str:
    """A ts_headline snippet as safe HTML: the text escaped, matches (and Japanese query words,
    which the parser cannot see in unsplit text) wrapped in <mark>."""
    text = escape(headline or "")
    runs = {run for run in CJK_RUN.findall(query or "") if len(run) > 1}
    runs = sorted(runs, key=len, reverse=True)
    if runs:
        pattern = re.compile("|".join(re.escape(run) for run in runs))
        text = pattern.sub(lambda m: MARK_START + m.group(0) + MARK_STOP, text)
    return mark_safe(text.replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>"))
