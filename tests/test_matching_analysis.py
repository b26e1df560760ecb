"""Unit tests of the matching core (pure Python, no Django database)."""

from collections import Counter

import pytest

from matching import scoring
from matching.options import DEFAULT
from matching.text import analyse, detect_language, dictionary, document_vector, japanese

PARENTS = {
    "sensors-iot": "ict",
    "ai-data": "ict",
    "ict": None,
    "processes": "manufacturing",
    "manufacturing": None,
    "water-treatment": "water",
    "water": None,
}


def _features(item, lang):
    parts = {k: item.get(k) for k in ("title", "summary", "description", "benefits", "keywords")}
    return scoring.features_of(dict(item, language=lang), document_vector(parts, lang), PARENTS)


def _rank(need, techs):
    reprs = [need] + list(techs.values())
    df = Counter()
    for r in reprs:
        df.update(r.vector.keys())
    n = len(reprs)
    for r in reprs:
        r.norm = scoring.vector_norm(r.vector, df, n)
    return [row.key for row in scoring.rank(need, techs, df, n)], df, n


def test_detect_language():
    assert detect_language("転がり軸受の余寿命推定") == "ja"
    assert detect_language("Rolling bearing life estimation with AI") == "en"


def test_katakana_words_map_to_english_through_the_dictionary_only():
    # フィルタ is a headword (also spelt フィルター): its English gloss is the term
    assert "filter" in analyse("フィルタ", "ja")
    assert "filter" in analyse("フィルター", "ja")
    # no consonant skeletons (``~krmn``) any more, on either side: they did not earn their
    # place by cross-validation (docs/matching.md)
    ja = document_vector({"title": "カルマンフィルタによるザクロマイシンの合成"}, "ja")
    en = document_vector({"title": "Kalman filter for the synthesis of zakuromycins"}, "en")
    assert not [t for t in [*ja, *en] if t.startswith("~")]
    assert "filter" in ja and "filter" in en


def test_compound_split_into_dictionary_parts():
    terms = analyse("転がり軸受の余寿命", "ja")
    assert "roll" in terms and "bear" in terms  # 転がり軸受 is not a JMdict headword


def test_cross_language_match_beats_shared_word_distractor():
    need = _features(
        {
            "title": "Predicting rolling bearing failure in machine tool spindles",
            "description": "We want an early warning and the remaining life of the bearings.",
            "keywords": ["bearing", "remaining life"],
            "fields": ["processes"],
        },
        "en",
    )
    techs = {
        "ja-match": _features(
            {
                "title": "転がり軸受の余寿命推定技術",
                "summary": "振動センサの信号から転がり軸受の劣化と残り寿命を推定する。",
                "keywords": ["転がり軸受", "余寿命推定"],
                "fields": ["processes"],
            },
            "ja",
        ),
        "distractor": _features(
            {
                "title": "Early warning sirens for factories",
                "summary": "A loud siren gives an early warning of gas leaks.",
                "keywords": ["warning", "siren"],
                "fields": ["processes"],
            },
            "en",
        ),
    }
    for i in range(20):  # background documents in both languages so df/idf are meaningful
        techs[f"bg-en-{i}"] = _features(
            {
                "title": f"Solar panel cleaning robot model {i}",
                "summary": "Cleans photovoltaic panels with water.",
            },
            "en",
        )
        techs[f"bg-ja-{i}"] = _features(
            {"title": "太陽光パネルの清掃ロボット", "summary": "水で太陽電池パネルを洗浄する。"},
            "ja",
        )
    ranked, _, _ = _rank(need, techs)
    assert ranked.index("ja-match") < ranked.index("distractor")


