"""Score propagation (issue 17): a need's candidates gain from their likeness to its best
ones, so a technology that does what the best answers do, for another purpose, is found even
when the need's own words do not reach it."""

import pytest
from django.utils import translation

from listings.models import Technology
from matching import engine, scoring
from matching.options import DEFAULT
from matching.reasons import describe
from matching.representation import recompute_norms
from tests.factories import make_need, make_organization, make_staff, make_technology

METHOD = {"isothermal": 1.0, "amplification": 1.0, "dna": 1.0, "reagent": 1.0}


def _rows(scores):
    return [scoring.ScoredRow(key, score, [], score, "en") for key, score in scores]


def _propagated(options=DEFAULT):
    vectors = {
        "best": dict(METHOD, malaria=1.0),
        "second": dict(METHOD, parasite=1.0),
        "third": {"fever": 1.0, "camp": 1.0},
        "same method": dict(METHOD, shrimp=1.0),
        "unlike": {"solar": 1.0, "fridge": 1.0},
    }
    idfs = {term: 1.0 for vector in vectors.values() for term in vector}
    norms = {key: sum(w * w for w in vector.values()) ** 0.5 for key, vector in vectors.items()}
    rows = _rows(
        [("best", 0.50), ("second", 0.45), ("third", 0.40), ("unlike", 0.32), ("same method", 0.30)]
    )
    cosines = scoring.cosines_with(scoring.best_keys(rows), vectors, idfs, norms)
    scoring.propagate(rows, cosines, options)
    return {r.key: r for r in rows}, [r.key for r in rows]


def test_a_technology_like_the_best_ones_gains_their_likeness():
    rows, order = _propagated()
    assert order.index("same method") < order.index("unlike")
    # its cosine with "best" and with "second" is 4/5 each, with "third" 0: the mean over 3
    assert rows["same method"].near == pytest.approx(DEFAULT.propagation * (0.8 + 0.8) / 3)
    assert rows["same method"].score == pytest.approx(0.30 + rows["same method"].near)
    assert rows["unlike"].near == 0.0
    # one of the best is compared with the other best ones only
    assert rows["best"].near == pytest.approx(DEFAULT.propagation * 0.8 / 3)
    # the reason goes to a candidate its gain moved ahead of another, and to no other
    assert [key for key in order if rows[key].reasons] == ["same method"]
    # naming the best candidate it is most like ("best" and "second" tie: the better one)
    assert rows["same method"].reasons == [scoring.NeighboursReason(like="best")]


def test_propagation_zero_leaves_the_order_as_it_was():
    rows, order = _propagated(DEFAULT.but(propagation=0))
    assert order == ["best", "second", "third", "unlike", "same method"]
    assert all(r.near == 0 and r.score == r.text for r in rows.values())  # text: the score given


def test_a_technologys_own_list_of_needs_is_not_propagated():
    vectors = [dict(METHOD), dict(METHOD, malaria=1.0), {"solar": 1.0}, dict(METHOD, dna=2.0)]
    candidates = {n: scoring.Features(vector=v, fields=["solar"]) for n, v in enumerate(vectors)}
    technology = scoring.Features(vector=dict(METHOD, solar=1.0))
    df = dict.fromkeys([*METHOD, "malaria", "solar"], 2)
    rows = scoring.rank(technology, candidates, df, 10, query_is_need=False)
    assert all(r.near == 0 for r in rows)
    rows = scoring.rank(technology, candidates, df, 10, query_is_need=True)
    assert any(r.near > 0 for r in rows)


def test_the_reason_reads_in_the_pages_language():
    assert describe([scoring.NeighboursReason()], field_names={}) == [
        "Close to this need's best suggestions"
    ]
    with translation.override("ja"):
        assert describe([scoring.NeighboursReason()], field_names={}) == [
            "このニーズの上位の候補技術と内容が近い技術です"
        ]
    stored = scoring.NeighboursReason().as_json()
    assert scoring.reason_from_json(stored) == scoring.NeighboursReason()
    assert scoring.reason_from_json({"kind": "neighbours"}) == scoring.NeighboursReason()


def test_of_best_candidates_equally_like_it_the_reason_names_the_better_one():
    cosines = {"x": {"zeta": 0.5, "alpha": 0.5, "x": 1.0}}
    assert scoring._most_like("x", cosines, ["zeta", "alpha", "x"]) == "zeta"
    assert scoring._most_like("x", {"x": {"x": 1.0}}, ["zeta", "x"]) is None


