"""Bulk synthetic data for the benchmark: organisations, users, technologies, search vectors.

Rows are inserted with bulk_create in batches (robust to new model fields with defaults); the
search vectors are then filled with one SQL UPDATE per batch, from the same weighted text that
`listings.services.refresh_search_vector` indexes (A title, B keywords + summary, C description,
D benefits; config 'english'; CJK bigrams via `listings.search.index_text`).
"""

import itertools
import random
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Membership, Organization, User
from listings import fieldindex, search
from listings.lifecycle import Status
from listings.models import Field, IPStatus, Language, Partnership, Patent, Technology

from . import vocabulary as vocab

#: (status, share) of generated technologies; the rest of the lifecycle is rare in practice.
STATUS_SHARES = [
    (Status.PUBLISHED, 0.88),
    (Status.DRAFT, 0.04),
    (Status.SUBMITTED, 0.03),
    (Status.REJECTED, 0.02),
    (Status.WITHDRAWN, 0.02),
    (Status.EXPIRED, 0.01),
]
COUNTRY_SHARES = [
    ("JP", 35),
    ("US", 10),
    ("DE", 5),
    ("FR", 4),
    ("GB", 4),
    ("KR", 4),
    ("CN", 4),
    ("IN", 3),
    ("BR", 3),
    ("CA", 2),
    ("AU", 2),
    ("CH", 2),
    ("SE", 2),
    ("NL", 2),
    ("IT", 2),
    ("ES", 2),
    ("KE", 1),
    ("ZA", 1),
    ("MX", 1),
    ("ID", 1),
    ("TH", 1),
    ("VN", 1),
    ("SG", 1),
    ("NG", 1),
]
TYPE_SHARES = [
    (Organization.Type.UNIVERSITY, 40),
    (Organization.Type.RESEARCH_INSTITUTE, 20),
    (Organization.Type.COMPANY, 25),
    (Organization.Type.STARTUP, 10),
    (Organization.Type.GOVERNMENT, 3),
    (Organization.Type.OTHER, 2),
]
JAPANESE_SHARE = 0.30


@dataclass
class Plan:
    technologies: int = 100_000
    organizations: int = 2_000
    users_per_organization: int = 2
    batch: int = 2_000
    seed: int = 20260101
    #: fill the search vectors on a second connection while the next batch is generated
    #: (False: on the same connection, e.g. inside a test's transaction).
    pipeline: bool = True


