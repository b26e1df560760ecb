"""Human-readable reasons of a match score, in the page's language."""

from django.utils.translation import gettext as _
from django_countries import countries

from listings.models import Field, Offer
from portal.i18n import join_list


def describe(reasons: list, field_names: dict[str, str] | None = None, texts=()) -> list[str]:
    """Turn the engine's structured reasons into short sentences.

    ``texts``: English text of either listing, used to show matched stems as the words they
    came from ("corros" -> "corrosion")."""
    names = field_names if field_names is not None else field_name_map()
    offers = dict(Offer.choices)
    out = []
    for reason in reasons:
        kind = reason.get("kind")
        if kind == "fields":
            if reason.get("sub_fields"):
                out.append(
                    _("Same field: %(fields)s")
                    % {"fields": join_list(names.get(s, s) for s in reason["sub_fields"])}
                )
            if reason.get("groups"):
                out.append(
                    _("Neighbouring field in %(groups)s")
                    % {"groups": join_list(names.get(s, s) for s in reason["groups"])}
                )
        elif kind == "terms":
            words = surface_words(texts)
            terms = [words.get(t, t) for t in reason.get("terms", []) if not t.startswith("~")]
            if terms:
                out.append(_("Shared terms: %(terms)s") % {"terms": join_list(terms)})
            elif reason.get("terms"):
                out.append(_("Similar-sounding technical terms (loanwords)"))
        elif kind == "trl":
            values = {"trl": reason["trl"], "low": reason["range"][0], "high": reason["range"][1]}
            if reason["fit"] == "within":
                out.append(_("TRL %(trl)s is within the wanted range %(low)s–%(high)s") % values)
            elif reason["fit"] == "below":
                out.append(_("TRL %(trl)s is below the wanted range %(low)s–%(high)s") % values)
            else:
                out.append(_("TRL %(trl)s is above the wanted range %(low)s–%(high)s") % values)
        elif kind == "partnership":
            if reason.get("common"):
                out.append(
                    _("Offers what is sought: %(kinds)s")
                    % {"kinds": join_list(str(offers.get(k, k)) for k in reason["common"])}
                )
            else:
                out.append(_("Offers none of the partnership kinds sought"))
        elif kind == "country":
            if reason.get("common"):
                out.append(
                    _("Country in common: %(countries)s")
                    % {"countries": join_list(countries.name(c) for c in reason["common"])}
                )
            else:
                out.append(_("No country in common"))
    return out


def field_name_map() -> dict[str, str]:
    return {f.slug: f.name for f in Field.objects.all()}


def surface_words(texts) -> dict[str, str]:
    """Map each stem of the given texts to the first word it came from."""
    from . import analysis

    words: dict[str, str] = {}
    for text in texts:
        for word in analysis.WORD_RE.findall(text or ""):
            lower = word.lower()
            words.setdefault(analysis.stem(lower), lower)
    return words


def listing_text(listing) -> str:
    return " ".join(
        [
            listing.title,
            getattr(listing, "summary", ""),
            " ".join(listing.keywords),
            listing.description,
        ]
    )
