"""Cross-validation of the matching engine: folds, tuned values chosen on training folds only,
label thresholds, and the evaluation command's per-fold report."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from matching.management.commands.evaluate_matching import (
    _language_figures,
    _mix_line,
    _sub_bundle,
    _summarise_draws,
    _summarise_labels,
)
from matching.metrics import Figures, cross_validate, precision_above, threshold_for
from matching.options import DEFAULT, PARTS, Options


def test_a_setting_is_chosen_on_the_training_folds_and_scored_on_the_held_out_fold():
    folds = {"a1": "1", "a2": "1", "b1": "2", "b2": "2"}
    # "x" is perfect on fold 1 only, "y" on fold 2 only: each fold gets the other's choice
    per_setting = {
        "x": {"a1": Figures(1, 1), "a2": Figures(1, 1), "b1": Figures(0, 0), "b2": Figures(0, 0)},
        "y": {"a1": Figures(0, 0), "a2": Figures(0, 0), "b1": Figures(1, 1), "b2": Figures(1, 1)},
    }
    cv = cross_validate(per_setting, folds)
    assert cv.chosen == {"1": "y", "2": "x"}
    assert cv.folds == {"1": Figures(0, 0), "2": Figures(0, 0)}
    assert cv.mean == Figures(0, 0)


def test_mean_and_worst_fold():
    folds = {"a": "1", "b": "2", "c": "2"}
    cv = cross_validate(
        {"only": {"a": Figures(0.9, 0.5), "b": Figures(0.6, 1.0), "c": Figures(0.8, 1.0)}}, folds
    )
    assert cv.mean.ndcg == pytest.approx((0.9 + 0.7) / 2)
    assert cv.worst == Figures(0.7, 0.5)  # worst nDCG (fold 2) and worst recall (fold 1)


def test_label_threshold_is_the_lowest_score_keeping_the_target_precision():
    pairs = [(0.9, 3), (0.8, 2), (0.7, 0), (0.6, 1), (0.5, 0), (0.4, 0), (0.3, 0)]
    assert threshold_for(pairs, 0.75) == 0.6  # 3 of the 4 pairs >= 0.6 are relevant
    assert threshold_for(pairs, 1.0) == 0.8
    assert threshold_for(pairs, 1.0, min_grade=3) == 0.9
    assert precision_above(pairs, 0.6) == (0.75, 4)


def test_options_are_frozen_and_each_part_can_be_switched_off():
    with pytest.raises(AttributeError):
        DEFAULT.calibrate = False  # type: ignore[misc]
    for part in PARTS:
        assert getattr(DEFAULT.without(part), part) is False
        assert getattr(DEFAULT, part) is True
    assert Options().but(field_weight=0.1).field_weight == 0.1


BUNDLE = {
    "organizations": [
        {"key": "o-1", "name": "Uni", "kind": "university", "country": "JP"},
        {"key": "o-2", "name": "Co", "kind": "company", "country": "JP"},
    ],
    "technologies": [
        {
            "key": "t-tank",
            "organization": "o-1",
            "title": "Lightweight hydrogen storage tank",
            "summary": "A composite hydrogen tank for fuel cell vans.",
            "description": "Carbon fibre hydrogen tank.",
            "fields": ["hydrogen-fuel-cells"],
            "keywords": ["hydrogen tank"],
            "trl": 6,
            "ip_status": "granted",
            "offers": ["non_exclusive_licence"],
            "countries": ["JP"],
            "language": "en",
        },
        {
            "key": "t-pump",
            "organization": "o-1",
            "title": "地熱ヒートポンプ",
            "summary": "地中熱を利用するヒートポンプ。",
            "description": "地中熱で冷暖房する。",
            "fields": ["geothermal"],
            "keywords": ["ヒートポンプ"],
            "trl": 6,
            "ip_status": "granted",
            "offers": ["non_exclusive_licence"],
            "countries": ["JP"],
            "language": "ja",
        },
    ],
    "needs": [
        {
            "key": "n-tank",
            "organization": "o-2",
            "title": "Hydrogen tank for vans",
            "description": "We need a light hydrogen tank.",
            "fields": ["hydrogen-fuel-cells"],
            "keywords": ["hydrogen tank"],
            "trl_min": 5,
            "trl_max": 9,
            "countries": ["JP"],
            "partnerships": ["non_exclusive_licence"],
            "language": "en",
        },
        {
            "key": "n-pump",
            "organization": "o-2",
            "title": "Geothermal heat pump",
            "description": "A ground source heat pump for offices.",
            "fields": ["geothermal"],
            "keywords": ["heat pump"],
            "trl_min": 5,
            "trl_max": 9,
            "countries": ["JP"],
            "partnerships": ["non_exclusive_licence"],
            "language": "en",
        },
    ],
    "judgments": {"n-tank": {"t-tank": 3}, "n-pump": {"t-pump": 3}},
}


@pytest.mark.django_db
def test_evaluation_reports_every_fold_the_mean_and_the_worst(tmp_path, capfd):
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(BUNDLE))
    (tmp_path / "dev.folds.json").write_text(json.dumps({"folds": {"n-tank": 1, "n-pump": 2}}))
    call_command("evaluate_matching", str(path), "--search")
    out = capfd.readouterr().out
    assert "mean nDCG@10 1.000 recall@10 1.000; worst fold 1.000 / 1.000" in out
    assert "     1      1    1.000      1.000  default" in out
    assert "     2      1    1.000      1.000  default" in out
    assert "search across languages (first keyword of each need)" in out
    # search's language mix: as typed, "heat pump" finds nothing, "hydrogen tank" its own
    # language; across languages it also finds the Japanese ヒートポンプ (judged relevant)
    typed, across = out.split("search as typed")[1].split("search across languages")
    assert "  languages: en needs (2): nDCG@10 0.500, recall@10 0.500; their top 10s 0.0% " in typed
    assert (
        "  languages: en needs (2): nDCG@10 1.000, recall@10 1.000; their top 10s 50.0% "
        "other-language (catalogue 50.0%), judged relevant 100% of them vs 100% of the same "
        "language's"
    ) in across
    # the labels' thresholds for both sides: a need's list and a technology's list
    sides = out.split("  label thresholds, ")[1:]
    assert [side.split(" (")[0] for side in sides] == [
        "a need's list of technologies",
        "a technology's list of needs",
    ]
    for side in sides:
        assert all(
            f"    {label}: score >= " in side for label in ("strong", "good", "worth a look")
        )
    # and the share judged relevant at the thresholds the pages use, each side its own
    assert "    strong: score >= " in sides[0] and "; at the pages' 0.33: " in sides[0]
    assert "    worth a look: score >= " in sides[1] and "; at the pages' 0.19: " in sides[1]
    assert out.strip().splitlines()[-2].startswith("evaluate_matching: 2 needs in 2 folds")


@pytest.mark.django_db
def test_evaluation_reports_the_languages_of_the_top_10s(tmp_path, capfd):
    """The share of other-language technologies in the top 10s of each language's needs (the
    issue's "42 % of an English need's top 10 are Japanese"), the catalogue's share beside it,
    and how often those and the same-language ones were judged relevant."""
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(BUNDLE))
    (tmp_path / "dev.folds.json").write_text(json.dumps({"folds": {"n-tank": 1, "n-pump": 2}}))
    call_command("evaluate_matching", str(path))
    out = capfd.readouterr().out
    # n-tank's list holds its English tank, n-pump's its Japanese heat pump: one of two is
    # Japanese (as in the catalogue), each judged relevant.
    assert (
        "  languages: en needs (2): nDCG@10 1.000, recall@10 1.000; their top 10s 50.0% "
        "other-language (catalogue 50.0%), judged relevant 100% of them vs 100% of the same "
        "language's\n"
    ) in out


def test_each_language_s_needs_get_their_own_figures():
    """Beside the mix, each language's needs' own mean (every fold together): the issue's
    diagnosis compares English and Japanese needs."""
    figures = {"e1": Figures(1.0, 1.0), "e2": Figures(0.5, 0.0), "j1": Figures(0.2, 0.5)}
    tops = {"e1": ("en", []), "e2": ("en", []), "j1": ("ja", [])}
    by_language = _language_figures(figures, tops)
    assert by_language == {"en": (2, Figures(0.75, 0.5)), "ja": (1, Figures(0.2, 0.5))}
    line = _mix_line(by_language, {"en": (20, 5, 1, 3), "ja": (10, 6, 3, 1)}, {"en": 0.7})
    assert line.startswith("en needs (2): nDCG@10 0.750, recall@10 0.500; their top 10s 25.0%")
    assert "; ja needs (1): nDCG@10 0.200, recall@10 0.500; their top 10s 60.0% " in line


@pytest.mark.django_db
def test_a_variant_of_the_options_is_measured_beside_the_engine(tmp_path, capfd):
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(BUNDLE))
    call_command("evaluate_matching", str(path), "--variant", "field_rarity=0.1,fit=false")
    out = capfd.readouterr().out
    assert "[2/2] field_rarity=0.1,fit=false: mean nDCG@10 1.000" in out
    assert "  folds: 1.000/1.000\n" in out  # every fold of the variant
    assert "| field_rarity=0.1,fit=false | 1.000 | 1.000 | 1.000 | 1.000 |" in out


@pytest.mark.django_db
def test_nested_choice_among_the_engine_and_its_variants(tmp_path, capfd):
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(BUNDLE))
    (tmp_path / "dev.folds.json").write_text(json.dumps({"folds": {"n-tank": 1, "n-pump": 2}}))
    call_command("evaluate_matching", str(path), "--variant", "fields=false", "--nested")
    out = capfd.readouterr().out
    assert "nested choice among 2: mean nDCG@10 1.000 recall@10 1.000" in out
    assert "  fold 1: full engine (default)" in out  # ties go to the first, the engine
    assert "| nested choice | 1.000 | 1.000 | 1.000 | 1.000 |" in out


@pytest.mark.parametrize("variant", ["no_such_option=1", "field_rarity=", "field_rarity=high"])
def test_a_variant_must_name_an_option_and_a_value(tmp_path, variant):
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(BUNDLE))
    with pytest.raises(CommandError, match="--variant"):
        call_command("evaluate_matching", str(path), "--variant", variant)


def test_a_variant_that_rebuilds_is_refused_among_another_database(tmp_path):
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(BUNDLE))
    with pytest.raises(CommandError, match="not with --among"):
        call_command(
            "evaluate_matching", str(path), "--among", "elsewhere", "--variant", "synonyms=false"
        )


@pytest.mark.django_db
def test_a_folds_file_without_every_judged_need_is_refused(tmp_path):
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(BUNDLE))
    folds = tmp_path / "folds.json"
    folds.write_text(json.dumps({"folds": {"n-tank": 1}}))
    with pytest.raises(CommandError, match="gives no fold for n-pump"):
        call_command("evaluate_matching", str(path), "--folds", str(folds))


def test_a_bundle_of_some_folds_keeps_their_needs_and_the_technologies_not_judged_elsewhere():
    """--subsets: a technology judged only for a left-out fold's needs goes with that fold; one
    judged for no need stays (a distractor), and one judged on both sides stays."""
    data = {
        "organizations": [{"key": "o"}],
        "technologies": [{"key": k} for k in ("t-a", "t-b", "t-both", "t-none")],
        "needs": [{"key": "n-1"}, {"key": "n-2"}, {"key": "n-3"}],
        "judgments": {
            "n-1": {"t-a": 3, "t-both": 1},
            "n-2": {"t-b": 2, "t-both": 2},
            "n-3": {"t-a": 1},
        },
    }
    folds = {"n-1": "1", "n-2": "2", "n-3": "3"}
    sub = _sub_bundle(data, folds, ("1", "3"))
    assert [n["key"] for n in sub["needs"]] == ["n-1", "n-3"]
    assert [t["key"] for t in sub["technologies"]] == ["t-a", "t-both", "t-none"]
    assert sub["judgments"] == {"n-1": {"t-a": 3, "t-both": 1}, "n-3": {"t-a": 1}}
    assert sub["organizations"] == data["organizations"]
    assert [t["key"] for t in _sub_bundle(data, folds, ("2",))["technologies"]] == [
        "t-b",
        "t-both",
        "t-none",
    ]


def test_the_summary_over_the_draws_counts_where_the_engine_is_higher():
    draws = [
        {
            "full engine": {"mean": [0.9, 1.0], "worst": [0.8, 0.9]},
            "hubness=0": {"mean": [0.8, 1.0], "worst": [0.7, 0.9]},
        },
        {
            "full engine": {"mean": [0.7, 0.8], "worst": [0.6, 0.5]},
            "hubness=0": {"mean": [0.75, 0.6], "worst": [0.7, 0.5]},
        },
    ]
    engine, variant = _summarise_draws(draws)
    assert engine == (
        "full engine: mean 0.800 / 0.900, worst fold 0.700 / 0.700, lowest bundle 0.700 / 0.800"
    )
    assert variant.startswith("hubness=0: mean 0.775 / 0.800, worst fold 0.700 / 0.700, ")
    assert variant.endswith("; the engine higher in 1/2 (nDCG@10), 1/2 (recall@10)")


def test_the_labels_are_checked_over_the_draws_against_their_targets():
    side = "a need's list of technologies"
    pairs = [[[0.5, 3], [0.4, 0], [0.2, 1]], [[0.45, 2], [0.3, 0], [0.1, 0]]]
    checks = [
        {
            side: {
                "shares": {"strong": [7, 10], "good": [5, 10], "worth a look": [1, 10]},
                "pairs": pairs[0],
            }
        },
        {
            side: {
                "shares": {"strong": [3, 10], "good": [0, 0], "worth a look": [3, 10]},
                "pairs": pairs[1],
            }
        },
    ]
    strong, good, worth = _summarise_labels(checks)
    # pooled: 0.5 (3), 0.45 (2), 0.4 (0), 0.3 (0), 0.2 (1), 0.1 (0)
    assert strong == (
        "a need's list of technologies, strong (70% grade >= 2): 50% of 20; short of it in "
        "1/2 bundles (lowest 30.0%); kept from 0.450 in all of them"
    )
    # none suggested in a draw is not short; 3 of 6 relevant down to 0.1 keeps 50 %
    assert good.endswith("50% of 10; short of it in 0/2 bundles; kept from 0.100 in all of them")
    assert worth.endswith(
        "20% of 20; short of it in 1/2 bundles (lowest 10.0%); kept from 0.100 in all of them"
    )


@pytest.mark.django_db
def test_subsets_measure_every_bundle_of_k_folds_in_its_own_database(tmp_path, capfd):
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(BUNDLE))
    (tmp_path / "dev.folds.json").write_text(json.dumps({"folds": {"n-tank": 1, "n-pump": 2}}))
    call_command("evaluate_matching", str(path), "--subsets", "1", "--variant", "fields=false")
    out = capfd.readouterr().out
    # each fold alone: its need and its judged technology (the other fold's goes with it)
    assert "[1/2] folds 1: 1 needs, 1 technologies; full engine 1.000 / 1.000; fields=false " in out
    assert "[2/2] folds 2: 1 needs, 1 technologies; " in out
    assert "over 2 bundles of 1 folds:" in out
    assert "  fields=false: mean 1.000 / 1.000, " in out
    assert "the engine higher in 0/2 (nDCG@10), 0/2 (recall@10)" in out
    assert "  a technology's list of needs, worth a look (25% grade >= 1): " in out
    assert "evaluate_matching --subsets 1: 2 bundles, the engine's mean nDCG@10 1.000" in out


def test_subsets_refuse_json_rankings(tmp_path):
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(BUNDLE))
    (tmp_path / "dev.folds.json").write_text(json.dumps({"folds": {"n-tank": 1, "n-pump": 2}}))
    with pytest.raises(CommandError, match="not with --json"):
        call_command(
            "evaluate_matching", str(path), "--subsets", "1", "--json", str(tmp_path / "r.json")
        )


@pytest.mark.parametrize("size", ["0", "2"])
def test_subsets_need_more_folds_than_k(tmp_path, size):
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(BUNDLE))
    (tmp_path / "dev.folds.json").write_text(json.dumps({"folds": {"n-tank": 1, "n-pump": 2}}))
    with pytest.raises(CommandError, match="more than K folds"):
        call_command("evaluate_matching", str(path), "--subsets", size)


def test_the_throwaway_database_is_reached_on_the_embedded_servers_socket():
    # dj_database_url puts a URL's ?host= (the embedded server's socket folder) in OPTIONS
    from matching.management.commands.evaluate_matching import _url

    embedded = {
        "NAME": "portal",
        "HOST": "",
        "USER": "postgres",
        "OPTIONS": {"host": "/srv/.pgdata"},
    }
    assert (
        _url(embedded, "portal_eval_x") == "postgresql://postgres@/portal_eval_x?host=/srv/.pgdata"
    )
    networked = {"NAME": "portal", "HOST": "127.0.0.1", "PORT": 5432, "USER": "postgres"}
    assert _url(networked, "portal_eval_x") == "postgresql://postgres@127.0.0.1:5432/portal_eval_x"


@pytest.mark.django_db
def test_a_technologys_labels_count_needs_outside_the_judgments_as_not_relevant(tmp_path, capfd):
    """Among generated needs (--among) a technology's top 10 holds needs no one judged: they
    count as not relevant in the thresholds, and belong to no fold."""
    bundle = json.loads(json.dumps(BUNDLE))
    extra = dict(bundle["needs"][0], key="n-extra", title="Hydrogen tank for trucks")
    bundle["needs"].append(extra)
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(bundle))
    (tmp_path / "dev.folds.json").write_text(json.dumps({"folds": {"n-tank": 1, "n-pump": 2}}))
    call_command("evaluate_matching", str(path))
    side = capfd.readouterr().out.split("label thresholds, a technology's list of needs")[1]
    lines = {line.split(":")[0].strip(): line for line in side.splitlines()[1:4]}
    assert set(lines) == {"strong", "good", "worth a look"}
    # each fold holds out its own need's pair only: n-extra's belongs to none
    assert "held out: 1.00/1 1.00/1; at the pages' 0.24: " in lines["good"]


def test_pairs_of_no_fold_count_as_not_relevant_in_every_training_set():
    """``outside`` (generated needs, judged by no one): in each training set and in the
    all-fold threshold, never held out."""
    import io

    from matching.management.commands.evaluate_matching import Command

    pairs = {"a": [(0.5, 1)], "b": [(0.4, 1)]}
    outside = [(0.45, 0), (0.44, 0), (0.43, 0)]

    def good_line(outside):
        command = Command(stdout=io.StringIO())
        command.print_labels(pairs, {"a": 1, "b": 2}, "a side", outside)
        return next(line for line in command.stdout.getvalue().splitlines() if "good:" in line)

    # 50 % judged relevant holds down to 0.45 (1 of 2) with them, to 0.4 (2 of 2) without
    assert "good: score >= 0.400" in good_line(())
    assert "good: score >= 0.450" in good_line(outside)
    # held out, "a" is judged against "b" and the outside ones (no score holds 50 % there)
    assert "held out: 0.00/0 0.00/0; at the pages' " in good_line(outside)
