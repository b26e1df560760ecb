"""Hubness reduction (issue 17): a technology that scores well with many needs at once loses,
in every need's ranking, how far its hub value is above the median of that need's candidates;
the hub values are stored with the technologies' own lists, before the needs' lists are
stored."""

import io

import pytest
from django.core.management import call_command

from listings.models import Technology
from matching import engine, scoring, suggestions
from matching.models import ListingKind, Representation
from matching.options import DEFAULT
from tests.test_matching_suggestions_rebuild import _catalogue


def test_a_hub_value_is_the_mean_of_the_best_scores():
    assert scoring.hub_value([0.5, 0.1, 0.4, 0.3, 0.2, 0.6]) == pytest.approx(0.4)  # 6 5 4 3 2
    assert scoring.hub_value([0.5]) == pytest.approx(0.5 / scoring.HUB_K)  # a missing one is 0
    assert scoring.hub_value([0.5, -0.2]) == pytest.approx(0.1)  # none below 0
    assert scoring.hub_value([]) == 0.0


def _row(key, score):
    return scoring.ScoredRow(key, score, [], score, "en")


def test_a_needs_candidates_lose_their_hub_value_above_the_median_and_gain_below():
    candidates = {
        1: scoring.Features(hub=0.1),
        2: scoring.Features(hub=0.2),
        3: scoring.Features(hub=0.4),
    }
    rows = [_row(1, 0.30), _row(2, 0.30), _row(3, 0.35)]
    scoring.take_off_hubs(rows, scoring.Features(), candidates, True, DEFAULT.but(hubness=0.5))
    assert [r.raw for r in rows] == [0.30, 0.30, 0.35]
    assert [round(r.score, 4) for r in rows] == [0.35, 0.30, 0.25]  # median hub 0.2


def test_a_technologys_own_list_and_hubness_zero_are_left_as_they_were():
    candidates = {1: scoring.Features(hub=0.1), 2: scoring.Features(hub=0.4)}
    for query_is_need, options in ((False, DEFAULT), (True, DEFAULT.but(hubness=0))):
        rows = [_row(1, 0.3), _row(2, 0.2)]
        scoring.take_off_hubs(rows, scoring.Features(), candidates, query_is_need, options)
        assert [(r.score, r.raw) for r in rows] == [(0.3, 0.3), (0.2, 0.2)]


def test_a_hub_falls_behind_the_technology_that_answers_the_need():
    # The same text match for both; the hub matches every need about as well.
    need = scoring.Features(vector={"tank": 1.0, "hydrogen": 1.0})
    text = {"tank": 1.0, "hydrogen": 1.0}
    candidates = {
        "specific": scoring.Features(vector=dict(text, liner=1.0), hub=0.15),
        "hub": scoring.Features(vector=dict(text, vessel=1.0), hub=0.45),
    }
    df = {"tank": 2, "hydrogen": 2, "liner": 1, "vessel": 1}
    plain = scoring.rank(need, candidates, df, 3, options=DEFAULT.but(hubness=0))
    assert plain[0].score == pytest.approx(plain[1].score)
    reduced = scoring.rank(need, candidates, df, 3)
    assert [r.key for r in reduced] == ["specific", "hub"]
    assert reduced[0].score - reduced[1].score == pytest.approx(DEFAULT.hubness * 0.30)


@pytest.mark.django_db
def test_the_rebuild_stores_each_technologys_hub_value_before_the_needs_lists():
    _catalogue()
    Representation.objects.filter(kind=ListingKind.TECHNOLOGY).update(hub=0)
    sides = []
    suggestions.rebuild_all(lambda side, done, total: sides.append(side))
    assert sides.index("technologies") < sides.index("needs")
    hubs = dict(
        Representation.objects.filter(kind=ListingKind.TECHNOLOGY).values_list("listing_id", "hub")
    )
    for technology in Technology.objects.published():
        ranked = engine.rank(technology, limit=suggestions.LIST_LENGTH)
        assert hubs[technology.pk] == pytest.approx(
            scoring.hub_value(r.score for r in ranked), abs=1e-4
        )
    assert len(set(hubs.values())) > 1


@pytest.mark.django_db
def test_a_needs_ranking_takes_off_the_stored_hub_values():
    technologies = _catalogue()
    call_command("suggestions_rebuild", stdout=io.StringIO())
    need_list = suggestions.public_listings(True).first()
    ranked = engine.rank(need_list, limit=20, options=DEFAULT.but(propagation=0))
    hubs = dict(
        Representation.objects.filter(kind=ListingKind.TECHNOLOGY).values_list("listing_id", "hub")
    )
    # each loses hubness x (its hub value - one median): what is left is the same for all
    shifts = [r.raw - r.score - DEFAULT.hubness * hubs[r.listing_id] for r in ranked]
    assert max(shifts) - min(shifts) < 3e-4  # scores are rounded to 4 decimals
    assert any(hubs[t.pk] for t in technologies)
