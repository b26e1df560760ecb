"""Bulk synthetic data for the benchmark: organisations, users, technologies, search vectors.

Rows are inserted with bulk_create in batches (robust to new model fields with defaults); the
search vectors are then filled with one SQL UPDATE per batch, from the same weighted text that
`listings.services.refresh_search_vector` indexes (A title, B keywords + summary, C description,
D benefits; config 'english'; CJK bigrams via `listings.search.index_text`).
"""

import itertools
import random
import re
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
class Subject:
    """What one generated listing is about, so its title, keywords and texts agree: its field
    group, its language, two of the group's topic words (its focus), two rare words of its own
    (what the invention is called) and more rare words of its own (the materials, parts and
    processes a real listing names: its details)."""

    group: str
    japanese: bool
    focus: list
    specific: list
    details: list = field(default_factory=list)
    #: the groups of its other fields: a listing in two groups is about both (an IoT sensor
    #: for wastewater), so one of its focus words and its cross-field words come from them
    also: list = field(default_factory=list)
    #: its designations: acronyms and codes of its parts or materials (``NMC``, ``PA12``)
    codes: list = field(default_factory=list)
    #: how many detail words the texts have used (they are named in turn, then again)
    used: int = 0


#: each role's sentences, in order, as (kind of template, fewest, most): a description states a
#: problem, the method, results with numbers, where it stands and what it applies to, as real
#: listings do; a need its situation and what it wants.
PLANS = {
    "summary": (("METHOD", 1, 1), ("RESULT", 1, 1)),
    "description": (
        ("PROBLEM", 1, 1),
        ("METHOD", 2, 3),
        ("DETAILS", 2, 3),
        ("RESULT", 1, 2),
        ("AVAILABILITY", 1, 1),
        ("APPLICATIONS", 1, 1),
    ),
    "benefits": (("BENEFITS", 1, 3),),
    "need": (("NEED", 5, 8),),
    "solution": (("NEED", 1, 3),),
}
#: how many of its field's other topic words a listing's applications sentence names, and how
#: many of other fields' (real "applications" lists are long and cross fields). With these a
#: topic word is in ~9 % of the listings, as the search scenarios need (docs/performance.md).
APPLICATIONS = (8, 10)
APPLICATIONS_ELSEWHERE = (2, 5)
#: share of descriptions with a sentence about another field.
CROSS_SHARE = 0.5
#: Calibrated on the development set's real listings (docs/matching.md, "Quality at scale"):
#: how many rare words of its own a listing names beside its two main ones (fewest, most),
#: the share of the general-word slots that name one of them, and the share that take a word
#: of the broad everyday vocabulary (`vocabulary.everyday_words`) instead of the general
#: technical words.
DETAILS = (16, 30)
DETAIL_SHARE = 0.6
EVERYDAY_SHARE = 0.7
#: how many designations (acronyms, codes) a listing names: real listings name a few that
#: hardly any other listing does (NMC, ASIC, PA12, Modbus).
CODES = (1, 3)
_LETTERS = "ABCDEFGHIJKLMNOPRSTUVWXYZ"


def designation(rng) -> str:
    """An acronym of 2-4 capitals, half of them with a number (``PA12``, ``TX40``)."""
    code = "".join(rng.choices(_LETTERS, k=rng.randint(2, 4)))
    return code + str(rng.randint(2, 99)) if rng.random() < 0.5 else code


@dataclass(frozen=True)
class FieldShape:
    """How many fields a listing has and how they spread over the taxonomy's groups."""

    #: {number of fields: how many real listings have that many}
    counts: dict
    #: the share of a listing's further fields that belong to another group
    other_group: float
    #: in a group with sub-fields, the share of its fields that are the group itself
    group_itself: float


#: Measured on the development set's real listings (data/matching-dev.json, 177 technologies
#: and 50 needs), so that a generated listing shares fields with a need as often as a real one
#: does (issue 17): most real listings have two fields, in two groups (a sensor for water
#: treatment: ICT and water); in groups with sub-fields, 3.5 % (technologies) and 8 % (needs)
#: of their fields are the group itself. The score's field overlap is averaged over both
#: listings' fields, so a generated listing with one field, or with sub-fields of one group
#: only (what the generator gave them before), shared more of a need's fields than a real one.
TECHNOLOGY_FIELDS = FieldShape({1: 19, 2: 152, 3: 6}, other_group=0.88, group_itself=0.035)
NEED_FIELDS = FieldShape({1: 19, 2: 31}, other_group=0.90, group_itself=0.08)


