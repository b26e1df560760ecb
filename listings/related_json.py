"""A listing's related rows (fields, images, patents) read in the listing's own statement, as
JSON arrays, instead of one prefetch query per relation.

`prefetch_related` costs a round trip and an ORM query per relation and page: on a card list
or a technology's page that was more of Django's time than PostgreSQL's (see
docs/performance.md, *Page against its SQL*). Here each relation is a correlated subquery
aggregating its rows with `jsonb_agg`, and `RelatedJsonIterable` turns the arrays back into
model instances placed where `prefetch_related` would have put them: `technology.images.all()`
and `technology.fields.all()` then read no more rows, whoever calls them.
"""

from functools import cache

from django.db import models
from django.db.models.expressions import RawSQL
from django.db.models.query import ModelIterable

#: Annotation names start with this; the rest is the relation's name (its prefetch cache key).
PREFIX = "related_json_"

FIELD_COLUMNS = ("id", "slug", "name_en", "name_ja", "parent_id", "position")


def json_array(from_where: str, columns: dict[str, str], order_by: str) -> str:
    """A correlated subquery: the rows of `from_where` as one JSON array of objects `columns`
    (NULL when there are none).

    Written in SQL, once per process: built from expressions (`JSONObject`, `JSONBAgg`,
    `OuterRef`), the same subquery cost more of Django's time to compile on every page than
    the prefetch queries it replaces. It names the listing's table itself as the outer row,
    which holds for the querysets it serves: the listing's table is their statement's own
    table, never a subquery's (a queryset used as a subquery selects its ids, without these
    annotations)."""
    pairs = ", ".join(f"'{key}', {sql}" for key, sql in columns.items())
    return f"(SELECT jsonb_agg(jsonb_build_object({pairs}) ORDER BY {order_by}) FROM {from_where})"


@cache
def fields_sql(listing_model, with_groups: bool, outer: str = "") -> str:
    """A listing's fields of technology in the taxonomy's order, each with its group if asked
    (`outer`: the listing's id column, by default its table's in the statement)."""
    through = listing_model.fields.through._meta.db_table
    owner = f"{listing_model._meta.model_name}_id"
    field = field_table(listing_model)
    columns = {name: f"f.{name}" for name in FIELD_COLUMNS}
    joins = f"{through} t JOIN {field} f ON f.id = t.field_id"
    if with_groups:
        group = ", ".join(f"'{name}', g.{name}" for name in FIELD_COLUMNS)
        columns["parent"] = f"CASE WHEN g.id IS NULL THEN NULL ELSE jsonb_build_object({group}) END"
        joins += f" LEFT JOIN {field} g ON g.id = f.parent_id"
    outer = outer or f"{listing_model._meta.db_table}.id"
    return json_array(f"{joins} WHERE t.{owner} = {outer}", columns, "f.position, f.slug")


def field_table(listing_model) -> str:
    return listing_model.fields.field.related_model._meta.db_table


@cache
def rows_sql(listing_model, model, columns: tuple, order_by: str, outer: str = "") -> str:
    """A technology's rows of `model` (images, patents), in `order_by`."""
    outer = outer or f"{listing_model._meta.db_table}.id"
    where = f"{model._meta.db_table} r WHERE r.technology_id = {outer}"
    return json_array(where, {name: f"r.{name}" for name in columns}, order_by)


def fields_array(listing_model, with_groups: bool) -> RawSQL:
    return RawSQL(fields_sql(listing_model, with_groups), (), output_field=models.JSONField())


def rows_array(listing_model, model, columns: tuple, order_by: str) -> RawSQL:
    return RawSQL(
        rows_sql(listing_model, model, columns, order_by), (), output_field=models.JSONField()
    )


def with_related(queryset: models.QuerySet, **arrays: RawSQL) -> models.QuerySet:
    """`queryset` with each relation of `arrays` read in its own statement (see the module)."""
    queryset = queryset.annotate(**{PREFIX + name: array for name, array in arrays.items()})
    queryset._iterable_class = RelatedJsonIterable
    return queryset


