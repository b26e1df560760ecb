"""The nightly rebuild of the stored suggestion lists (issue 18): every technology's list ranked
against the open needs at once (matching.batch) is the list `engine.rank` gives it, in both
languages and through the per-query cut-offs; listings no longer public are never stored; the
command shows progress and a summary; its queries do not grow with the technologies."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from listings.lifecycle import Action, Status
from listings.models import Technology
from listings.services import transition
from matching import batch, engine, labels, suggestions
from matching.models import Suggestion
from matching.options import DEFAULT
from needs.models import Need
from tests.factories import make_need, make_organization, make_technology, make_user

pytestmark = pytest.mark.django_db

EN_NEEDS = [
    ("Hydrogen storage tank for fuel cell vans", "A light hydrogen tank for delivery vans."),
    ("Hydrogen tank liner", "A liner that keeps hydrogen from leaking out of a tank."),
    ("Fuel cell stack cooling", "Cooling plates for a fuel cell stack in buses."),
    ("Hydrogen refuelling station valve", "A valve for high pressure hydrogen refuelling."),
    ("Composite pressure vessel", "A carbon fibre pressure vessel for gas storage."),
    ("Fuel cell membrane", "A durable membrane for fuel cells in trucks."),
    ("Hydrogen leak sensor", "A sensor that finds hydrogen leaks in a garage."),
    ("Tank for liquid hydrogen", "An insulated tank that stores liquid hydrogen."),
    ("Hydrogen production by electrolysis", "Cheap electrolysis to make hydrogen gas."),
    ("Fuel cell forklift power", "A fuel cell power pack for forklifts with a hydrogen tank."),
    ("Solar panel cleaning robot", "A robot that cleans solar panels in the desert."),
]
JA_NEEDS = [
    ("燃料電池車用の水素タンク", "配送車向けの軽い水素タンクを求めています。"),
    ("水素タンクの内張り", "水素の漏れを防ぐタンクの内張り材。"),
    ("燃料電池スタックの冷却", "バス用燃料電池スタックの冷却板。"),
    ("水素ステーションの弁", "高圧水素の充填に使う弁。"),
    ("複合材料の圧力容器", "気体を貯蔵する炭素繊維の圧力容器。"),
    ("燃料電池の膜", "トラック用の耐久性の高い燃料電池膜。"),
    ("水素漏れセンサー", "車庫の水素漏れを検知するセンサー。"),
    ("液体水素のタンク", "液体水素を貯蔵する断熱タンク。"),
    ("電気分解による水素製造", "水素を安く作る電気分解。"),
    ("フォークリフト用燃料電池", "水素タンク付きのフォークリフト用燃料電池電源。"),
]
TECHNOLOGIES = [
    (
        "en",
        "Lightweight hydrogen storage tank",
        "A composite hydrogen tank for fuel cell vehicles.",
    ),
    ("en", "Fuel cell membrane with long life", "A membrane for fuel cells that lasts longer."),
    ("en", "Hydrogen leak detector", "Detects hydrogen leaks with a small sensor."),
    ("ja", "軽量水素貯蔵タンク", "燃料電池車のための複合材料の水素タンク。"),
    ("ja", "長寿命の燃料電池膜", "長持ちする燃料電池用の膜。"),
    ("ja", "太陽電池パネル清掃ロボット", "砂漠の太陽電池パネルを清掃するロボット。"),
]
FIELDS = ("hydrogen-fuel-cells",)


def _catalogue():
    """Ten needs and more in each language (so the language calibration applies) and
    technologies in both."""
    company = make_organization(type="company")
    for language, needs in (("en", EN_NEEDS), ("ja", JA_NEEDS)):
        for n, (title, description) in enumerate(needs):
            make_need(
                company,
                title=title,
                description=description,
                language=language,
                fields=FIELDS if n % 3 else ("solar",),
                trl_min=3 + n % 4,
                countries=["JP"] if n % 2 else ["DE"],
            )
    university = make_organization()
    return [
        make_technology(
            university,
            title=title,
            summary=summary,
            language=language,
            fields=FIELDS if n % 2 else ("hydrogen-fuel-cells", "solar"),
            trl=3 + n,
        )
        for n, (language, title, summary) in enumerate(TECHNOLOGIES)
    ]


def _entries(ranked):
    return [(r.listing_id, r.score, [reason.as_json() for reason in r.reasons]) for r in ranked]


def _batched(technologies, workers=1):
    lists = {}
    chunks = batch.ranked_technologies(technologies, limit=suggestions.LIST_LENGTH, workers=workers)
    for chunk in chunks:
        lists.update(chunk)
    return lists


def _stored_technology_lists():
    out = {}
    for entry in Suggestion.objects.filter(for_need=False).order_by("technology_id", "rank"):
        out.setdefault(entry.technology_id, []).append((entry.need_id, entry.score, entry.reasons))
    return out


def test_each_technologys_list_is_the_engines_ranking_in_both_languages():
    technologies = _catalogue()
    calibrated = [
        t
        for t in technologies
        if _entries(engine.rank(t, limit=20))
        != _entries(engine.rank(t, limit=20, options=DEFAULT.without("calibrate")))
    ]
    assert calibrated  # the case goes through the per-query language calibration
    lists = _batched(Technology.objects.published())
    for technology in technologies:
        assert _entries(lists[technology.pk]) == _entries(engine.rank(technology, limit=20))
    assert any(len(ranked) >= 10 for ranked in lists.values())


def test_worker_processes_rank_the_same_lists(monkeypatch):
    _catalogue()
    monkeypatch.setattr(batch, "CHUNK", 2)  # more chunks than workers
    technologies = Technology.objects.published()
    alone = _batched(technologies)
    assert len(alone) == 6
    assert {pk: _entries(r) for pk, r in _batched(technologies, workers=2).items()} == {
        pk: _entries(r) for pk, r in alone.items()
    }


def test_the_per_query_cut_offs_are_those_of_the_engine(monkeypatch):
    technologies = _catalogue()
    monkeypatch.setattr(engine, "CANDIDATES", 4)
    monkeypatch.setattr(engine, "POSTINGS_PER_TERM", 3)
    lists = _batched(Technology.objects.published())
    for technology in technologies:
        fresh = engine.rank(technology, limit=20)
        assert len(fresh) <= 4
        assert _entries(lists[technology.pk]) == _entries(fresh)


def test_the_rebuild_stores_the_engines_lists_and_checks_them(monkeypatch):
    _catalogue()
    monkeypatch.setattr(batch, "CHUNK", 4)  # several chunks
    Suggestion.objects.all().delete()
    out = io.StringIO()
    call_command("suggestions_rebuild", stdout=out)
    stored = _stored_technology_lists()
    assert stored
    for technology in Technology.objects.published():
        fresh = [
            r for r in engine.rank(technology, limit=20) if labels.strength(r.score, for_need=False)
        ]
        expected = [(r.listing_id, r.score, [x.as_json() for x in r.reasons]) for r in fresh]
        assert stored.get(technology.pk, []) == expected
    call_command("suggestions_rebuild", "--compare", stdout=out)
    assert "need lists 0/21 differ; technology lists 0/6 differ" in out.getvalue()


def test_withdrawn_and_expired_listings_are_never_stored():
    technologies = _catalogue()
    seller = make_user(organization=technologies[0].organization, role="admin")
    transition(technologies[0], Action.WITHDRAW, seller)
    expired = Need.objects.get(title=EN_NEEDS[0][0])
    # Past its deadline but not yet expired by `expire_needs`: still posted in the index.
    Need.objects.filter(pk=expired.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    draft = make_need(title="Hydrogen storage tank wanted", status=Status.DRAFT, fields=FIELDS)
    call_command("suggestions_rebuild", stdout=io.StringIO())
    stored = set(Suggestion.objects.values_list("need_id", "technology_id"))
    assert stored
    # (need, technology) pairs: a need and a technology may share an id
    assert not {(n, t) for n, t in stored if t == technologies[0].pk}
    assert not {(n, t) for n, t in stored if n in (expired.pk, draft.pk)}


def test_the_rebuild_shows_progress_and_a_summary_line(monkeypatch):
    _catalogue()
    monkeypatch.setattr(suggestions, "PROGRESS_EVERY", 4)
    monkeypatch.setattr(batch, "CHUNK", 4)
    out = io.StringIO()
    call_command("suggestions_rebuild", stdout=out)
    lines = out.getvalue().splitlines()
    assert "  technologies: 4/6 lists" in "\n".join(lines)
    assert any(line.startswith("  technologies: 6/6 lists") for line in lines)
    assert any(line.startswith("  needs: 21/21 lists") for line in lines)
    assert lines[-1].startswith("suggestions_rebuild: 21 need lists and 6 technology lists in ")


def _technology_side_queries():
    with CaptureQueriesContext(connection) as context:
        for _stored in suggestions._store_technologies(Technology.objects.published()):
            pass
    return len(context)


def test_the_technology_side_queries_do_not_grow_with_the_technologies():
    _catalogue()
    few = _technology_side_queries()
    for n in range(12):
        make_technology(title=f"Hydrogen tank variant {n}", summary="A hydrogen tank.")
    assert _technology_side_queries() == few