@dataclass
class Taxonomy:
    """The taxonomy's fields by group, to give generated listings fields."""

    groups: list
    #: {group slug: its sub-fields' ids} (a group without sub-fields: its own id)
    sub_fields: dict
    #: {group slug: the group's own field id}
    own: dict
    #: {field id: its group's slug}
    group_of: dict = field(default_factory=dict)

    @classmethod
    def load(cls) -> "Taxonomy":
        fields = list(Field.objects.all())
        groups = sorted(f.slug for f in fields if f.parent_id is None)
        if not groups:
            raise RuntimeError("The taxonomy is empty: were the listings migrations applied?")
        slug_by_id = {f.pk: f.slug for f in fields}
        own = {f.slug: f.pk for f in fields if f.parent_id is None}
        sub_fields = {g: [] for g in groups}
        for f in fields:
            if f.parent_id is not None:
                sub_fields[slug_by_id[f.parent_id]].append(f.pk)
        group_of = {f.pk: slug_by_id[f.parent_id] if f.parent_id else f.slug for f in fields}
        return cls(groups, {g: sub_fields[g] or [own[g]] for g in groups}, own, group_of)

    def fields_for(self, rng, group: str, shape: FieldShape) -> list:
        """A listing's field ids: the first in ``group`` (what its texts are about), the others
        drawn as ``shape`` says (another group or the same one; a sub-field or the group)."""
        number = rng.choices(list(shape.counts), weights=list(shape.counts.values()))[0]
        groups = [group]
        while len(groups) < number:
            others = [g for g in self.groups if g not in groups]
            groups.append(
                rng.choice(others) if others and rng.random() < shape.other_group else group
            )
        chosen: list = []
        for g in groups:
            left = [f for f in self.sub_fields[g] if f not in chosen]
            if left and rng.random() >= shape.group_itself:
                chosen.append(rng.choice(left))
            elif self.own[g] not in chosen:
                chosen.append(self.own[g])
        return sorted(chosen)


def _compile(template: str) -> list[tuple[str, str]]:
    """``"a {G} b."`` → ``[("a ", "G"), (" b.", "")]``: (literal, slot after it) pairs."""
    parts = re.split(r"\{(\w)\}", template)
    return list(zip(parts[0::2], parts[1::2] + [""], strict=True))


def _templates(suffix: str) -> dict[str, list]:
    kinds = ("TITLES", "PROBLEM", "METHOD", "RESULT", "AVAILABILITY", "APPLICATIONS", "CROSS")
    kinds += ("BENEFITS", "NEED", "DETAILS")
    return {k: [_compile(t) for t in getattr(vocab, f"{k}_{suffix}")] for k in kinds}


TEMPLATES = {False: _templates("EN"), True: _templates("JA")}


