"""A technology's card, the one markup of search results, related technologies, the home page
and an organisation's profile."""

import unicodedata
from dataclasses import dataclass
from functools import cache

from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from listings.models import IPStatus

IP_STATUS_LABELS = dict(IPStatus.choices)
#: the length of the summary a card shows.
SUMMARY_CHARS = 240
#: an id no technology has, whose digits stand for the id in `_technology_url_format`.
_ID_MARK = 987654321987654321


@dataclass(frozen=True)
class KeptCard:
    """A card already made (`listings.selectors.kept_card`: search results, a technology's
    related technologies): its technology's id and markup."""

    pk: int
    html: SafeString


@dataclass(frozen=True)
class CardParts:
    """A card's markup around the text of its paragraph, and that text (the summary): what is
    the same whatever words a search matched in it (`listings.selectors.kept_card`)."""

    before: str
    summary: str
    after: str

    def html(self, headline: str = "") -> SafeString:
        """The card, with `headline` (safe HTML: the matched words) in place of the summary if
        given."""
        return mark_safe(self.before + (headline or self.summary) + self.after)


def card_markup(technology, badge: str = "") -> SafeString:
    """A technology's card, built here rather than by a template include: twenty cards through
    the template engine took about a third of a search page's time in Python. Its pieces come
    prefetched (`Technology.objects.for_cards()`): organisation, fields, images.

    `headline` (the matched words, HTML that `listings.search.safe_headline` cleaned), if the
    technology has one, replaces the summary (search results' cards put in theirs on each
    visit: `listings.selectors.kept_card`); `badge` (markup: the status badge) is added to the
    card's facts if given."""
    return card_parts(technology, badge).html(getattr(technology, "headline", None) or "")


def card_parts(technology, badge: str = "") -> CardParts:
    """`card_markup`'s pieces: the markup before the paragraph's text, the summary (escaped,
    cut to `SUMMARY_CHARS`), the markup after it."""
    e = conditional_escape
    title, language = e(technology.title), e(technology.language)
    picture = next(iter(technology.images.all()), None)
    parts = [f'<article class="card listing-card{" has-picture" if picture else ""}">\n  ']
    if picture is not None:
        parts.append(
            f'<img class="card-picture" src="{e(picture.thumbnail.url)}"'
            f' alt="{e(picture.caption) if picture.caption else title}"'
            f' width="{picture.THUMBNAIL_WIDTH}" height="{picture.THUMBNAIL_HEIGHT}"'
            ' loading="lazy" decoding="async">'
        )
    organization = technology.organization
    logo = (
        f'<img class="org-logo" src="{e(organization.logo.url)}" alt="" width="24" height="24"'
        ' loading="lazy" decoding="async">'
        if organization.logo
        else ""
    )
    ip_status = IP_STATUS_LABELS.get(technology.ip_status, technology.ip_status)
    parts.append(
        f'\n  <h3><a href="{e(technology_url(technology.pk))}" lang="{language}">{title}</a></h3>'
        '\n  <ul class="meta">'
        f'\n    <li class="card-org">{logo}{e(organization.localized_name())}</li>'
        f"\n    <li>{e(_('TRL'))} {e(technology.trl)}</li>"
        f"\n    <li>{e(ip_status)}</li>\n    "
    )
    if badge:
        parts.append(f"<li>{badge}</li>")
    tags = "".join(f'<li class="tag">{e(field.name)}</li>' for field in technology.fields.all())
    parts.append(f'\n  </ul>\n  <p lang="{language}">')
    after = f'</p>\n  <ul class="tags">{tags}</ul>\n</article>\n'
    return CardParts("".join(parts), e(summary_chars(technology.summary)), after)


def summary_chars(text: str, length: int = SUMMARY_CHARS) -> str:
    """`Truncator(text).chars(length)` (the `truncatechars` filter), the same text: a text
    that fits (most summaries) is given back NFC-normalised, as Truncator gives it, without
    Truncator walking it character by character (a seventh of a card's Python)."""
    text = unicodedata.normalize("NFC", text)
    return text if len(text) <= length else Truncator(text).chars(length)


def technology_url(pk: int) -> str:
    """`Technology.get_absolute_url()`, without a `reverse()` per card (another seventh of a
    card's Python): the address reversed once per script prefix, the id put in."""
    return _technology_url_format(get_script_prefix()).format(int(pk))


@cache
def _technology_url_format(script_prefix: str) -> str:
    url = reverse("listings:technology_detail", args=[_ID_MARK])
    return url.replace("{", "{{").replace("}", "}}").replace(str(_ID_MARK), "{}")