def test_synonym_only_match_beats_shared_word_distractor():
    need = _features(
        {
            "title": "Treating wastewater from a sake brewery",
            "description": "Rice washing water with high organic load.",
            "fields": ["water-treatment"],
        },
        "en",
    )
    techs = {
        "synonym": _features(
            {
                "title": "排水処理のための嫌気性リアクター",
                "summary": "食品工場の高濃度排水を処理する。",
                "fields": ["water-treatment"],
            },
            "ja",
        ),
        "distractor": _features(
            {
                "title": "Rice cooker with washing function",
                "summary": "A rice cooker that also washes the rice.",
                "fields": ["processes"],
            },
            "en",
        ),
    }
    ranked, _, _ = _rank(need, techs)
    assert ranked.index("synonym") < ranked.index("distractor")


def _pair(trl=7, offers=("non_exclusive_licence",), countries=("JP",)):
    need = scoring.Features(
        vector={"x": 1.0},
        trl_min=6,
        trl_max=8,
        countries=["JP"],
        partnerships=["non_exclusive_licence"],
    )
    tech = scoring.Features(
        vector={"x": 1.0}, trl=trl, offers=list(offers), countries=list(countries)
    )
    return scoring.score(need, tech, {"x": 1}, 10)


def test_trl_fit_moves_score_as_documented():
    within, _ = _pair(trl=7)
    below1, reasons = _pair(trl=5)
    below3, _ = _pair(trl=3)
    above, _ = _pair(trl=9)
    assert below1 == pytest.approx(within - scoring.W_TRL / 3)
    assert below3 == pytest.approx(within - scoring.W_TRL)
    assert above == pytest.approx(within - 0.5 * scoring.W_TRL / 3)
    assert scoring.TrlReason("below", 5, 6, 8) in reasons
    assert {"kind": "trl", "fit": "below", "trl": 5, "range": [6, 8]} in [
        r.as_json() for r in reasons
    ]  # the stored form (Match.reasons) is unchanged


def test_country_and_partnership_fit_move_score_as_documented():
    base, _ = _pair()
    other_country, reasons = _pair(countries=("DE",))
    other_offer, _ = _pair(offers=("assignment",))
    assert other_country == pytest.approx(base - scoring.W_COUNTRY)
    assert other_offer == pytest.approx(base - scoring.W_PARTNER)
    assert scoring.CountryReason([]) in reasons
    assert {"kind": "country", "common": []} in [r.as_json() for r in reasons]


def test_field_overlap_sub_field_counts_more_than_group():
    a = scoring.Features(fields=["sensors-iot"], groups=["ict"])
    same = scoring.Features(fields=["sensors-iot"], groups=["ict"])
    group = scoring.Features(fields=["ai-data"], groups=["ict"])
    none = scoring.Features(fields=["water-treatment"], groups=["water"])
    assert scoring.field_overlap(a, same)[0] == 1.0
    assert scoring.field_overlap(a, group)[0] == scoring.GROUP_CREDIT
    assert scoring.field_overlap(a, none)[0] == 0.0


def test_field_rarity_weighs_a_field_most_candidates_hold_less():
    common = scoring.Features(fields=["sensors-iot"], groups=["ict"])
    rare = scoring.Features(fields=["water-treatment"], groups=["water"])
    candidates = [common] * 9 + [rare]

    weights = scoring.field_rarity(candidates, share=0.2)

    assert weights["water-treatment"] == weights["water"] == 1.0  # held by 10 %: full credit
    assert 0 < weights["sensors-iot"] < 0.1  # held by 90 %
    assert weights["ict"] == weights["sensors-iot"]
    assert scoring.field_rarity(candidates, share=0.0) == {}  # switched off


def test_field_overlap_credits_a_shared_field_by_its_rarity():
    need = scoring.Features(fields=["sensors-iot"], groups=["ict"])
    same = scoring.Features(fields=["sensors-iot"], groups=["ict"])
    group = scoring.Features(fields=["ai-data"], groups=["ict"])
    rarity = {"sensors-iot": 0.25, "ict": 0.5}

    assert scoring.field_overlap(need, same, rarity)[0] == 0.25
    assert scoring.field_overlap(need, group, rarity)[0] == scoring.GROUP_CREDIT * 0.5
    assert scoring.field_overlap(need, same, {})[0] == 1.0


