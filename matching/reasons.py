"""Human-readable reasons of a match score, in the page's language."""

from functools import lru_cache

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lib.i18n import country_name, join_list
from listings.models import Field, Partnership

from .scoring import (
    CountryReason,
    FieldsReason,
    NeighboursReason,
    PartnershipReason,
    Reason,
    TermsReason,
    TrlReason,
)
from .text import stem, term_words

#: how much of a suggestion's title a reason quotes
TITLE_CHARS = 60


def describe(
    reasons: list[Reason], field_names: dict[str, str] | None = None, texts=(), titles=None
) -> list[str]:
    """Turn the engine's reasons (matching.scoring) into short sentences in the page's language.

    ``texts``: the text of each listing of the pair, as ``(text, language)`` or plain text;
    matched terms are shown as the listings' own words (:func:`matched_words`). ``titles``:
    {listing id: title} of the suggestions shown beside it, so that a suggestion close to the
    best ones names the one it is most like when the page shows it."""
    names = field_names if field_names is not None else field_name_map()
    offers = dict(Partnership.choices)
    out = []
    for reason in reasons:
        if isinstance(reason, FieldsReason):
            if reason.sub_fields:
                out.append(
                    _("Same field: %(fields)s")
                    % {"fields": join_words(names.get(s, s) for s in reason.sub_fields)}
                )
            if reason.groups:
                out.append(
                    _("Neighbouring field in %(groups)s")
                    % {"groups": join_words(names.get(s, s) for s in reason.groups)}
                )
        elif isinstance(reason, TermsReason):
            words = matched_words(reason.terms, texts)
            if words:
                out.append(_("Shared terms: %(terms)s") % {"terms": join_words(words)})
        elif isinstance(reason, TrlReason):
            values = {"trl": reason.trl, "low": reason.low, "high": reason.high}
            if reason.fit == "within":
                out.append(_("TRL %(trl)s is within the wanted range %(low)s–%(high)s") % values)
            elif reason.fit == "below":
                out.append(_("TRL %(trl)s is below the wanted range %(low)s–%(high)s") % values)
            else:
                out.append(_("TRL %(trl)s is above the wanted range %(low)s–%(high)s") % values)
        elif isinstance(reason, PartnershipReason):
            if reason.common:
                out.append(
                    _("Offers what is sought: %(kinds)s")
                    % {"kinds": join_words(str(offers.get(k, k)) for k in reason.common)}
                )
            else:
                out.append(_("Offers none of the partnership kinds sought"))
        elif isinstance(reason, CountryReason):
            if reason.common:
                out.append(
                    _("Country in common: %(countries)s")
                    % {"countries": join_words(country_name(c) for c in reason.common)}
                )
            else:
                out.append(_("No country in common"))
        elif isinstance(reason, NeighboursReason):
            title = (titles or {}).get(reason.like)
            if title:
                out.append(
                    _("Close to “%(title)s”, one of this need's best suggestions")
                    % {"title": _shortened(title)}
                )
            else:
                out.append(_("Close to this need's best suggestions"))
        else:
            raise TypeError(f"not a matching.scoring reason: {reason!r}")
    return out


def _shortened(title: str) -> str:
    """A title quoted in a reason: at most ``TITLE_CHARS`` characters, cut at its last space
    in the second half (a Japanese title, with none there, is cut anywhere)."""
    if len(title) <= TITLE_CHARS:
        return title
    cut = title[: TITLE_CHARS - 1]
    head = cut.rpartition(" ")[0]
    return (head if len(head) > TITLE_CHARS // 2 else cut) + "…"


def field_name_map() -> dict[str, str]:
    return {f.slug: f.name for f in Field.objects.all()}


def join_words(words) -> str:
    """The one place where the items of a reason are joined (the page's language decides)."""
    return join_list(words)


#: English words that say nothing about what either listing is about, whatever the engine
#: made of them: a reason never shows them (the engine still counts them). Adverbs and
#: quantities, vague adjectives and verbs, units, and the words every listing on the exchange
#: uses of itself (licence, partner, development).
_GENERAL_TEXT = """
already almost also always another away back cannot different each else enough even ever every
along around beyond existing few least less many much often once other others quite several
since soon still such instead next whose yet one two three four five six seven eight nine ten
big biggest current free general high large largest long low main many non simple single small
smallest together twice whole available basic common difficult full ready
able become bring cause come do done get give given giving go going have help keep let made
make need part place put reach set show take thing way buy depend know left provide require see
seek sell use people
day days hour hours month months week weeks year years time times
cm mm km kg mg kw kwh mw gw usd yen
co assistance collaboration company development licence license licensed licensing partner
partners partnership technology technical venture
"""
GENERAL_TERMS = frozenset(stem(word) for word in _GENERAL_TEXT.split())


def matched_words(terms: list[str], texts) -> list[str]:
    """The matched terms as the listings' own words, without duplicates.

    A term is shown only when every given text has a word for it (an English word with that
    stem, or a Japanese noun whose first gloss gives it): a term that one side reached only
    through a dictionary's later sense or a near-synonym is noise to a reader, and so is a
    general word (``GENERAL_TERMS``: "already", "months", "licensed"). The word is
    taken from the last listing written in the page's language when there is one, else from the last
    text (the suggested listing), so a Japanese page shows a Japanese listing's own term."""
    sources = [t if isinstance(t, tuple) else (t, None) for t in texts]
    if not sources:
        return []
    page = (get_language() or "en")[:2]
    maps = [(_term_words(text or "", lang), lang) for text, lang in sources]
    preferred = [m for m, lang in reversed(maps) if lang == page] or [maps[-1][0]]
    out: list[str] = []
    for term in terms:
        if term in GENERAL_TERMS or not all(term in m for m, _lang in maps):
            continue
        word = preferred[0][term] if term in preferred[0] else maps[-1][0][term]
        if word not in out:
            out.append(word)
    return out


@lru_cache(maxsize=512)
def _term_words(text: str, language: str | None) -> dict[str, str]:
    return term_words(text, language)


def listing_text(listing) -> str:
    return " ".join(
        [
            listing.title,
            getattr(listing, "summary", ""),
            " ".join(listing.keywords),
            listing.description,
        ]
    )
