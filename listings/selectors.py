"""Reads shared by several pages: home sections, dashboards, moderation queue, related items.

The home page, dashboard and organisation profile are composed by `portal.views`, which calls
the `*_sections` functions of every app by name.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache, cached_property

import psycopg2.extensions
from django.contrib.postgres.search import SearchHeadline
from django.core.paginator import Page
from django.db import connections, models, router
from django.db.models import Exists, F, OuterRef
from django.db.models.expressions import RawSQL
from django.db.models.sql import Query
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.translation import get_language
from django_filters import FilterSet

from lib import kept, prepared
from lib.pagination import paginate

from . import related_json, search
from .cards import KeptCard, card_parts
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


@dataclass(frozen=True)
class TechnologyPageRead:
    """The row `read_technology_page` read: a technology's page as JSON text, its related
    technologies' cards, and `version`, a digest of both (the page's markup made from them
    alone is kept per version: `{% per_content %}`, `lib.kept.VisitorPages`). The texts are
    kept as the database sent them, UTF-8: a page served from what is kept only digests them,
    and `json.loads` reads bytes as well."""

    pk: int
    page_text: bytes
    related_text: bytes | None
    version: str
    db: str

    def technology(self) -> Technology:
        """The technology with its organisation, fields, patents and images, its related
        technologies kept as text until they are shown (`related_technologies`)."""
        technology = related_json.from_page(Technology, json.loads(self.page_text), self.db)
        technology.__dict__["related_cards"] = self.related_text
        technology.page_version = self.version
        return technology

    def published(self) -> Technology:
        """The technology as a visit's count needs it (its type and id) when whoever read it
        may only read published ones: a kept page is served without building the rest."""
        return Technology.from_db(self.db, ["id", "status"], [self.pk, Status.PUBLISHED])


def read_technology_page(pk: int, user) -> TechnologyPageRead | None:
    """The technology `pk` as its page shows it, if `user` may see it (published, their
    organisation's, any for a moderator: `ListingQuerySet.visible_to`), else None. One
    statement (`related_json.page_sql`), prepared once per connection (`lib.prepared`): the
    technology with its organisation, its fields with their groups, patents and images, and its
    related technologies."""
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
        # Its text columns as bytes: decoded to str and encoded again for the digest, a
        # page's 20-odd kB of JSON cost 6.5 % of a kept page's instructions
        # (docs/performance.md, *Twelfth pass*).
        psycopg2.extensions.register_type(psycopg2.extensions.BYTES, cursor.cursor)
        prepared.execute(
            connections[db], cursor, "technology_page", _technology_page_sql(), parameters
        )
        row = cursor.fetchone()
    if row is None:
        return None
    page_text, related_text = row
    return TechnologyPageRead(pk, page_text, related_text, page_version(*row), db)


def technology_page(pk: int, user) -> Technology | None:
    """`read_technology_page`'s technology (`TechnologyPageRead.technology`), or None."""
    read = read_technology_page(pk, user)
    return None if read is None else read.technology()


def page_version(*texts: str | bytes | None) -> str:
    """A digest of everything a page was read from: the markup made from it alone (`{%
    per_content %}`) is the same while the digest is."""
    return kept.digest(*((text or "") for text in texts))


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
    (`related_json.related_cards_sql`, the same rule in SQL): no query then, and they come as
    `KeptCard`s, each card's markup kept per digest of its row as a search's cards are
    (`kept_card`). The newest technologies of a field are the related ones of most of its
    pages, so a page seen for the first time seldom makes a card: making four from their JSON
    was a third of such a page's Python (docs/performance.md, *Ninth pass*)."""
    if limit == RELATED_LIMIT and "related_cards" in technology.__dict__:
        cards = technology.__dict__.pop("related_cards")  # JSON (UTF-8): [[id, card text], …]
        db = technology._state.db
        return [kept_card(pk, text, db) for pk, text in json.loads(cards or "[]")]
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
    SQL of a targeted search, docs/performance.md, *Third pass*), compiled once per process
    and values of the filters (`_match_ids`)."""
    today = timezone.localdate()  # before the filter set reads it (a need's list: deadlines)
    # The matches' ids are the same statement with or without the cards' relations and
    # annotations (`for_cards()`), which cost a sixth of a millisecond to build and are only
    # read for a need's cards or titles that look like the words.
    filterset = filterset_class(data or None, queryset=model.objects.published())
    valid = not filterset.is_bound or filterset.is_valid()
    query = filterset.form.cleaned_data.get("q", "") if valid and filterset.is_bound else ""
    ids = _match_ids(_statement_key(filterset, today), filterset) if valid else []
    page = paginate(ids, page_number, count_limit=COUNT_LIMIT)
    if query and page.paginator.count == 0:
        base = model.objects.published().for_cards()
        page = paginate(_similar_titles(filterset_class, base, data, query), page_number)
        return ListingSearch(filterset, page, query, page.paginator.count > 0, valid)
    page.object_list = _cards(model, list(page.object_list), query)
    return ListingSearch(filterset, page, query, False, valid)


def _cards(model, ids: list, query: str) -> Sequence:
    """The published listings of `ids`, in that order, with snippets of the query's words
    (technologies: their cards' markup, made when read, `SearchCards`)."""
    if model is Technology:
        return technology_cards(ids, query)
    base = model.objects.published().for_cards().filter(pk__in=ids)
    rows = with_headline(base, query, model.headline_field).in_bulk()
    cards = [rows[pk] for pk in ids if pk in rows]
    if query:
        marks = search.highlight_terms(query)
        for listing in cards:
            listing.headline = search.safe_headline(listing.headline, marks)
    return cards


#: technologies' cards (`CardParts`) for search results and related technologies, kept per
#: process (about 0.6 kB each on the demo data; docs/performance.md, *Eighth* and *Ninth pass*).
KEPT_CARDS = kept.Kept(max_entries=5000)


def technology_cards(ids: list, query: str) -> "SearchCards":
    """The cards (`KeptCard`s) of the published technologies of `ids`, in that order: each
    one's card (`listings.cards.card_parts`: organisation, fields, images), with a snippet of
    `query`'s words in place of the summary if given (`kept_card`), made when first read.

    One statement written once per process (`related_json.cards_sql`), the snippet's
    expression compiled alone: built with the ORM (queryset, annotation, the statement's
    compilation, instances row by row) the same statement cost about as much Python as the
    rest of the search (docs/performance.md, *Third pass*). A card's markup is kept per
    digest of its row and the page's language, the snippet put in on each visit
    (`kept_card`): a card shown before, by any search, is not made again, and a changed
    technology has another digest."""
    rows = {row[0]: row for row in _card_rows(ids, query)}
    return SearchCards([rows[pk] for pk in ids if pk in rows], query)


def _card_rows(ids: list, query: str) -> list[tuple]:
    """(id, card text, [snippet]) of the published technologies of `ids`, in no order."""
    db = router.db_for_read(Technology)
    select, rest = related_json.cards_sql(Technology, TechnologyImage, IMAGE_COLUMNS)
    snippet_sql, params = _snippet_sql(query)
    extra = f", {snippet_sql}" if snippet_sql else ""
    with connections[db].cursor() as cursor:
        cursor.execute(select + extra + rest, [*params, Status.PUBLISHED, list(ids)])
        return cursor.fetchall()


class SearchCards(Sequence):
    """A search's cards (`KeptCard`s) from their rows (`_card_rows`), in the rows' order, made
    when first read (`kept_card`). `version`, a digest of the rows, says what they show
    (`results_version`): a page served as it was kept (`listings.views.SEARCH_PAGES`) makes
    none."""

    def __init__(self, rows: list[tuple], query: str):
        self.rows = rows
        self.query = query

    @cached_property
    def cards(self) -> list[KeptCard]:
        db = router.db_for_read(Technology)
        marks = search.highlight_terms(self.query) if self.query else ""
        return [kept_card(pk, text, db, snippet, marks) for pk, text, *snippet in self.rows]

    @cached_property
    def version(self) -> str:
        return kept.digest(*(part for row in self.rows for part in row))

    def __getitem__(self, index):
        return self.cards[index]

    def __len__(self) -> int:
        return len(self.rows)


def kept_card(pk: int, text: str, db: str, snippet=(), marks: str = "") -> KeptCard:
    """The card of the technology `pk` from its JSON text (`related_json.card_sql`), with the
    search snippet `snippet` (one text, or none) whose words `marks` highlights in place of its
    summary. Its markup but the snippet (`CardParts`) is kept per digest of the text, the
    page's language and the script prefix its link starts with (`KEPT_CARDS`), made from the
    JSON only when not kept: a technology found by many searches, with other words matched
    each time, or shown among many pages' related technologies, is made once."""
    key = (kept.digest(text), get_language(), get_script_prefix())
    parts = KEPT_CARDS.get(key)
    if parts is None:
        parts = card_parts(related_json.from_page(Technology, json.loads(text), db))
        KEPT_CARDS.put(key, parts)
    headline = search.safe_headline(snippet[0], marks) if snippet else ""
    return KeptCard(pk, parts.html(headline))


def _match_ids(key: tuple | None, filterset) -> list:
    """The ids of the first `COUNT_LIMIT` + 1 listings `filterset` (valid) matches, in order.
    Its statement is the same for every visitor who asks with the same values on the same day
    (`_statement_key`): built and compiled once per process (`lib.kept.rows`; the filters'
    expressions, a search's words in both languages, were a fifth of a search page's
    Python)."""

    def ids():
        matches = filterset.qs.select_related(None).prefetch_related(None)
        return matches.values_list("pk")[: COUNT_LIMIT + 1]

    db = router.db_for_read(filterset.queryset.model)
    return [row[0] for row in kept.rows(key, ids, db)]


#: the types of cleaned values a search's statement is keyed by (`_statement_key`).
KEYED_TYPES = (str, int, float, bool, date, Decimal, type(None))


def _statement_key(filterset, today: date) -> tuple | None:
    """What a valid filter set's statement is built from: its class, each field's cleaned
    value (a field of technology by its id: a slug given to another field is another search)
    and today's date (a need's list leaves out the needs whose deadline has passed, with the
    date as a parameter; read before the filter set, so a statement built across midnight is
    kept under the day before). None, so compiled each time, for a value of another type."""

    def frozen(value):
        if isinstance(value, list | tuple):
            return tuple(frozen(v) for v in value)
        if isinstance(value, models.Model):
            return (value._meta.label, value.pk)
        if isinstance(value, KEYED_TYPES):
            return value
        raise TypeError(value)

    cleaned = getattr(filterset.form, "cleaned_data", {})  # none unbound: no filter
    try:
        values = tuple((name, frozen(value)) for name, value in cleaned.items())
    except TypeError:
        return None
    return ("match ids", type(filterset), today, *values)


def _form_values(filterset) -> list:
    """(name, values) of each of a filter set's fields its query string gives."""
    data = filterset.data or {}
    return [(name, tuple(data.getlist(name))) for name in filterset.form.fields if name in data]


def results_version(results: ListingSearch, filter_version: str) -> str:
    """A digest of what a list's page shows beside its address (`listings.views.SEARCH_PAGES`):
    its filter panel's version, how many listings matched and its cards' rows, snippets
    included (`SearchCards.version`). Empty, so rendered each time, unless the cards are a
    technologies search's (a need's card is rendered from its instance, so is a title that
    looks like the words) and the panel has a version (no value in error)."""
    cards = results.page.object_list
    if not filter_version or not isinstance(cards, SearchCards):
        return ""
    paginator = results.page.paginator
    return kept.digest(filter_version, paginator.count, paginator.is_capped, cards.version)


def filter_panel_version(filterset, path: str) -> str:
    """A digest of what a list's filter panel is made from (`{% per_content %}` in
    `includes/filter_form.html`): the list's address, the values its query string gives the
    panel's fields but the search box (rendered each time: the words of every search would
    each be a panel of its own) and the taxonomy the field of technology offers (read for the
    page anyway). Empty, so rendered each time, when a value is in error."""
    if filterset.is_bound and not filterset.is_valid():
        return ""
    fields = filterset.form.fields.values()
    taxonomies = [f.taxonomy_rows() for f in fields if hasattr(f, "taxonomy_rows")]
    values = [(name, value) for name, value in _form_values(filterset) if name != "q"]
    return kept.digest(path, values, taxonomies)


def _snippet_sql(query: str) -> tuple[str, tuple]:
    """The SQL of a snippet of `query`'s words in a technology card's text and its
    parameters, ("", ()) without a query; compiled once per process and query."""
    if not query:
        return "", ()

    def compile_snippet():
        compiler = Query(Technology).get_compiler(using=router.db_for_read(Technology))
        snippet = headline(RawSQL(f"rel.{Technology.headline_field}", ()), query)
        sql, params = compiler.compile(snippet.resolve_expression(compiler.query))
        return sql, tuple(params)

    return kept.statement(("snippet", query), compile_snippet)


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