def test_field_rarity_changes_nothing_when_few_candidates_share_the_field():
    need = scoring.Features(fields=["sensors-iot"], groups=["ict"], vector={"sensor": 1.0})
    candidates = {
        i: scoring.Features(fields=[f], groups=[g], vector={"sensor": 1.0, f"w{i}": 1.0})
        for i, (f, g) in enumerate(
            [("sensors-iot", "ict")]
            + [("water-treatment", "water")] * 4
            + [("processes", "manufacturing")] * 5
        )
    }
    df = {"sensor": 10, **{f"w{i}": 1 for i in range(10)}}
    plain = scoring.rank(need, candidates, df, 11)
    rare = scoring.rank(need, candidates, df, 11, options=DEFAULT.but(field_rarity=0.2))
    assert [(r.key, r.score) for r in rare] == [(r.key, r.score) for r in plain]

    crowded = {**candidates, **{10 + i: candidates[0] for i in range(8)}}
    plain = {r.key: r.score for r in scoring.rank(need, crowded, df, 19)}
    rare = {
        r.key: r.score
        for r in scoring.rank(need, crowded, df, 19, options=DEFAULT.but(field_rarity=0.2))
    }
    assert rare[0] < plain[0]  # its sub-field is held by 9 of 18 candidates
    assert rare[1] == plain[1]


def test_reasons_are_structured_and_score_symmetric_in_text():
    need = _features(
        {"title": "Bearing life estimation", "fields": ["processes"], "trl_min": 5, "trl_max": 8},
        "en",
    )
    tech = _features({"title": "軸受の寿命推定", "fields": ["processes"], "trl": 6}, "ja")
    df = Counter(need.vector) + Counter(tech.vector)
    df = {t: 1 for t in df}
    s, reasons = scoring.score(need, tech, df, 2)
    kinds = [type(r) for r in reasons]
    assert kinds[:2] == [scoring.FieldsReason, scoring.TermsReason]
    assert scoring.TrlReason in kinds
    assert "bear" in reasons[1].terms
    t1, _ = scoring.text_score(need, tech, df, 2)
    t2, _ = scoring.text_score(tech, need, df, 2)
    assert t1 == pytest.approx(t2)


def test_near_synonyms_are_added_at_low_weight_when_the_vector_is_built():
    table = dictionary.synonyms()
    assert "evalu" in table["estim"]  # estimation / evaluation share JMdict entries
    vector = document_vector({"title": "Estimation of bearing life"}, "en")
    assert "evalu" not in analyse("Estimation of bearing life", "en")  # document level only
    assert 0 < vector["evalu"] < 0.5 * vector["estim"]
    plain = document_vector(
        {"title": "Estimation of bearing life"}, "en", DEFAULT.without("synonyms")
    )
    assert "evalu" not in plain
    assert plain["estim"] == vector["estim"]  # the document's own terms are unchanged


def test_parts_of_a_known_compound_count_less_than_the_compound():
    terms = analyse("省エネルギー", "ja")  # energy conservation; 省 alone: ministry
    assert terms["conserv"] == pytest.approx(1.0)
    assert terms["ministri"] == pytest.approx(japanese.COVERED_W)
    unknown = analyse("転がり軸受", "ja")  # not a headword: its parts keep full weight
    assert unknown["bear"] == pytest.approx(1.0)