class RelatedJsonIterable(ModelIterable):
    """Model instances whose JSON arrays are put in their prefetch cache as model instances."""

    def __iter__(self):
        query = self.queryset.query
        names = [name for name in query.annotation_select if name.startswith(PREFIX)]
        if not names:
            yield from super().__iter__()
            return
        model = self.queryset.model
        db = self.queryset.db
        targets = {name: related_model(model, name[len(PREFIX) :]) for name in names}
        for obj in super().__iter__():
            cache = obj.__dict__.setdefault("_prefetched_objects_cache", {})
            for name, target in targets.items():
                rows = obj.__dict__.pop(name) or []
                cache[name[len(PREFIX) :]] = prefetched(
                    target, [build(target, row, db) for row in rows]
                )
            yield obj


def related_model(model, name: str):
    return model._meta.get_field(name).related_model


def build(model, row: dict, db: str):
    """A model instance from its JSON object, as if read from the database."""
    parent = row.pop("parent", None)  # a field's group, when read with it
    instance = model(**row)
    instance._state.adding = False
    instance._state.db = db
    if parent is not None:
        instance._state.fields_cache["parent"] = build(model, parent, db)
    return instance


def prefetched(model, instances: list) -> models.QuerySet:
    """An evaluated queryset holding `instances`, as `prefetch_related` leaves one."""
    queryset = models.QuerySet(model)
    queryset._result_cache = instances
    queryset._prefetch_done = True
    return queryset


# A technology's related technologies (its page's "Related technologies" cards), read in the
# technology's own statement: the newest published technologies sharing one of its fields,
# each with its organisation, fields and first images, as one JSON array. As a separate ORM
# query it cost about as much of Django's time (the queryset, its compilation, the instances)
# as the technology's whole statement; docs/performance.md, *Third pass*.

#: The columns a card does not read: left deferred on the cards' instances, as `for_cards()`
#: leaves them (reading one would be a query, which the page's asserted query count catches).
CARD_DEFERRED = ("search_vector", "rank_vector", "description", "benefits", "pending_revision")
ORGANIZATION_DEFERRED = ("description",)


def object_sql(model, alias: str, deferred: tuple) -> str:
    pairs = ", ".join(
        f"'{f.attname}', {alias}.{f.column}"
        for f in model._meta.concrete_fields
        if f.attname not in deferred
    )
    return f"jsonb_build_object({pairs})"


def card_sql(listing_model, image_model, image_columns: tuple) -> str:
    """A card of the listing `rel` (its organisation joined as `org`) as one JSON object:
    `{"listing": …, "organization": …, "fields": […], "images": […]}`."""
    organization_model = listing_model._meta.get_field("organization").related_model
    fields = fields_sql(listing_model, False, outer="rel.id")
    images = rows_sql(listing_model, image_model, image_columns, "r.position, r.id", outer="rel.id")
    return (
        f"jsonb_build_object('listing', {object_sql(listing_model, 'rel', CARD_DEFERRED)},"
        f" 'organization', {object_sql(organization_model, 'org', ORGANIZATION_DEFERRED)},"
        f" 'fields', {fields}, 'images', {images})"
    )


def organizations_join(listing_model) -> str:
    organization_model = listing_model._meta.get_field("organization").related_model
    return f"JOIN {organization_model._meta.db_table} org ON org.id = rel.organization_id"


@cache
def related_cards_sql(listing_model, image_model, image_columns: tuple, limit: int) -> str:
    """The `limit` newest published listings sharing a field with the statement's listing
    (never itself), newest first, as a JSON array of [id, card] pairs, each card (`card_sql`)
    as text, as `cards_sql` gives it (a reader may take a digest of it). The rule of
    `listings.selectors.related_technologies`, in SQL; PostgreSQL walks the (status,
    published_at) index and stops after `limit` rows, as there. One parameter: the published
    status."""
    table = listing_model._meta.db_table
    through = listing_model.fields.through._meta.db_table
    owner = f"{listing_model._meta.model_name}_id"
    card = card_sql(listing_model, image_model, image_columns)
    shares_a_field = (
        f"EXISTS (SELECT 1 FROM {through} x WHERE x.{owner} = rel.id AND x.field_id IN"
        f" (SELECT y.field_id FROM {through} y WHERE y.{owner} = {table}.id))"
    )
    newest = "rel.published_at DESC, rel.id DESC"
    related = (
        f"SELECT rel.* FROM {table} rel WHERE rel.status = %s AND rel.id <> {table}.id"
        f" AND {shares_a_field} ORDER BY {newest} LIMIT {int(limit)}"
    )
    return (
        f"(SELECT json_agg(json_build_array(rel.id, ({card})::text) ORDER BY {newest})"
        f" FROM ({related}) rel"
        f" {organizations_join(listing_model)})"
    )


