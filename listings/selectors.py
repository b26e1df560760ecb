"""Reads shared by several pages: home sections, dashboards, moderation queue, related items.

The home page, dashboard and organisation profile are composed by `portal.views`, which calls
the `*_sections` functions of every app by name.
"""

import hashlib
import json
from dataclasses import dataclass
from functools import cache

from django.contrib.postgres.search import SearchHeadline
from django.core.paginator import Page
from django.db import connections, router
from django.db.models import Exists, F, OuterRef
from django.db.models.expressions import RawSQL
from django.db.models.sql import Query
from django_filters import FilterSet

from lib import prepared
from lib.pagination import paginate

from . import related_json, search
from .lifecycle import Status
from .models import (
    IMAGE_COLUMNS,
    RELATED_LIMIT,
    ModerationEvent,
    Patent,
    Technology,
    TechnologyImage,
)
from .registry import listing_models


def home_sections() -> dict:
    return {
        "new_technologies": list(
            Technology.objects.published().for_cards().order_by("-published_at")[:6]
        ),
        "technology_count": Technology.objects.published().count(),
    }


def dashboard_sections(user) -> dict:
    context = {"technologies_by_status": []}
    if user.organization is not None:
        technologies = list(
            Technology.objects.owned_by(user)
            .select_related("organization")
            .order_by("status", "-updated_at")
        )
        context["technologies_by_status"] = group_by_status(technologies)
    if user.is_moderator:
        models = listing_models()
        context["submitted_count"] = sum(model.objects.submitted().count() for model in models)
        context["revision_count"] = sum(
            model.objects.with_submitted_revision().count() for model in models
        )
    return context


def organization_sections(organization) -> dict:
    return {
        "technologies": list(
            Technology.objects.published().for_cards().filter(organization=organization)[:50]
        )
    }


def shows_contact_email(listing, user) -> bool:
    """A technology's contact e-mail is shown to signed-in users only (kept from crawlers and
    address harvesters)."""
    return user.is_authenticated and bool(getattr(listing, "contact_email", ""))


def group_by_status(listings) -> list[tuple[str, list]]:
    groups = {}
    for listing in listings:
        groups.setdefault(listing.get_status_display(), []).append(listing)
    return list(groups.items())


def moderation_queue(model):
    """Submitted listings and pending revisions, oldest first."""
    submitted = model.objects.submitted().select_related("organization", "author")
    revisions = model.objects.with_submitted_revision().select_related("organization", "author")
    items = list(submitted) + list(revisions)
    items.sort(key=lambda item: item.queued_since())
    return items


#: the largest id a bigint column holds.
BIGINT_MAX = 2**63 - 1


def technology_page(pk: int, user) -> Technology | None:
    """The technology `pk` as its page shows it, if `user` may see it (published, their
    organisation's, any for a moderator: `ListingQuerySet.visible_to`), else None. One
    statement (`related_json.page_sql`), prepared once per connection (`lib.prepared`): the
    technology with its organisation, its fields with their groups, patents and images, and its
    related technologies (`related_technologies` reads them from it). `page_version` is a
    digest of what was read: the page's markup made from it alone is kept per version."""
    if not 0 < pk <= BIGINT_MAX:  # no id is outside the column's type (nor may be its parameter)
        return None
    see_all = user.is_authenticated and user.is_moderator
    organization = user.organization if user.is_authenticated else None
    db = router.db_for_read(Technology)
    parameters = [
        Status.PUBLISHED,
        pk,
        see_all,
        Status.PUBLISHED,
        getattr(organization, "pk", None),
    ]
    with connections[db].cursor() as cursor:
        prepared.execute(
            connections[db], cursor, "technology_page", _technology_page_sql(), parameters
        )
        row = cursor.fetchone()
    if row is None:
        return None
    page_text, related_text = row
    technology = related_json.from_page(Technology, json.loads(page_text), db)
    technology.__dict__["related_cards"] = related_text  # JSON text, read if they are shown
    technology.page_version = page_version(page_text, related_text)
    return technology


def page_version(*texts: str | None) -> str:
    """A digest of everything a page was read from: the markup made from it alone (`{%
    per_content %}`) is the same while the digest is."""
    digest = hashlib.blake2b(digest_size=16)
    for text in texts:
        digest.update((text or "").encode())
        digest.update(b"\0")
    return digest.hexdigest()


PATENT_COLUMNS = ("id", "technology_id", "number", "office", "status")


@cache
def _technology_page_sql() -> str:
    images = (
        "images",
        related_json.rows_sql(Technology, TechnologyImage, IMAGE_COLUMNS, "r.position, r.id"),
    )
    patents = ("patents", related_json.rows_sql(Technology, Patent, PATENT_COLUMNS, "r.id"))
    fields = ("fields", related_json.fields_sql(Technology, with_groups=True))
    related = related_json.related_cards_sql(
        Technology, TechnologyImage, IMAGE_COLUMNS, RELATED_LIMIT
    )
    return related_json.page_sql(Technology, (fields, patents, images), related)


