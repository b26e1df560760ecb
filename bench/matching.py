"""Benchmark scenarios of matching, for `make bench` (bench; issue 8: one need against
100,000 technologies, p95 under 200 ms).

`prepare` (run once, after the technologies are generated) creates one published need for
every 50 technologies, 2,000 at full size (`bench --needs N`: another number), in bulk,
written like the generated technologies (bench/generate.py's corpus, same seed, so they
share its vocabulary and long tail; 30 % Japanese), then builds the matching representation
of every technology and of the needs with `matching.bulk.rebuild` (worker processes, COPY),
as an import would. It is idempotent: with `bench --reuse` existing bench needs and
representations are kept.

Scenarios (both timed in-process; the runner counts their queries):

- "match one need": `matching.engine.rank(need, limit=10)` for a random bench need, the function
  behind the suggestions on a need's page;
- "need detail with suggestions (moderator)": the whole need page as a moderator sees it (suggestions and
  their reasons rendered), through Django's test client signed in as a bench superuser. The
  HTTP runner sends no session cookie, so this page cannot be requested from gunicorn.
"""

import random
import time
from datetime import timedelta

from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from accounts.models import Membership, User
from bench import generate
from bench.scenarios import scenario
from listings import fieldindex
from listings.lifecycle import Status
from listings.models import Language, Partnership, Technology
from matching import bulk, engine, suggestions
from matching.models import ListingKind, Representation, Suggestion
from needs.models import Need

#: one open need for every TECHNOLOGIES_PER_NEED technologies unless `bench --needs` says
#: otherwise: 2,000 beside 100,000. Matching takes off each technology's hub value, measured
#: against the open needs, so its quality at scale depends on how many are open. The judged
#: sets have one need for every 3.5-4 technologies; one for every 500 (the 200 of the benches
#: before session 21) left the generated technologies with no need near them
#: (docs/matching.md, *How many needs are open*).
TECHNOLOGIES_PER_NEED = 50
IMPORT_PREFIX = "bench-need-"
MODERATOR_EMAIL = "bench-staff@bench.invalid"


def _out(message: str) -> None:
    print(message, flush=True)