def test_a_words_alternatives_can_be_bounded_and_its_first_gloss_keeps_its_weight():
    plain = analyse("乾燥", "ja", DEFAULT.but(gloss_alternatives=0))  # no bound
    # 乾燥: dryness; also arid, dry (0.4), insipid (0.3)
    assert plain["arid"] == pytest.approx(dictionary.OTHER_PRIMARY_W)
    bounded = analyse("乾燥", "ja")  # the default: alternatives bounded to 0.1
    assert DEFAULT.gloss_alternatives == 0.1
    assert bounded["dryness"] == pytest.approx(plain["dryness"])
    assert sum(w for t, w in bounded.items() if t != "dryness") == pytest.approx(0.1)
    assert bounded["arid"] / bounded["insipid"] == pytest.approx(plain["arid"] / plain["insipid"])
    parts = analyse("省エネルギー", "ja", DEFAULT.but(gloss_alternatives=0.1))  # 省: a part
    assert parts["ministri"] == pytest.approx(japanese.COVERED_W)  # a part's first gloss


@pytest.mark.django_db
def test_matching_rebuild_recomputes_every_representation():
    from io import StringIO

    from django.core.management import call_command

    from matching.models import Representation
    from tests.factories import make_need, make_organization, make_technology

    tech = make_technology(make_organization(), title="Corrosion estimation for steel")
    need = make_need(title="Estimating rust on bridges")
    Representation.objects.all().update(vector={})
    out = StringIO()
    call_command("matching_rebuild", "--workers", "1", stdout=out)
    vectors = {(p.kind, p.listing_id): p.vector for p in Representation.objects.all()}
    tech_vector, need_vector = vectors[(1, tech.pk)], vectors[(2, need.pk)]
    assert "corros" in tech_vector and "evalu" in tech_vector  # synonym of estim
    assert "rust" in need_vector
    assert out.getvalue().strip().splitlines()[-1].startswith("Rebuilt 1 technology")


@pytest.mark.django_db(transaction=True)  # VACUUM runs outside a transaction only
def test_a_full_rebuild_reuses_the_space_of_the_rows_it_replaces():
    """A full rebuild deletes a kind's rows and loads them again: the load must reuse the
    deleted rows' space, or each rebuild leaves the tables larger (docs/matching.md,
    *Operations*)."""
    import random
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    from tests.factories import make_organization, make_technology

    rng = random.Random(5)
    words = [f"{a}{b}" for a in ("ther", "sol", "hydr", "cat", "pol", "nan") for b in "aeiou"]
    organization = make_organization()
    for n in range(60):
        text = " ".join(rng.choice(words) + rng.choice("lmnprst") for _ in range(120))
        make_technology(organization, title=f"Technology {n}", description=text)

    def sizes():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_relation_size('matching_posting'), pg_relation_size('matching_profile')"
            )
            return cursor.fetchone()

    def rebuild():
        call_command(
            "matching_rebuild", "--workers", "1", "--kind", "technology", stdout=StringIO()
        )

    rebuild()
    first = sizes()
    assert first[0] > 8 * 8192  # enough rows for a doubling to show
    rebuild()
    rebuild()
    posting, profile = sizes()
    assert posting <= first[0] * 1.1 and profile <= first[1] * 1.1, (first, (posting, profile))


@pytest.mark.django_db
def test_a_full_rebuild_that_fails_before_its_load_puts_the_postings_key_back(monkeypatch):
    from django.db import connection

    from matching import bulk
    from matching.models import ListingKind

    def cancelled(*tables):
        raise RuntimeError("canceling statement due to user request")

    monkeypatch.setattr(bulk, "_reclaim", cancelled)
    with pytest.raises(RuntimeError):
        bulk.rebuild(ListingKind.TECHNOLOGY, workers=1)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_constraint WHERE conname = 'matching_posting_pkey' AND contype = 'p'"
        )
        assert cursor.fetchone() == (1,)


@pytest.mark.django_db
def test_representation_rename_leaves_the_database_as_it_was():
    """Profile was renamed Representation in the code only: the migration emits no SQL."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("sqlmigrate", "matching", "0003", stdout=out)
    statements = [line for line in out.getvalue().splitlines() if not line.startswith("--")]
    assert statements == ["BEGIN;", "COMMIT;"]