def test_the_reason_names_the_best_suggestion_it_is_most_like_when_it_is_shown():
    reason = scoring.NeighboursReason(like=7)
    assert scoring.reason_from_json(reason.as_json()) == reason
    title = "Dry-reagent isothermal amplification test for malaria parasites in outreach camps"
    assert describe([reason], field_names={}, titles={7: title}) == [
        "Close to “Dry-reagent isothermal amplification test for malaria…”, "
        "one of this need's best suggestions"
    ]
    with translation.override("ja"):
        assert describe([reason], field_names={}, titles={7: "等温増幅マラリア検査"}) == [
            "上位の候補技術「等温増幅マラリア検査」と内容が近い技術です"
        ]
    # a Japanese title with one space early is cut at its length, not at that space
    japanese = "AI 画像解析による" + "ごみピット火災の早期検知と自動放水システム" * 3
    with translation.override("ja"):
        (text,) = describe([reason], field_names={}, titles={7: japanese})
    assert text == f"上位の候補技術「{japanese[:59]}…」と内容が近い技術です"
    # the one it is like is not on the page (another organisation's, or dismissed)
    assert describe([reason], field_names={}, titles={8: title}) == [
        "Close to this need's best suggestions"
    ]


@pytest.fixture
def malaria_case(db):
    """A need for malaria testing; a test of the same method for shrimp disease, which shares
    few of the need's words; and a cold box that shares more of them."""
    university = make_organization()
    need = make_need(
        title="Malaria testing for fever patients in outreach camps",
        description="Mobile outreach camps need a reliable malaria test for fever patients "
        "without a laboratory.",
        keywords=["malaria", "diagnostic test"],
        fields=("medical-devices",),
    )
    answers_and_others = (
        (
            "Dry-reagent isothermal amplification test for malaria parasites",
            "Loop-mediated isothermal amplification detects Plasmodium DNA from a finger prick "
            "in 40 minutes with dry reagents and a battery heater.",
            "Freeze-dried primers and polymerase amplify parasite DNA at one temperature; the "
            "result is read by colour.",
            ["isothermal amplification", "malaria", "point of care"],
        ),
        (
            "Smartphone microscope counting malaria parasites in blood smears",
            "A clip-on lens and a trained model count parasites in stained smears.",
            "Images of thin smears are classified on the phone.",
            ["malaria", "microscopy"],
        ),
        (
            "Cough sound analysis for screening fever patients",
            "A phone app screens patients from cough and breathing sounds.",
            "Recorded sounds are classified for respiratory disease.",
            ["screening", "fever"],
        ),
    )
    for title, summary, description, keywords in answers_and_others:
        make_technology(
            university,
            title=title,
            summary=summary,
            description=description,
            keywords=keywords,
            fields=("medical-devices",),
        )
    same_method = make_technology(
        university,
        title="Pond-side isothermal DNA test for shrimp disease",
        summary="Loop-mediated isothermal amplification with dry reagents detects the pathogen's "
        "DNA at the pond in 40 minutes with a battery heater; read by colour.",
        description="Freeze-dried primers and polymerase amplify DNA at one temperature "
        "without a laboratory.",
        keywords=["isothermal amplification", "shrimp", "aquaculture"],
        fields=("fisheries", "biotechnology"),
    )
    distractor = make_technology(
        university,
        title="Solar cold boxes for vaccines",
        summary="Solar-powered cold boxes keep vaccines cool far from the grid.",
        description="Phase-change packs and a small solar panel hold 2-8 °C for five days.",
        keywords=["cold chain", "outreach"],
        fields=("medical-devices",),
    )
    recompute_norms()
    return need, same_method, distractor


def test_the_same_method_for_another_purpose_passes_a_word_sharing_distractor(malaria_case):
    need, same_method, distractor = malaria_case

    def order(options):
        return [r.listing_id for r in engine.rank(need, options=options)]

    plain = order(DEFAULT.but(propagation=0))
    assert plain.index(distractor.pk) < plain.index(same_method.pk)
    propagated = engine.rank(need)
    keys = [r.listing_id for r in propagated]
    assert keys.index(same_method.pk) < keys.index(distractor.pk)
    reasons = next(r.reasons for r in propagated if r.listing_id == same_method.pk)
    kinds = [reason.kind for reason in reasons]
    assert kinds[kinds.index("terms") + 1] == "neighbours"  # read after the shared terms
    # it names the malaria test that uses the same method
    like = Technology.objects.get(pk=reasons[kinds.index("neighbours")].like)
    assert like.title.startswith("Dry-reagent isothermal amplification")