def needs_for(technologies: int) -> int:
    """How many needs a bench of ``technologies`` makes by default (at least one)."""
    return max(1, technologies // TECHNOLOGIES_PER_NEED)


def make_needs(count: int, seed: int = generate.Plan.seed) -> int:
    """Insert ``count`` published needs (bulk) with their fields; returns how many were made."""
    taxonomy = generate.Taxonomy.load()
    groups = taxonomy.groups
    # The technologies' corpus, rebuilt from the same seed: the same general words and long tail.
    corpus = generate.Corpus.build(random.Random(seed), groups)
    rng = corpus.rng = random.Random(seed + 1)
    owners = dict(
        Membership.objects.filter(role=Membership.Role.ADMIN).values_list(
            "organization_id", "user_id"
        )
    )
    org_ids = sorted(owners)
    partnerships = [p.value for p in Partnership]
    now = timezone.now()
    needs, links = [], []
    for i in range(count):
        group = rng.choice(groups)
        japanese = rng.random() < generate.JAPANESE_SHARE
        fields = taxonomy.fields_for(rng, group, generate.NEED_FIELDS)
        subject = corpus.subject(group, japanese, [taxonomy.group_of[f] for f in fields])
        trl_min = rng.randint(1, 7)
        org_id = rng.choice(org_ids)
        published = now - timedelta(days=rng.randint(0, 365))
        needs.append(
            Need(
                title=corpus.title(subject),
                organization_id=org_id,
                author_id=owners[org_id],
                keywords=corpus.keywords(subject),
                countries=sorted(
                    {
                        generate.weighted(rng, generate.COUNTRY_SHARES)
                        for _ in range(rng.randint(1, 2))
                    }
                ),
                language=Language.JA if japanese else Language.EN,
                status=Status.PUBLISHED,
                created_at=published - timedelta(days=2),
                submitted_at=published - timedelta(days=1),
                published_at=published,
                description=corpus.text(subject, "need"),
                solution=corpus.text(subject, "solution") if rng.random() < 0.7 else "",
                trl_min=trl_min,
                trl_max=rng.randint(trl_min, 9),
                partnerships=sorted(rng.sample(partnerships, k=rng.randint(1, 2))),
                deadline=None,
                import_key=f"{IMPORT_PREFIX}{i:04d}",
            )
        )
        links.append(fields)
    through = Need.fields.through
    with transaction.atomic():
        Need.objects.bulk_create(needs)
        through.objects.bulk_create(
            [
                through(need_id=n.pk, field_id=f)
                for n, fields in zip(needs, links, strict=True)
                for f in fields
            ]
        )
        fieldindex.refresh(Need, [n.pk for n in needs])  # bulk_create sends no m2m signal
    return len(needs)


def _rebuild(kind: int, name: str, total: int) -> None:
    started = time.monotonic()

    def progress(done):
        rate = done / max(time.monotonic() - started, 1e-6)
        _out(f"    {name}: {done:,}/{total:,} representations ({rate:,.0f}/s)")

    bulk.rebuild(kind, workers=2, progress=progress)
    _out(f"    {name}: done in {time.monotonic() - started:.0f} s")


def prepare(ctx) -> None:
    """Bench needs, every representation, a moderator and a signed-in client (once)."""
    if "needs" in ctx.extra:
        return
    started = time.monotonic()
    bench_needs = Need.objects.filter(import_key__startswith=IMPORT_PREFIX)
    wanted = ctx.extra.get("needs_wanted") or needs_for(Technology.objects.count())
    if bench_needs.exists():
        have = bench_needs.count()
        note = f" (--needs {wanted} applies to a new bench database)" if have != wanted else ""
        _out(f"  reusing {have:,} bench needs{note}")
    else:
        _out(f"  {make_needs(wanted):,} published needs created")
    technologies = Technology.objects.count()
    needs = Need.objects.count()
    have_tech = Representation.objects.filter(kind=ListingKind.TECHNOLOGY).count()
    have_needs = Representation.objects.filter(kind=ListingKind.NEED).count()
    if have_tech != technologies or have_needs != needs:
        _out(f"  matching representations of {technologies:,} technologies and {needs:,} needs…")
        # Needs first: each full rebuild ends with a full recompute of frequencies and norms
        # (minutes at 100,000 technologies), which is cheap while only the needs are indexed;
        # the technologies' rebuild then recomputes everything once, needs included.
        _rebuild(ListingKind.NEED, "needs", needs)
        _rebuild(ListingKind.TECHNOLOGY, "technologies", technologies)
        # Bulk-load practice, as after the generation: the visibility map, so the postings'
        # index-only scans need no heap fetches (autovacuum would do it later).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE matching_posting, matching_profile, matching_term")
    else:
        _out("  matching representations present: reusing them")
    ctx.extra["needs"] = list(bench_needs.order_by("pk"))
    _store_need_lists(ctx.extra["needs"])
    _out(f"  matching tables: {size_line()}")
    moderator = User.objects.filter(email=MODERATOR_EMAIL).first() or User.objects.create_superuser(
        email=MODERATOR_EMAIL, password=None, full_name="Bench Staff"
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_HOST="127.0.0.1")
    client.force_login(moderator)
    ctx.extra["moderator_client"] = client
    _out(f"  matching prepared in {time.monotonic() - started:.0f} s")


MATCHING_TABLES = ("matching_posting", "matching_profile", "matching_term", "matching_suggestion")


def table_sizes() -> dict[str, int]:
    """Bytes of each matching table, indexes and TOAST included (pg_total_relation_size)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relname = ANY(%s)",
            [list(MATCHING_TABLES)],
        )
        return dict(cursor.fetchall())


def size_line() -> str:
    sizes = table_sizes()
    parts = ", ".join(
        f"{name[9:]} {sizes.get(name, 0) / 2**20:,.0f} MB" for name in MATCHING_TABLES
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'matching_posting'")
        postings = cursor.fetchone()[0]
    return f"{sum(sizes.values()) / 2**30:.2f} GB ({parts}; ~{postings:,} postings)"


def _store_need_lists(needs) -> None:
    """The bench needs' stored suggestion lists (what their pages read), once. Not the
    technologies' lists (the nightly rebuild's first half, with their hub values: ~14 min at
    100,000): hub values stay 0, which changes what a need's list holds, not what ranking it
    or reading it costs."""
    missing = [n for n in needs if not Suggestion.objects.for_needs([n.pk]).exists()]
    started = time.monotonic()
    for done, need in enumerate(missing, 1):
        suggestions.store_list(need)
        if done % 50 == 0 or done == len(missing):
            _out(f"    stored suggestion lists: {done}/{len(missing)} needs")
    if missing:
        _out(f"    stored in {time.monotonic() - started:.0f} s")


@scenario("match one need", timed="call", target_p95_ms=200, prepare=prepare)
def match_one_need(ctx):
    """`matching.engine.rank(need, limit=10)` for a random published need (in-process)."""
    engine.rank(ctx.rng.choice(ctx.extra["needs"]), limit=10)


@scenario(
    "need detail with suggestions (moderator)", timed="call", target_p95_ms=150, prepare=prepare
)
def need_detail_moderator(ctx):
    """A need's page as a moderator sees it, suggestions rendered (in-process test client)."""
    need = ctx.rng.choice(ctx.extra["needs"])
    response = ctx.extra["moderator_client"].get(need.get_absolute_url())
    if response.status_code != 200 or b'id="suggestions"' not in response.content:
        raise RuntimeError(f"{need.get_absolute_url()}: {response.status_code}, no suggestions")
