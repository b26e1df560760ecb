"""Bulk (re)computation of matching representations: for imports, `matching_rebuild` and the
benchmark. Vectors are computed in worker processes, rows written with COPY, and the document
frequencies and norms recomputed once at the end (set-based SQL)."""

import io
import json
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, nullcontext

from django.db import connection, transaction
from django.utils import timezone

from . import text
from .models import WEIGHT_UNIT, ListingKind
from .options import DEFAULT, Options
from .representation import (
    NEED_PARTS,
    TECHNOLOGY_PARTS,
    apply_df_changes,
    recompute_norms,
    remove_postings,
)

CHUNK = 2000


def _vector(row: tuple) -> dict[str, float]:
    parts, language, options = row
    return text.document_vector(parts, language or None, options)


def _rows(kind: int, ids: list[int] | None):
    """(pk, parts, language, public, field slugs, group slugs) for listings of one kind."""
    if kind == ListingKind.TECHNOLOGY:
        from listings.models import Technology as model

        names, public_q = TECHNOLOGY_PARTS, model.objects.published()
    else:
        from needs.models import Need as model

        names, public_q = NEED_PARTS, model.objects.open()
    queryset = model.objects.all() if ids is None else model.objects.filter(pk__in=ids)
    public_ids = (
        set(public_q.values_list("pk", flat=True))
        if ids is None
        else set(public_q.filter(pk__in=ids).values_list("pk", flat=True))
    )
    wanted = set(ids) if ids is not None else None
    through = model.fields.through
    fk = f"{model._meta.model_name}_id"
    fields: dict[int, list[tuple[str, str]]] = {}
    for listing_id, slug, parent in through.objects.values_list(
        fk, "field__slug", "field__parent__slug"
    ).iterator(chunk_size=10000):
        if wanted is None or listing_id in wanted:
            fields.setdefault(listing_id, []).append((slug, parent or slug))
    for values in queryset.values("pk", "language", *names).iterator(chunk_size=CHUNK):
        parts = {name: values[name] for name in names}
        if "solution" in parts:
            parts["description"] = "\n".join(
                filter(None, [parts["description"], parts.pop("solution")])
            )
        pairs = fields.get(values["pk"], [])
        yield (
            values["pk"],
            parts,
            values["language"],
            values["pk"] in public_ids,
            [p[0] for p in pairs],
            [p[1] for p in pairs],
        )


def rebuild(
    kind: int,
    ids: Iterable[int] | None = None,
    *,
    workers: int = 2,
    progress: Callable[[int], None] | None = None,
    options: Options = DEFAULT,
) -> int:
    """Recompute the representation of all listings of a kind (or the given ids). Returns the count.

    A full rebuild (no ``ids``) is maintenance, done as a bulk load: the kind's rows are deleted
    once, the postings' indexes are dropped during the load and built again at the end. Until
    it ends, suggestions of that kind are incomplete and all matching is slow: run it in a
    quiet hour (`matching_rebuild`). A listing saved meanwhile is simply loaded again."""
    ids = list(ids) if ids is not None else None
    full = ids is None
    done = 0
    chunk: list = []
    df_changes: Counter = Counter()
    executor = ProcessPoolExecutor(max_workers=workers) if workers > 1 else None
    try:
        with _bulk_load(kind) if full else nullcontext():
            for row in _rows(kind, ids):
                chunk.append(row)
                if len(chunk) >= CHUNK:
                    done += _write_chunk(kind, chunk, executor, df_changes, options)
                    chunk = []
                    if progress:
                        progress(done)
            if chunk:
                done += _write_chunk(kind, chunk, executor, df_changes, options)
                if progress:
                    progress(done)
            if full:
                # Every frequency and norm, then the postings (chosen by idf) before the
                # postings' index is built.
                _analyze()
                recompute_norms()
                write_postings(kind, None, options)
    finally:
        if executor:
            executor.shutdown()
    if full:
        _analyze()
        return done
    apply_df_changes(df_changes)
    write_postings(kind, ids, options)
    if len(ids) > CHUNK:
        _analyze()
        recompute_norms()  # a large import: every norm (the frequencies moved)
    else:
        recompute_norms({kind: ids})
    return done


def _reclaim(*tables: str) -> None:
    """Make the space of the rows just deleted free for the load that follows (VACUUM).

    Otherwise the load reuses it only if autovacuum has reached those rows first: on a busy
    server it had not, and a copy of the bench's 100,000 technologies came out of a rebuild
    with its matching tables at 1,325 MB instead of ~760 (docs/matching.md, *Operations*).
    VACUUM cannot run inside a transaction: a rebuild inside a caller's (a test's, an
    evaluation's rolled-back one) leaves the space to autovacuum. Nor can it free rows that a
    transaction older than the delete may still see (a long report, `pg_dump`)."""
    if connection.in_atomic_block or not connection.get_autocommit():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {', '.join(tables)}")


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE matching_term, matching_profile, matching_posting")


