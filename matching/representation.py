"""Computing and storing the matching representation of listings (on save and in bulk)."""

import math

from django.db import connection, transaction
from django.db.models import F

from . import text
from .models import WEIGHT_UNIT, ListingKind, Posting, Representation, Term
from .options import DEFAULT, Options

TECHNOLOGY_PARTS = ("title", "summary", "description", "benefits", "keywords")
NEED_PARTS = ("title", "description", "solution", "keywords")


def kind_of(listing) -> int:
    return ListingKind.TECHNOLOGY if listing._meta.model_name == "technology" else ListingKind.NEED


def is_matchable(listing) -> bool:
    """Public listings take part in matching as candidates: published (and, for needs, open)."""
    if listing.status != "published":
        return False
    deadline = getattr(listing, "deadline", None)
    if deadline is not None:
        from django.utils import timezone

        return deadline >= timezone.localdate()
    return True


def bounded(
    vector: dict[str, float], df: dict[str, int], n_docs: int, options: Options = DEFAULT
) -> dict[str, float]:
    """The terms of a listing that get a posting: its ``options.terms_per_listing`` terms of
    most impact on a score, w² · idf (all with 0). The tail (a common word said once in a long
    description, a near-synonym) is most of every listing's postings and rarely what makes it
    a candidate; candidates are still scored on their whole stored vector. The bound was chosen
    by cross-validation (docs/matching.md, "Compact representation"); bulk loads choose the
    same terms in SQL (``bulk.POSTINGS_SQL``)."""
    limit = options.terms_per_listing
    if not limit or len(vector) <= limit:
        return vector
    impact = {t: w * w * idf(df.get(t, 0), n_docs) for t, w in vector.items()}
    kept = sorted(vector, key=lambda t: (-impact[t], t))[:limit]
    return {t: vector[t] for t in kept}


def listing_vector(listing) -> dict[str, float]:
    parts = TECHNOLOGY_PARTS if kind_of(listing) == ListingKind.TECHNOLOGY else NEED_PARTS
    texts = {name: getattr(listing, name, "") for name in parts}
    # The analyser weighs parts by name; a need's wanted solution reads like a description.
    if "solution" in texts:
        texts["description"] = "\n".join(
            filter(None, [texts["description"], texts.pop("solution")])
        )
    return text.document_vector(texts, listing.language or None)


def field_slugs(listing) -> tuple[list[str], list[str]]:
    fields = list(listing.fields.select_related("parent"))
    return [f.slug for f in fields], [f.parent.slug if f.parent_id else f.slug for f in fields]


def idf(df: int, n_docs: int) -> float:
    return text.idf(df, n_docs)


def corpus_size() -> int:
    return Representation.objects.filter(public=True).count()


def norm(vector: dict[str, float], df: dict[str, int], n_docs: int) -> float:
    return math.sqrt(sum(w * w * idf(df.get(t, 0), n_docs) for t, w in vector.items())) or 1.0


@transaction.atomic
def refresh_representation(listing) -> Representation:
    """Recompute one listing's vector, fields and norm; sync its postings and the term counts."""
    kind = kind_of(listing)
    vector = listing_vector(listing)
    fields, groups = field_slugs(listing)
    public = is_matchable(listing)
    representation = (
        Representation.objects.select_for_update().filter(kind=kind, listing_id=listing.pk).first()
    )
    was_public = representation is not None and representation.public
    if was_public:
        _remove_postings(kind, listing.pk, representation.vector)
    representation = representation or Representation(kind=kind, listing_id=listing.pk)
    representation.vector, representation.fields, representation.groups = vector, fields, groups
    representation.language, representation.public = listing.language or "en", public
    # The corpus with this listing in it (corpus_size() counts the representation's saved state, which
    # a listing just published is not yet part of).
    n_docs = max(corpus_size() + (0 if was_public else 1), 1)
    if public:
        _add_postings(kind, listing.pk, vector, n_docs)
    df = dict(Term.objects.filter(text__in=vector).values_list("text", "df"))
    representation.norm = norm(vector, df, n_docs)
    representation.save()
    return representation


def refresh_many(listings) -> int:
    """Refresh the representation of several listings (imports): one at a time, then norms."""
    count = 0
    for listing in listings:
        refresh_representation(listing)
        count += 1
    if count:
        recompute_norms()
    return count


def remove_representation(kind: int, listing_id: int) -> None:
    representation = Representation.objects.filter(kind=kind, listing_id=listing_id).first()
    if representation is None:
        return
    if representation.public:
        _remove_postings(kind, listing_id, representation.vector)
    representation.delete()