@dataclass
class Corpus:
    """Pre-built word pools and cumulative weights, so generating text is cheap."""

    rng: random.Random
    general_en: list = field(default_factory=list)
    general_en_cum: list = field(default_factory=list)
    tail_ja: list = field(default_factory=list)
    groups: list = field(default_factory=list)

    @classmethod
    def build(cls, rng, groups):
        corpus = cls(rng=rng, groups=groups)
        words = vocab.GENERAL_EN + vocab.long_tail_en(3000, rng)
        corpus.general_en = words
        # Zipf-like, flattened at the top: a few words everywhere, a long rare tail.
        corpus.general_en_cum = list(
            itertools.accumulate(1.0 / (rank + 10) for rank in range(len(words)))
        )
        corpus.tail_ja = vocab.long_tail_ja(1500, rng)
        return corpus

    def english(self, n: int, group: str) -> list[str]:
        rng = self.rng
        topic = vocab.topic_words_en(group) or ["technology"]
        other = vocab.topic_words_en(rng.choice(self.groups))
        n_topic, n_other = max(1, n // 4), max(0, n // 10)
        out = rng.choices(self.general_en, cum_weights=self.general_en_cum, k=n - n_topic - n_other)
        out += rng.choices(topic, k=n_topic) + (rng.choices(other, k=n_other) if other else [])
        rng.shuffle(out)
        return out

    def japanese(self, n: int, group: str) -> list[str]:
        rng = self.rng
        topic = vocab.topic_words_ja(group) or ["技術"]
        n_topic, n_tail = max(1, (3 * n) // 10), n // 5
        out = rng.choices(vocab.GENERAL_JA, k=n - n_topic - n_tail)
        out += rng.choices(topic, k=n_topic) + rng.choices(self.tail_ja, k=n_tail)
        rng.shuffle(out)
        return out

    def sentences(self, words: list[str], japanese: bool) -> str:
        rng, out, i = self.rng, [], 0
        while i < len(words):
            size = rng.randint(7, 16)
            chunk = words[i : i + size]
            i += size
            if japanese:
                text = "".join(w + rng.choice(vocab.PARTICLES_JA) for w in chunk[:-1]) + chunk[-1]
                out.append(text + "。")
            else:
                text = " ".join(chunk)
                out.append(text[:1].upper() + text[1:] + ".")
        joiner = "" if japanese else " "
        # Paragraphs of about five sentences.
        return "\n\n".join(joiner.join(out[j : j + 5]) for j in range(0, len(out), 5))

    def text(self, n: int, group: str, japanese: bool) -> str:
        words = self.japanese(n, group) if japanese else self.english(n, group)
        return self.sentences(words, japanese)

    def title(self, group: str, japanese: bool) -> str:
        if japanese:
            words = self.japanese(6, group)
            return (
                "".join(w + self.rng.choice(vocab.PARTICLES_JA) for w in words[:-1]) + words[-1]
            )[:200]
        words = self.english(self.rng.randint(8, 12), group)
        return " ".join(words).capitalize()[:200]


def weighted(rng, shares):
    values, weights = zip(*shares, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


def make_organizations(plan: Plan, rng, out) -> list[int]:
    now = timezone.now()
    organizations = [
        Organization(
            name=f"Bench Organisation {i:05d}",
            name_ja=f"ベンチ機関{i:05d}" if rng.random() < 0.4 else "",
            slug=f"bench-organisation-{i:05d}",
            type=weighted(rng, TYPE_SHARES),
            country=weighted(rng, COUNTRY_SHARES),
            city="",
            description="A synthetic organisation of the benchmark.",
            verified=rng.random() < 0.7,
            created_at=now,
            updated_at=now,
        )
        for i in range(plan.organizations)
    ]
    Organization.objects.bulk_create(organizations, batch_size=plan.batch)
    out(f"  {len(organizations):,} organisations")
    return [o.pk for o in organizations]


def make_users(plan: Plan, org_ids: list[int], rng, out) -> dict[int, int]:
    """Users and active memberships; returns the first (admin) user of each organisation."""
    password = make_password(None)  # unusable: nobody can sign in as a bench user
    now = timezone.now()
    users, owners = [], []
    for org_id in org_ids:
        for _ in range(plan.users_per_organization):
            n = len(users)
            users.append(
                User(
                    email=f"user{n:06d}@bench.invalid",
                    full_name=f"Bench User {n:06d}",
                    password=password,
                    email_verified_at=now if rng.random() < 0.9 else None,
                    date_joined=now - timedelta(days=rng.randint(0, 6 * 365)),
                )
            )
            owners.append(org_id)
    User.objects.bulk_create(users, batch_size=plan.batch)
    memberships = [
        Membership(
            user=user,
            organization_id=org_id,
            role=Membership.Role.ADMIN
            if i % plan.users_per_organization == 0
            else Membership.Role.MEMBER,
            status=Membership.Status.ACTIVE,
        )
        for i, (user, org_id) in enumerate(zip(users, owners, strict=True))
    ]
    Membership.objects.bulk_create(memberships, batch_size=plan.batch)
    out(f"  {len(users):,} users with memberships")
    first = {}
    for user, org_id in zip(users, owners, strict=True):
        first.setdefault(org_id, user.pk)
    return first


def technology_rows(plan, corpus, count, org_ids, authors, fields_by_group, now):
    rng = corpus.rng
    groups = corpus.groups
    statuses, status_weights = zip(*STATUS_SHARES, strict=True)
    partnerships = [p.value for p in Partnership]
    ip_statuses = [s.value for s in IPStatus]
    for _ in range(count):
        group = rng.choice(groups)
        japanese = rng.random() < JAPANESE_SHARE
        status = rng.choices(statuses, weights=status_weights, k=1)[0]
        created = now - timedelta(seconds=rng.randint(0, 6 * 365 * 86400))
        published = (
            created + timedelta(days=rng.randint(1, 20)) if status == Status.PUBLISHED else None
        )
        if published and published > now:
            published = now
        org_id = rng.choice(org_ids)
        pool = (vocab.topic_words_ja(group) if japanese else vocab.topic_words_en(group)) or [
            "technology"
        ]
        keywords = rng.sample(pool, k=min(rng.randint(3, 6), len(pool)))
        technology = Technology(
            title=corpus.title(group, japanese),
            organization_id=org_id,
            author_id=authors.get(org_id),
            keywords=[k[:60] for k in keywords],
            countries=sorted({weighted(rng, COUNTRY_SHARES) for _ in range(rng.randint(1, 3))}),
            language=Language.JA if japanese else Language.EN,
            status=status,
            created_at=created,
            submitted_at=created + timedelta(hours=1) if status != Status.DRAFT else None,
            published_at=published,
            summary=corpus.text(rng.randint(30, 50), group, japanese)[:500],
            description=corpus.text(rng.randint(200, 300), group, japanese),
            benefits=corpus.text(rng.randint(20, 60), group, japanese)
            if rng.random() < 0.8
            else "",
            trl=rng.randint(1, 9),
            ip_status=rng.choice(ip_statuses),
            partnerships=sorted(rng.sample(partnerships, k=rng.randint(1, 3))),
            contact_name="Technology Licensing Office",
            contact_email="tlo@bench.invalid",
            view_count=rng.randint(0, 500),
        )
        subfields = fields_by_group[group]
        chosen = rng.sample(subfields, k=min(len(subfields), rng.randint(1, 3)))
        if rng.random() < 0.2:  # a cross-field technology
            chosen.append(rng.choice(fields_by_group[rng.choice(groups)]))
        yield technology, sorted(set(chosen))


SEARCH_UPDATE = """
UPDATE {table} AS t SET search_vector =
    setweight(to_tsvector('{config}'::regconfig, COALESCE(v.a, '')), 'A')
    || setweight(to_tsvector('{config}'::regconfig, COALESCE(v.b, '')), 'B')
    || setweight(to_tsvector('{config}'::regconfig, COALESCE(v.c, '')), 'C')
    || setweight(to_tsvector('{config}'::regconfig, COALESCE(v.d, '')), 'D'),
  rank_vector =
    setweight(to_tsvector('{config}'::regconfig, COALESCE(v.a, '')), 'A')
    || setweight(to_tsvector('{config}'::regconfig, COALESCE(v.b, '')), 'B')
FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[]) AS v(id, a, b, c, d)
WHERE t.id = v.id
"""


def search_texts(technologies) -> list[list]:
    """The weighted index text of a batch, as [ids, A texts, B texts, C texts, D texts]."""
    assert [w for w, _ in Technology.search_parts] == ["A", "B", "C", "D"], "search_parts changed"
    ids, parts = [], {"A": [], "B": [], "C": [], "D": []}
    for technology in technologies:
        ids.append(technology.pk)
        weights = technology.search_weights()
        for weight in parts:
            parts[weight].append(weights.get(weight, ""))
    return [ids, parts["A"], parts["B"], parts["C"], parts["D"]]


def fill_search_vectors(texts: list[list]) -> float:
    """One UPDATE for a batch: the text is computed in Python, the tsvector in SQL."""
    started = time.monotonic()
    sql = SEARCH_UPDATE.format(table=Technology._meta.db_table, config=search.SEARCH_CONFIG)
    with connection.cursor() as cursor:
        cursor.execute(sql, texts)
    return time.monotonic() - started


def make_technologies(plan: Plan, corpus: Corpus, org_ids, authors, fields_by_group, out) -> None:
    """Insert in batches; each batch's search-vector UPDATE runs on a second connection (a
    worker thread) while the next batch is generated, so PostgreSQL and Python work at once."""
    now = timezone.now()
    through = Technology.fields.through
    rows = technology_rows(plan, corpus, plan.technologies, org_ids, authors, fields_by_group, now)
    done, started = 0, time.monotonic()
    spent = {"text": 0.0, "insert": 0.0, "vectors": 0.0}
    pending = None
    with ThreadPoolExecutor(max_workers=1) if plan.pipeline else nullcontext() as worker:
        while done < plan.technologies:
            mark = time.monotonic()
            batch = list(itertools.islice(rows, plan.batch))
            if not batch:
                break
            spent["text"] += time.monotonic() - mark
            mark = time.monotonic()
            with transaction.atomic():
                technologies = Technology.objects.bulk_create([t for t, _ in batch])
                through.objects.bulk_create(
                    [through(technology_id=t.pk, field_id=f) for t, fields in batch for f in fields]
                )
                fieldindex.refresh(Technology, [t.pk for t in technologies])  # no signal here
                Patent.objects.bulk_create(
                    [
                        Patent(
                            technology_id=t.pk,
                            number=f"JP{2015 + t.pk % 10}-{t.pk:07d}",
                            office="JP",
                            status=Patent.PatentStatus.GRANTED
                            if t.pk % 3
                            else Patent.PatentStatus.PENDING,
                        )
                        for t in technologies
                        if t.ip_status in (IPStatus.GRANTED, IPStatus.PENDING)
                    ]
                )
            spent["insert"] += time.monotonic() - mark
            texts = search_texts(technologies)
            if worker is None:
                spent["vectors"] += fill_search_vectors(texts)
            else:
                if pending is not None:
                    spent["vectors"] += pending.result()
                pending = worker.submit(fill_search_vectors, texts)
            done += len(batch)
            rate = done / max(time.monotonic() - started, 1e-6)
            split = ", ".join(f"{k} {v:.0f} s" for k, v in spent.items())
            out(f"  {done:,}/{plan.technologies:,} technologies ({rate:,.0f}/s; {split})")
        if pending is not None:
            spent["vectors"] += pending.result()
        if worker is not None:
            worker.submit(lambda: connection.close()).result()  # the worker thread's connection


def generate(plan: Plan, out=print) -> dict:
    """Fill the (empty, migrated) bench database. Returns counts for the report."""
    rng = random.Random(plan.seed)
    fields = list(Field.objects.all())
    groups = sorted(f.slug for f in fields if f.parent_id is None)
    slug_by_id = {f.pk: f.slug for f in fields}
    fields_by_group = {g: [] for g in groups}
    for f in fields:
        if f.parent_id is not None:
            fields_by_group[slug_by_id[f.parent_id]].append(f.pk)
    for g in groups:  # a group without sub-fields is its own field
        fields_by_group[g] = fields_by_group[g] or [f.pk for f in fields if f.slug == g]
    if not groups:
        raise RuntimeError("The taxonomy is empty: were the listings migrations applied?")
    corpus = Corpus.build(rng, groups)
    out("Generating data…")
    org_ids = make_organizations(plan, rng, out)
    authors = make_users(plan, org_ids, rng, out)
    with search_index_dropped(out):
        make_technologies(plan, corpus, org_ids, authors, fields_by_group, out)
    return counts()


@contextmanager
def search_index_dropped(out):
    """Bulk-load practice: maintain the GIN index of the search vectors once, at the end,
    instead of row by row (the index is the model's own definition, recreated identically)."""
    indexes = [i for i in Technology._meta.indexes if "search_vector" in i.fields]
    with connection.schema_editor() as editor:
        for index in indexes:
            editor.remove_index(Technology, index)
    try:
        yield
    finally:
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # inside a transaction (tests)
        with connection.schema_editor() as editor:
            for index in indexes:
                editor.add_index(Technology, index)
        out(f"  search index rebuilt in {time.monotonic() - started:.0f} s")


def counts() -> dict:
    return {
        "technologies": Technology.objects.count(),
        "published technologies": Technology.objects.published().count(),
        "organisations": Organization.objects.count(),
        "users": User.objects.count(),
        "technology–field links": Technology.fields.through.objects.count(),
        "patents": Patent.objects.count(),
    }


def analyze(out=print) -> None:
    """VACUUM ANALYZE: the planner's statistics (and the visibility map) after the bulk load."""
    out("VACUUM ANALYZE…")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
