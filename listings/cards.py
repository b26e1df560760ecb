"""A technology's card, the one markup of search results, related technologies, the home page
and an organisation's profile."""

from dataclasses import dataclass

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from listings.models import IPStatus

IP_STATUS_LABELS = dict(IPStatus.choices)


@dataclass(frozen=True)
class KeptCard:
    """A card already made (`listings.selectors.technology_cards`): its technology's id and
    markup."""

    pk: int
    html: SafeString


def card_markup(technology, badge: str = "") -> SafeString:
    """A technology's card, built here rather than by a template include: twenty cards through
    the template engine took about a third of a search page's time in Python. Its pieces come
    prefetched (`Technology.objects.for_cards()`): organisation, fields, images.

    `headline` (the matched words, HTML that `listings.search.safe_headline` cleaned) replaces
    the summary when a search annotated it; `badge` (markup: the status badge) is added to the
    card's facts if given."""
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
        f'\n  <h3><a href="{e(technology.get_absolute_url())}" lang="{language}">{title}</a></h3>'
        '\n  <ul class="meta">'
        f'\n    <li class="card-org">{logo}{e(organization.localized_name())}</li>'
        f"\n    <li>{e(_('TRL'))} {e(technology.trl)}</li>"
        f"\n    <li>{e(ip_status)}</li>\n    "
    )
    if badge:
        parts.append(f"<li>{badge}</li>")
    headline = getattr(technology, "headline", None)
    text = mark_safe(headline) if headline else e(Truncator(technology.summary).chars(240))
    tags = "".join(f'<li class="tag">{e(field.name)}</li>' for field in technology.fields.all())
    parts.append(
        f'\n  </ul>\n  <p lang="{language}">{text}</p>'
        f'\n  <ul class="tags">{tags}</ul>\n</article>\n'
    )
    return mark_safe("".join(parts))