@dataclass
class Corpus:
    """Pre-built word pools, cumulative weights and compiled sentence templates, so generating
    text is cheap. Texts are sentences from templates (bench/vocabulary.py) whose slots are
    filled from the pools: a listing's focus topic words, its own rare words (two main ones
    and 16-30 details), its designations, general technical words (Zipf-like), everyday words
    (by how common they are), adjectives, verbs and numbers."""

    rng: random.Random
    general_en: list = field(default_factory=list)
    general_en_cum: list = field(default_factory=list)
    own: list = field(default_factory=list)
    everyday_en: list = field(default_factory=list)
    everyday_ja: list = field(default_factory=list)
    everyday_cum: list = field(default_factory=list)
    groups: list = field(default_factory=list)

    @classmethod
    def build(cls, rng, groups):
        corpus = cls(rng=rng, groups=groups)
        # Real rare words (bench/vocabulary.py), ~30,000 (Japanese headword, English gloss)
        # pairs: a listing's own words, the headword in a Japanese listing, the gloss in an
        # English one.
        corpus.own = list(vocab.specific_words())
        # Zipf-like, flattened at the top: a few words everywhere.
        corpus.general_en = vocab.GENERAL_EN
        corpus.general_en_cum = list(
            itertools.accumulate(1.0 / (rank + 10) for rank in range(len(vocab.GENERAL_EN)))
        )
        everyday = vocab.everyday_words()
        corpus.everyday_ja = [japanese for japanese, _, _ in everyday]
        corpus.everyday_en = [english for _, english, _ in everyday]
        corpus.everyday_cum = list(itertools.accumulate(weight for _, _, weight in everyday))
        return corpus

    def subject(self, group: str, japanese: bool, also=()) -> Subject:
        """What a listing of ``group`` (and of the groups ``also``, its other fields') is
        about: two focus words, of its group, or one of it and one of its first other group."""
        rng = self.rng
        topic = self.topic(group, japanese)
        focus = rng.sample(topic, k=min(2, len(topic)))
        also = [g for g in dict.fromkeys(also) if g != group]
        if also:
            focus = focus[:1] + [rng.choice(self.topic(also[0], japanese))]
        own = [pair[1 - japanese] for pair in rng.sample(self.own, 2 + rng.randint(*DETAILS))]
        codes = [designation(rng) for _ in range(rng.randint(*CODES))]
        return Subject(group, japanese, focus, own[:2], own[2:], also=also, codes=codes)

    @staticmethod
    def topic(group: str, japanese: bool) -> list[str]:
        words = vocab.topic_words_ja(group) if japanese else vocab.topic_words_en(group)
        return words or (["技術"] if japanese else ["technology"])

    def general(self, japanese: bool) -> str:
        """A general technical word (Zipf-like in English) or, for EVERYDAY_SHARE of them, a
        word of the broad everyday vocabulary, drawn by how common it is."""
        rng = self.rng
        if rng.random() < EVERYDAY_SHARE:
            words = self.everyday_ja if japanese else self.everyday_en
            return rng.choices(words, cum_weights=self.everyday_cum)[0]
        if japanese:
            return rng.choice(vocab.GENERAL_JA)
        return rng.choices(self.general_en, cum_weights=self.general_en_cum)[0]

    @staticmethod
    def detail(subject: Subject) -> str:
        """The listing's next detail word (they are named in turn, then again)."""
        if not subject.details:
            return subject.specific[0]
        subject.used += 1
        return subject.details[(subject.used - 1) % len(subject.details)]

    def detail_or_general(self, subject: Subject) -> str:
        """One of the listing's detail words (DETAIL_SHARE of the slots), else a general
        word."""
        if self.rng.random() < DETAIL_SHARE:
            return self.detail(subject)
        return self.general(subject.japanese)

    def fill(self, template, subject: Subject) -> str:
        rng, japanese = self.rng, subject.japanese
        other = [w for w in self.topic(subject.group, japanese) if w not in subject.focus]
        out = []
        for literal, slot in template:
            out.append(literal)
            if not slot:
                continue
            if slot == "T":
                word = rng.choice(subject.focus)
            elif slot == "O":
                word = rng.choice(other or subject.focus)
            elif slot == "X":
                word = rng.choice(self.topic(rng.choice(subject.also or self.groups), japanese))
            elif slot == "S":
                word = rng.choice(subject.specific)
            elif slot == "D":
                word = self.detail(subject)
            elif slot == "C":
                word = rng.choice(subject.codes or subject.specific)
            elif slot == "G":
                word = self.detail_or_general(subject)
            elif slot == "A":
                word = rng.choice(vocab.ADJECTIVES_JA if japanese else vocab.ADJECTIVES_EN)
            elif slot == "V":
                word = rng.choice(vocab.VERBS_EN)
            elif slot == "N":
                word = str(rng.choice((2, 3, 5, 10, 12, 20, 30, 50, 100, 150, 500, 1000)))
            elif slot == "P":
                word = str(rng.randint(5, 80))
            elif slot == "L":
                own = rng.sample(other, k=min(len(other), rng.randint(*APPLICATIONS)))
                elsewhere = [
                    rng.choice(self.topic(rng.choice(self.groups), japanese))
                    for _ in range(rng.randint(*APPLICATIONS_ELSEWHERE))
                ]
                word = self.listing_of(list(dict.fromkeys(own + elsewhere)), japanese)
            else:  # "U"
                word = rng.choice(vocab.UNITS_JA if japanese else vocab.UNITS_EN)
            out.append(word)
        text = "".join(out)
        return text[:1].upper() + text[1:]

    @staticmethod
    def listing_of(words: list[str], japanese: bool) -> str:
        """``a, b and c`` (``a、b、c``)."""
        if japanese or len(words) < 2:
            return "、".join(words) if japanese else "".join(words)
        return ", ".join(words[:-1]) + " and " + words[-1]

    def text(self, subject: Subject, role: str = "description") -> str:
        """Sentences of ``role`` (summary, description, benefits, need or solution) about the
        subject, in the order of its plan (:data:`PLANS`); a listing in two groups, and half
        of the others, add a sentence about another field (cross-field vocabulary)."""
        rng, templates = self.rng, TEMPLATES[subject.japanese]
        sentences = [
            self.fill(rng.choice(templates[kind]), subject)
            for kind, fewest, most in PLANS[role]
            for _ in range(rng.randint(fewest, most))
        ]
        if role == "description" and (subject.also or rng.random() < CROSS_SHARE):
            sentences.append(self.fill(rng.choice(templates["CROSS"]), subject))
        joiner = "" if subject.japanese else " "
        # Paragraphs of about five sentences.
        return "\n\n".join(joiner.join(sentences[j : j + 5]) for j in range(0, len(sentences), 5))

    def title(self, subject: Subject) -> str:
        return self.fill(self.rng.choice(TEMPLATES[subject.japanese]["TITLES"]), subject)[:200]

    def keywords(self, subject: Subject) -> list[str]:
        """Its focus words, its own words with a general one, one to three of its details and
        perhaps another topic word of its field (4 to 8 keywords, as real listings have)."""
        rng = self.rng
        joiner = "" if subject.japanese else " "
        own = [w + joiner + self.general(subject.japanese) for w in subject.specific]
        details = subject.details[: rng.randint(1, 3)]
        extra = [rng.choice(self.topic(subject.group, subject.japanese))]
        words = subject.focus + own[: rng.randint(1, 2)] + details + extra[: rng.randint(0, 1)]
        return list(dict.fromkeys(w[:60] for w in words))


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