@cache
def cards_sql(listing_model, image_model, image_columns: tuple) -> tuple[str, str]:
    """The ids and cards (`card_sql`, as JSON text: a reader may take a digest of it) of the
    published listings whose ids are an array parameter, in no order: (the select list, the
    rest: FROM … WHERE, whose parameters are the published status and the ids), so that the
    caller may add columns of `rel` (a search snippet)."""
    card = card_sql(listing_model, image_model, image_columns)
    table = listing_model._meta.db_table
    return (
        f"SELECT rel.id, ({card})::text",
        f" FROM {table} rel {organizations_join(listing_model)}"
        " WHERE rel.status = %s AND rel.id = ANY(%s)",
    )


#: What a listing's page never reads (several kB a row).
PAGE_DEFERRED = ("search_vector", "rank_vector")


@cache
def page_sql(listing_model, relations: tuple, related: str) -> str:
    """A listing's page in one statement, written once per process: the listing (never its
    search vectors) with its organisation, each relation of `relations` ((name, JSON array
    SQL) pairs) as one JSON object (`from_page` reads it), and `related` (a correlated
    subquery, e.g. `related_cards_sql`) beside it. Its parameters: `related`'s own, then the
    listing's id, whether the reader sees every listing, the published status, and the
    reader's organisation (NULL without one): the rule of `ListingQuerySet.visible_to`, in SQL.
    Both columns come as JSON text, so that the reader may also take a digest of what it read
    (`listings.selectors.technology_page`).

    Built as a queryset (`select_related`, annotations, `get()`), the same statement cost
    about 2.4 ms of Python on every technology's page, three times what reading this one
    does (docs/performance.md, *Fifth pass*)."""
    table = listing_model._meta.db_table
    organization_model = listing_model._meta.get_field("organization").related_model
    arrays = "".join(f", '{name}', {sql}" for name, sql in relations)
    return (
        f"SELECT jsonb_build_object('listing', {object_sql(listing_model, table, PAGE_DEFERRED)},"
        f" 'organization', {object_sql(organization_model, 'org', ())}{arrays})::text,"
        f" ({related})::text"
        f" FROM {table} JOIN {organization_model._meta.db_table} org"
        f" ON org.id = {table}.organization_id"
        f" WHERE {table}.id = %s AND (%s OR {table}.status = %s OR {table}.organization_id = %s)"
    )


def from_page(listing_model, page: dict, db: str):
    """The listing of a `page_sql` or `card_sql` object, its organisation and relations where
    `select_related` and `prefetch_related` put them (a field with its group)."""
    listing = from_json(listing_model, page["listing"], db)
    organization_model = listing_model._meta.get_field("organization").related_model
    listing._state.fields_cache["organization"] = from_json(
        organization_model, page["organization"], db
    )
    listing._prefetched_objects_cache = {
        name: prefetched(target, [build(target, row, db) for row in rows or []])
        for name, rows in page.items()
        if name not in ("listing", "organization")
        for target in [related_model(listing_model, name)]
    }
    return listing


def from_json(model, data: dict, db: str):
    """A model instance from its JSON object, as `Model.from_db` makes one from a row: each
    value through its field's `to_python` (dates, arrays), the columns not in `data` deferred."""
    fields = [f for f in model._meta.concrete_fields if f.attname in data]
    values = [None if data[f.attname] is None else f.to_python(data[f.attname]) for f in fields]
    return model.from_db(db, [f.attname for f in fields], values)