@contextmanager
def _bulk_load(kind: int):
    """Delete a kind's representations, load without the postings' index (their primary key),
    index once."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM matching_posting WHERE kind = %s", [kind])
        cursor.execute("DELETE FROM matching_profile WHERE kind = %s", [kind])
        cursor.execute("ALTER TABLE matching_posting DROP CONSTRAINT matching_posting_pkey")
    try:
        _reclaim("matching_posting", "matching_profile")  # inside: a failure restores the key
        yield
    finally:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute(
                "ALTER TABLE matching_posting ADD CONSTRAINT matching_posting_pkey "
                "PRIMARY KEY (term_id, kind, weight, listing_id)"
            )


@transaction.atomic
def _write_chunk(kind: int, chunk: list, executor, df_changes: Counter, options=DEFAULT) -> int:
    inputs = [(parts, language, options) for _pk, parts, language, *_rest in chunk]
    vectors = (
        list(executor.map(_vector, inputs, chunksize=64))
        if executor
        else [_vector(x) for x in inputs]
    )
    listing_ids = [row[0] for row in chunk]
    terms = sorted({t for vector in vectors for t in vector})
    with connection.cursor() as cursor:
        # A full rebuild deleted everything first (_bulk_load); only listings saved since then
        # have rows. Postings go first: they are found from the stored vectors, whose terms
        # (all of them) leave the document frequencies.
        cursor.execute(
            "SELECT vector FROM matching_profile WHERE kind = %s AND listing_id = ANY(%s) AND public",
            [kind, listing_ids],
        )
        for (old,) in cursor.fetchall():
            df_changes.subtract(old.keys() if isinstance(old, dict) else json.loads(old).keys())
        remove_postings(cursor, kind, listing_ids)
        cursor.execute(
            "DELETE FROM matching_profile WHERE kind = %s AND listing_id = ANY(%s)",
            [kind, listing_ids],
        )
        cursor.execute(
            "INSERT INTO matching_term (text, df) SELECT unnest(%s::text[]), 0 ON CONFLICT (text) DO NOTHING",
            [terms],
        )
        now = timezone.now().isoformat()
        representations = io.StringIO()
        for (pk, _parts, language, public, fields, groups), vector in zip(
            chunk, vectors, strict=True
        ):
            representations.write(
                "\t".join(
                    [
                        str(kind),
                        str(pk),
                        _copy_text(json.dumps(vector)),
                        "1.0",
                        language or "en",
                        _pg_array(fields),
                        _pg_array(groups),
                        "t" if public else "f",
                        now,
                    ]
                )
                + "\n"
            )
            if public:
                df_changes.update(vector.keys())
        representations.seek(0)
        cursor.cursor.copy_expert(
            "COPY matching_profile (kind, listing_id, vector, norm, language, fields, groups, public, updated_at) FROM STDIN",
            representations,
        )
    return len(chunk)


#: A listing's postings chosen from its stored vector as representation.bounded does (its
#: ``limit`` terms of most impact, w² · idf, ties by term), once the frequencies are known.
POSTINGS_SQL = """
    INSERT INTO matching_posting (term_id, kind, weight, listing_id)
    SELECT term_id, kind, weight, listing_id FROM (
        SELECT t.id AS term_id, p.kind, p.listing_id,
               round(e.value::numeric / %(unit)s)::int AS weight,
               row_number() OVER (
                   PARTITION BY p.id
                   ORDER BY (e.value::float8) ^ 2
                            * ln(1 + (%(n_docs)s - t.df + 0.5) / (t.df + 0.5)) DESC,
                            e.key COLLATE "C"
               ) AS position
        FROM matching_profile p
        CROSS JOIN LATERAL jsonb_each(p.vector) e
        JOIN matching_term t ON t.text = e.key
        WHERE p.public AND p.kind = %(kind)s {only}
    ) chosen
    WHERE %(limit)s = 0 OR position <= %(limit)s
"""


def write_postings(kind: int, ids: list[int] | None, options: Options = DEFAULT) -> None:
    """Post the public listings of a kind (or the given ids) from their stored vectors."""
    only = "" if ids is None else "AND p.listing_id = ANY(%(ids)s::bigint[])"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM matching_profile WHERE public")
        n_docs = max(cursor.fetchone()[0], 1)
        cursor.execute(
            POSTINGS_SQL.format(only=only),
            {
                "unit": WEIGHT_UNIT,
                "n_docs": n_docs,
                "kind": kind,
                "limit": options.terms_per_listing,
                "ids": list(ids or []),
            },
        )


def _copy_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _pg_array(values: list[str]) -> "str":
    return "{" + ",".join('"' + v.replace('"', '\\\\"') + '"' for v in values) + "}"
