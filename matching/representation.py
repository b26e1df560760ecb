"""Computing and storing the matching representation of listings (on save and in bulk)."""

import math

from django.db import connection, transaction
from django.db.models import F

from . import text
from .models import ListingKind, Posting, Representation, Term

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
        _remove_postings(kind, listing.pk)
    representation = representation or Representation(kind=kind, listing_id=listing.pk)
    representation.vector, representation.fields, representation.groups = vector, fields, groups
    representation.language, representation.public = listing.language or "en", public
    if public:
        _add_postings(kind, listing.pk, vector)
    df = dict(Term.objects.filter(text__in=vector).values_list("text", "df"))
    # The corpus with this listing in it (corpus_size() counts the representation's saved state, which
    # a listing just published is not yet part of: its df was raised above already).
    n_docs = corpus_size() + (0 if was_public else 1)
    representation.norm = norm(vector, df, max(n_docs, 1))
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
        _remove_postings(kind, listing_id)
    representation.delete()


def _remove_postings(kind: int, listing_id: int) -> None:
    term_ids = list(
        Posting.objects.filter(kind=kind, listing_id=listing_id).values_list("term_id", flat=True)
    )
    Posting.objects.filter(kind=kind, listing_id=listing_id).delete()
    Term.objects.filter(pk__in=term_ids).update(df=F("df") - 1)


def _add_postings(kind: int, listing_id: int, vector: dict[str, float]) -> None:
    if not vector:
        return
    Term.objects.bulk_create([Term(text=t) for t in vector], ignore_conflicts=True)
    ids = dict(Term.objects.filter(text__in=vector).values_list("text", "pk"))
    Posting.objects.bulk_create(
        [
            Posting(term_id=ids[t], kind=kind, listing_id=listing_id, weight=w)
            for t, w in vector.items()
        ]
    )
    Term.objects.filter(pk__in=ids.values()).update(df=F("df") + 1)


def recompute_norms(listings: dict[int, list[int]] | None = None, term_ids=None) -> None:
    """Recompute document frequencies from the postings, then norms of public representations.

    Without arguments everything is recomputed (a periodic job and full rebuilds: idf drifts as
    listings come and go). After an import, ``term_ids`` (the terms it touched) and
    ``listings`` ({kind: [ids]}) limit the work to what changed. Aggregates are materialised
    first so the plan never repeats them per row."""
    with connection.cursor() as cursor:
        if term_ids is None:
            cursor.execute(
                """
                UPDATE matching_term t SET df = c.n
                FROM (SELECT term_id, count(*) AS n FROM matching_posting GROUP BY term_id) c
                WHERE t.id = c.term_id AND t.df <> c.n
                """
            )
            cursor.execute(
                """
                UPDATE matching_term t SET df = 0
                WHERE t.df <> 0 AND NOT EXISTS (SELECT 1 FROM matching_posting p WHERE p.term_id = t.id)
                """
            )
        elif term_ids:
            cursor.execute(
                """
                UPDATE matching_term t
                SET df = (SELECT count(*) FROM matching_posting p WHERE p.term_id = t.id)
                WHERE t.id = ANY(%s::bigint[])
                """,
                [list(term_ids)],
            )
        cursor.execute("SELECT count(*) FROM matching_profile WHERE public")
        n_docs = max(cursor.fetchone()[0], 1)
        batches = [(None, None)] if listings is None else list(listings.items())
        for kind, ids in batches:
            where = (
                "" if kind is None else "WHERE po.kind = %s AND po.listing_id = ANY(%s::bigint[])"
            )
            params = [n_docs] + ([] if kind is None else [kind, list(ids)])
            cursor.execute(
                f"""
                WITH s AS MATERIALIZED (
                    SELECT po.kind, po.listing_id,
                           sqrt(sum(po.weight * po.weight * ln(1 + (%s - t.df + 0.5) / (t.df + 0.5)))) AS norm
                    FROM matching_posting po JOIN matching_term t ON t.id = po.term_id
                    {where}
                    GROUP BY po.kind, po.listing_id
                )
                UPDATE matching_profile p SET norm = GREATEST(s.norm, 1e-9)
                FROM s WHERE p.kind = s.kind AND p.listing_id = s.listing_id
                """,
                params,
            )
