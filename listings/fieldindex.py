"""`field_ids` of technologies and needs: the ids of a listing's fields and of their groups, a
copy of the `fields` relation kept in the row so that the public search index (GIN over the
search vector, the field ids and the countries) answers "these words in this field" in one index
scan (docs/performance.md).

The copy follows the relation through Django's `m2m_changed` signal (forms, the admin,
imports, revisions all call `fields.set()`), and follows the taxonomy when a field moves to
another group. Bulk loaders that insert relation rows directly call :func:`refresh` once.
"""

from django.db import connection
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from .models import Field

_SQL = """
UPDATE {table} AS l SET field_ids = coalesce((
    SELECT array_agg(DISTINCT x ORDER BY x)
    FROM {through} AS lf
    JOIN listings_field AS f ON f.id = lf.field_id
    CROSS JOIN LATERAL unnest(ARRAY[f.id, f.parent_id]) AS x
    WHERE lf.{fk} = l.id AND x IS NOT NULL
), '{{}}')
"""


def refresh(model, pks=None) -> int:
    """Recompute `field_ids` of ``model`` rows (all when ``pks`` is None); returns the count.
    (After `loaddata` of listings or fields, call it once: fixtures send no signals.)"""
    through = model.fields.through
    sql = _SQL.format(
        table=connection.ops.quote_name(model._meta.db_table),
        through=connection.ops.quote_name(through._meta.db_table),
        fk=connection.ops.quote_name(f"{model._meta.model_name}_id"),
    )
    params = []
    if pks is not None:
        pks = [int(pk) for pk in pks]
        if not pks:
            return 0
        sql += " WHERE l.id = ANY(%s)"
        params.append(pks)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


#: the listing model of each `fields` through model
_THROUGH = {}


def _relation_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    listing_model = _THROUGH[sender]
    if not reverse:
        if action != "pre_clear":
            refresh(listing_model, [instance.pk])
            # the instance in memory follows too (it may be saved again, e.g. a revision)
            instance.field_ids = listing_model.objects.values_list("field_ids", flat=True).get(
                pk=instance.pk
            )
        return
    # field.technologys.add(...) and friends: the listings are in pk_set (or, for a clear,
    # every listing that had the field, read before the rows go).
    if action == "pre_clear":
        fk = f"{listing_model._meta.model_name}_id"
        instance._field_index_cleared = list(
            sender.objects.filter(field_id=instance.pk).values_list(fk, flat=True)
        )
        return
    pks = pk_set if action != "post_clear" else getattr(instance, "_field_index_cleared", [])
    refresh(listing_model, pks)


def _affected(field) -> dict:
    """{listing model: pks} of the listings filed under ``field`` or one of its sub-fields."""
    out = {}
    for listing_model in _THROUGH.values():
        fk = f"{listing_model._meta.model_name}_id"
        rows = listing_model.fields.through.objects.filter(
            Q(field_id=field.pk) | Q(field__parent_id=field.pk)
        )
        out[listing_model] = list(rows.values_list(fk, flat=True))
    return out


def _field_saving(sender, instance, raw=False, **kwargs):
    instance._field_index_old_parent = (
        Field.objects.filter(pk=instance.pk).values_list("parent_id", flat=True).first()
        if instance.pk
        else None
    )


def _field_saved(sender, instance, created, raw=False, **kwargs):
    """A field moved to another group changes its listings' groups (renaming or reordering
    changes nothing, a new field has no listings yet)."""
    if created or getattr(instance, "_field_index_old_parent", None) == instance.parent_id:
        return
    for listing_model, pks in _affected(instance).items():
        refresh(listing_model, pks)


def _field_deleting(sender, instance, **kwargs):
    instance._field_index_affected = _affected(instance)


def _field_deleted(sender, instance, **kwargs):
    for listing_model, pks in getattr(instance, "_field_index_affected", {}).items():
        refresh(listing_model, pks)


def connect(listing_model) -> None:
    """Keep ``listing_model.field_ids`` equal to its fields (called from AppConfig.ready)."""
    through = listing_model.fields.through
    _THROUGH[through] = listing_model
    m2m_changed.connect(_relation_changed, sender=through, dispatch_uid=f"fieldindex-{through}")
    pre_save.connect(_field_saving, sender=Field, dispatch_uid="fieldindex-field-saving")
    post_save.connect(_field_saved, sender=Field, dispatch_uid="fieldindex-field-save")
    pre_delete.connect(_field_deleting, sender=Field, dispatch_uid="fieldindex-field-deleting")
    post_delete.connect(_field_deleted, sender=Field, dispatch_uid="fieldindex-field-deleted")