def related_technologies(technology, limit=RELATED_LIMIT):
    """The newest published technologies sharing a field. EXISTS (no join + DISTINCT) and a plain
    `-published_at`, `-pk` order (published rows always have a date) let PostgreSQL walk the
    (status, -published_at, -id) index and stop after `limit` rows: ~1 ms at 100,000
    technologies.

    A technology read by `technology_page` brought them in its own statement
    (`related_json.related_cards_sql`, the same rule in SQL): no query then."""
    if limit == RELATED_LIMIT and "related_cards" in technology.__dict__:
        cards = technology.__dict__.pop("related_cards")  # JSON text, made into cards once
        return related_json.related_cards(
            Technology, json.loads(cards) if cards else None, technology._state.db
        )
    field_ids = [f.pk for f in technology.fields.all()]
    through = Technology.fields.through
    return list(
        Technology.objects.published()
        .filter(
            Exists(through.objects.filter(technology_id=OuterRef("pk"), field_id__in=field_ids))
        )
        .exclude(pk=technology.pk)
        .for_cards()
        .order_by("-published_at", "-pk")[:limit]
    )


def moderation_log(listing):
    return list(ModerationEvent.objects.for_listing(listing))


# The public lists of technologies and needs.


@dataclass
class ListingSearch:
    filterset: FilterSet
    page: Page
    query: str  # the words searched for ("" without a search)
    similar: bool  # nothing matched the words: the page holds titles that look like them
    valid: bool  # False when the filters were invalid (the page is then empty)


#: Past this many matches a list says "more than" instead of counting every one (CappedPaginator).
COUNT_LIMIT = 1000


def search_listings(model, filterset_class, data, page_number) -> ListingSearch:
    """One page of published technologies or needs, filtered, searched and sorted as `data`
    (the list's query string) asks, with highlighted snippets of the matched words. When
    nothing matches the words, the same filters find titles that look like them instead
    (typo tolerance).

    The page is found in two steps: the ids of the first `COUNT_LIMIT` + 1 matches, in order
    (a narrow query: a common word's tens of thousands of matches are ranked without joining
    or carrying their other columns), which are also what the list counts (no page lies past
    them: `CappedPaginator`); then the page's rows as cards with their snippets. One statement
    for the count and the ids: a separate count found the matches a second time (twice the
    SQL of a targeted search, docs/performance.md, *Third pass*)."""
    base = model.objects.published().for_cards()
    filterset = filterset_class(data or None, queryset=base)
    valid = not filterset.is_bound or filterset.is_valid()
    queryset = filterset.qs if valid else base.none()
    query = filterset.form.cleaned_data.get("q", "") if valid and filterset.is_bound else ""
    ids = queryset.select_related(None).prefetch_related(None).values_list("pk", flat=True)
    page = paginate(list(ids[: COUNT_LIMIT + 1]), page_number, count_limit=COUNT_LIMIT)
    if query and page.paginator.count == 0:
        page = paginate(_similar_titles(filterset_class, base, data, query), page_number)
        return ListingSearch(filterset, page, query, page.paginator.count > 0, valid)
    page.object_list = _cards(base, list(page.object_list), query, model.headline_field)
    return ListingSearch(filterset, page, query, False, valid)


def _cards(base, ids: list, query: str, headline_field: str) -> list:
    """The listings of `ids`, in that order, with snippets of the query's words."""
    if base.model is Technology:
        rows = technology_cards(ids, query)
    else:
        rows = with_headline(base.filter(pk__in=ids), query, headline_field).in_bulk()
    cards = [rows[pk] for pk in ids if pk in rows]
    if query:
        marks = search.highlight_terms(query)
        for listing in cards:
            listing.headline = search.safe_headline(listing.headline, marks)
    return cards


def technology_cards(ids: list, query: str) -> dict:
    """{id: technology} of the published technologies of `ids`, as `for_cards()` reads them
    (organisation, fields, images), with a snippet of `query`'s words (`headline`) if given.

    One statement written once per process (`related_json.cards_sql`), the snippet's
    expression compiled alone: built with the ORM (queryset, annotation, the statement's
    compilation, instances row by row) the same statement cost about as much Python as the
    rest of the search (docs/performance.md, *Third pass*)."""
    db = router.db_for_read(Technology)
    select, rest = related_json.cards_sql(Technology, TechnologyImage, IMAGE_COLUMNS)
    extra, params = "", []
    if query:
        compiler = Query(Technology).get_compiler(using=db)
        snippet = headline(RawSQL(f"rel.{Technology.headline_field}", ()), query)
        extra, params = compiler.compile(snippet.resolve_expression(compiler.query))
        extra = f", {extra}"
    with connections[db].cursor() as cursor:
        cursor.execute(select + extra + rest, [*params, Status.PUBLISHED, list(ids)])
        rows = cursor.fetchall()
    cards = {}
    for row in rows:
        card = json.loads(row[0]) if isinstance(row[0], str) else row[0]
        technology = related_json.from_page(Technology, card, db)
        if query:
            technology.headline = row[1]
        cards[technology.pk] = technology
    return cards


def _similar_titles(filterset_class, base, data, query):
    """The other filters kept, titles that look like the query."""
    data = data.copy()
    data.pop("q", None)
    unfiltered = filterset_class(data, queryset=base)
    return unfiltered.qs.similar_titles(query) if unfiltered.is_valid() else base.none()


def with_headline(queryset, query: str, field: str = "summary"):
    """Highlighted snippets of the matched words (computed for the page's rows only)."""
    if not query:
        return queryset
    return queryset.annotate(headline=headline(F(field), query))


def headline(expression, query: str) -> SearchHeadline:
    """A snippet of `expression`'s text around the query's words, matches marked."""
    return SearchHeadline(
        expression,
        search.cross_language_query(query),
        config=search.SEARCH_CONFIG,
        start_sel=search.MARK_START,
        stop_sel=search.MARK_STOP,
        max_words=40,
        min_words=20,
    )