def remove_postings(cursor, kind: int, listing_ids: list[int]) -> list[int]:
    """Delete the postings of public listings, found by their full key from the stored vectors
    (the postings' only index); returns the term id of every deleted posting."""
    cursor.execute(
        """
        DELETE FROM matching_posting p
        USING (
            SELECT pr.listing_id, t.id AS term_id, round(e.value::numeric / %s)::int AS weight
            FROM matching_profile pr
            CROSS JOIN LATERAL jsonb_each(pr.vector) e
            JOIN matching_term t ON t.text = e.key
            WHERE pr.kind = %s AND pr.listing_id = ANY(%s::bigint[]) AND pr.public
        ) old
        WHERE p.term_id = old.term_id AND p.kind = %s AND p.weight = old.weight
          AND p.listing_id = old.listing_id
        RETURNING p.term_id
        """,
        [WEIGHT_UNIT, kind, list(listing_ids), kind],
    )
    return [row[0] for row in cursor.fetchall()]


def _remove_postings(kind: int, listing_id: int, vector: dict[str, float]) -> None:
    """A public listing leaves the index: its postings, and its terms' document frequencies
    (which count every term of its vector, not only the posted ones)."""
    with connection.cursor() as cursor:
        remove_postings(cursor, kind, [listing_id])
    Term.objects.filter(text__in=list(vector)).update(df=F("df") - 1)


def posting_weight(weight: float) -> int:
    """A vector weight in the postings' unit (exact: vectors are rounded to four decimals)."""
    return round(weight / WEIGHT_UNIT)


def _add_postings(kind: int, listing_id: int, vector: dict[str, float], n_docs: int) -> None:
    if not vector:
        return
    Term.objects.bulk_create([Term(text=t) for t in vector], ignore_conflicts=True)
    rows = Term.objects.filter(text__in=vector).values_list("text", "pk", "df")
    ids = {t: pk for t, pk, _df in rows}
    df = {t: d + 1 for t, _pk, d in rows}  # this listing included
    Posting.objects.bulk_create(
        [
            Posting(term_id=ids[t], kind=kind, listing_id=listing_id, weight=posting_weight(w))
            for t, w in bounded(vector, df, n_docs).items()
        ]
    )
    Term.objects.filter(pk__in=ids.values()).update(df=F("df") + 1)


def apply_df_changes(changes: dict[str, int]) -> None:
    """Add ``{term: change}`` to the terms' document frequencies (one statement)."""
    changes = {t: n for t, n in changes.items() if n}
    if not changes:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE matching_term t SET df = t.df + c.n
            FROM unnest(%s::text[], %s::int[]) AS c(text, n) WHERE t.text = c.text
            """,
            [list(changes), list(changes.values())],
        )


def recompute_norms(listings: dict[int, list[int]] | None = None) -> None:
    """Recompute document frequencies from the stored vectors, then norms of public profiles.

    Both come from the whole vectors (a listing's postings are only its heaviest terms).
    Without arguments everything is recomputed (a periodic job and full rebuilds: idf drifts as
    listings come and go); ``listings`` ({kind: [ids]}) limits the norms to those listings
    (an import, whose frequencies were changed by :func:`apply_df_changes`). Aggregates are
    materialised first so the plan never repeats them per row."""
    with connection.cursor() as cursor:
        if listings is None:
            cursor.execute(
                """
                WITH c AS MATERIALIZED (
                    SELECT k AS text, count(*) AS n
                    FROM matching_profile p CROSS JOIN LATERAL jsonb_object_keys(p.vector) k
                    WHERE p.public GROUP BY k
                )
                UPDATE matching_term t SET df = coalesce(c.n, 0)
                FROM matching_term t2 LEFT JOIN c ON c.text = t2.text
                WHERE t.id = t2.id AND t.df <> coalesce(c.n, 0)
                """
            )
        cursor.execute("SELECT count(*) FROM matching_profile WHERE public")
        n_docs = max(cursor.fetchone()[0], 1)
        batches = [(None, None)] if listings is None else list(listings.items())
        for kind, ids in batches:
            where = "" if kind is None else "AND p.kind = %s AND p.listing_id = ANY(%s::bigint[])"
            params = [n_docs] + ([] if kind is None else [kind, list(ids)])
            cursor.execute(
                f"""
                WITH s AS MATERIALIZED (
                    SELECT p.id, sqrt(sum(
                        (e.value::float8) ^ 2 * ln(1 + (%s - t.df + 0.5) / (t.df + 0.5))
                    )) AS norm
                    FROM matching_profile p
                    CROSS JOIN LATERAL jsonb_each(p.vector) e
                    JOIN matching_term t ON t.text = e.key
                    WHERE p.public {where}
                    GROUP BY p.id
                )
                UPDATE matching_profile p SET norm = GREATEST(s.norm, 1e-9)
                FROM s WHERE p.id = s.id
                """,
                params,
            )