def test_the_need_page_names_the_suggestion_a_technology_is_close_to(malaria_case, client):
    from matching.suggestions import rebuild_all

    need, same_method, _distractor = malaria_case
    rebuild_all()
    client.force_login(make_staff())
    page = client.get(need.get_absolute_url()).content.decode()
    assert same_method.title in page
    assert "Close to “Dry-reagent isothermal amplification test for malaria…”" in page
    # the quoted title is the listing's own text: escaped like any other
    Technology.objects.filter(title__startswith="Dry-reagent").update(
        title="Dry-reagent <b>LAMP</b> & test"
    )
    page = client.get(need.get_absolute_url()).content.decode()
    assert "Close to “Dry-reagent &lt;b&gt;LAMP&lt;/b&gt; &amp; test”" in page
    assert "<b>LAMP</b>" not in page


def test_the_cosines_summed_in_sql_equal_those_of_the_full_vectors(malaria_case):
    from matching.models import ListingKind, Representation, Term
    from matching.representation import corpus_size

    need = malaria_case[0]
    rows = [
        scoring.ScoredRow(r.listing_id, r.score, [], r.score, "en")
        for r in engine.rank(need, limit=20, options=DEFAULT.but(propagation=0))
    ]
    n_docs = corpus_size()
    stored = Representation.objects.filter(kind=ListingKind.TECHNOLOGY)
    vectors = {p.listing_id: p.vector for p in stored}
    norms = {p.listing_id: p.norm for p in stored}
    candidates = {key: scoring.Features(norm=norms[key]) for key in vectors}
    idfs = scoring.IdfTable(dict(Term.objects.values_list("text", "df")), n_docs)
    in_sql = engine.cosines_with_best(rows, candidates, n_docs)
    full = scoring.cosines_with(scoring.best_keys(rows), vectors, idfs, norms)
    assert len(rows) > scoring.PROPAGATION_K
    for r in rows:
        expected = {b: c for b, c in full[r.key].items() if c}
        assert in_sql.get(r.key, {}) == pytest.approx(expected, abs=1e-6)
    assert in_sql[rows[0].key][rows[0].key] == pytest.approx(1.0, abs=1e-3)  # itself


def test_a_needs_ranking_runs_as_many_queries_whatever_the_catalogue(malaria_case):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    need = malaria_case[0]

    def queries():
        with CaptureQueriesContext(connection) as context:
            ranked = engine.rank(need, limit=20)
        return len(context), len(ranked)

    small, listed = queries()
    for n in range(12):
        make_technology(
            title=f"Fever screening kiosk variant {n}",
            summary="A kiosk screens fever patients in outreach camps.",
            fields=("medical-devices",),
        )
    recompute_norms()
    large, more = queries()
    assert more > listed > scoring.PROPAGATION_K  # propagation ran both times
    assert large == small


def test_only_the_pool_of_best_candidates_is_compared_with_the_best_ones(malaria_case):
    """``propagation_pool`` bounds how many candidates (the best before propagation) are
    compared with the best few: one outside it gains nothing, in SQL as in the pure path."""
    need, same_method, distractor = malaria_case
    plain = [r.listing_id for r in engine.rank(need, options=DEFAULT.but(propagation=0))]
    at = plain.index(same_method.pk)
    assert at > plain.index(distractor.pk) and at >= scoring.PROPAGATION_K

    def ranked(pool):
        results = engine.rank(need, options=DEFAULT.but(propagation_pool=pool))
        reasons = next(r.reasons for r in results if r.listing_id == same_method.pk)
        return [r.listing_id for r in results], [reason.kind for reason in reasons]

    keys, kinds = ranked(at)  # the pool stops just before it
    assert keys.index(distractor.pk) < keys.index(same_method.pk)
    assert "neighbours" not in kinds
    keys, kinds = ranked(at + 1)  # the pool takes it in
    assert keys.index(same_method.pk) < keys.index(distractor.pk)
    assert "neighbours" in kinds


def test_the_pure_path_bounds_the_pool_as_the_engine_does():
    vectors = [dict(METHOD, malaria=1.0), dict(METHOD), {"fever": 1.0}, {"x": 1.0}, dict(METHOD)]
    candidates = {n: scoring.Features(vector=v) for n, v in enumerate(vectors)}
    need = scoring.Features(vector={"malaria": 1.0, "fever": 0.5, "x": 0.4, "dna": 0.1})
    df = dict.fromkeys([*METHOD, "malaria", "fever", "x"], 2)

    def rank(**options):
        return scoring.rank(need, candidates, df, 10, options=DEFAULT.but(**options))

    last = rank(propagation=0)[-1].key  # the fifth: outside a pool of four
    assert len(candidates) == scoring.PROPAGATION_K + 2
    assert {r.key: r.near for r in rank()}[last] > 0
    assert {r.key: r.near for r in rank(propagation_pool=scoring.PROPAGATION_K + 1)}[last] == 0