def technology_rows(plan, corpus, count, org_ids, authors, taxonomy, now):
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
        fields = taxonomy.fields_for(rng, group, TECHNOLOGY_FIELDS)
        subject = corpus.subject(group, japanese, [taxonomy.group_of[f] for f in fields])
        technology = Technology(
            title=corpus.title(subject),
            organization_id=org_id,
            author_id=authors.get(org_id),
            keywords=corpus.keywords(subject),
            countries=sorted({weighted(rng, COUNTRY_SHARES) for _ in range(rng.randint(1, 3))}),
            language=Language.JA if japanese else Language.EN,
            status=status,
            created_at=created,
            submitted_at=created + timedelta(hours=1) if status != Status.DRAFT else None,
            published_at=published,
            summary=corpus.text(subject, "summary")[:500],
            description=corpus.text(subject, "description"),
            benefits=corpus.text(subject, "benefits") if rng.random() < 0.8 else "",
            trl=rng.randint(1, 9),
            ip_status=rng.choice(ip_statuses),
            partnerships=sorted(rng.sample(partnerships, k=rng.randint(1, 3))),
            contact_name="Technology Licensing Office",
            contact_email="tlo@bench.invalid",
            view_count=rng.randint(0, 500),
        )
        yield technology, fields


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


def make_technologies(plan: Plan, corpus: Corpus, org_ids, authors, taxonomy, out) -> None:
    """Insert in batches; each batch's search-vector UPDATE runs on a second connection (a
    worker thread) while the next batch is generated, so PostgreSQL and Python work at once."""
    now = timezone.now()
    through = Technology.fields.through
    rows = technology_rows(plan, corpus, plan.technologies, org_ids, authors, taxonomy, now)
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
    taxonomy = Taxonomy.load()
    corpus = Corpus.build(rng, taxonomy.groups)
    out("Generating data…")
    org_ids = make_organizations(plan, rng, out)
    authors = make_users(plan, org_ids, rng, out)
    with search_index_dropped(out):
        make_technologies(plan, corpus, org_ids, authors, taxonomy, out)
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
