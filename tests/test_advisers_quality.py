"""The listing-quality check: its rules on small cases, in English and Japanese, and where the
owner and moderators see it."""

import pytest
from django.urls import reverse
from django.utils import translation

from advisers.quality import RULES, Facts, assess, with_revision
from listings.lifecycle import Status
from listings.models import Patent
from tests.factories import make_staff, make_technology

COMPLETE = Facts(
    ip_status="granted",
    patent_count=1,
    trl=6,
    description="Applications: battery electrodes and sensors.",
    benefits="Sinters at 150 °C, 40 % less energy than the current process.",
    keywords=("perovskite", "thin film", "solar"),
    image_count=2,
    has_brochure=True,
    contact_name="Aoi Sato",
    contact_email="tlo@example.ac.jp",
)


def codes(quality):
    return [rule.code for rule in quality.fixes]


def test_a_complete_listing_scores_100_with_nothing_to_fix():
    quality = assess(COMPLETE)
    assert quality.score == 100
    assert quality.fixes == []


def test_an_empty_listing_scores_0_and_lists_every_fix_heaviest_first():
    quality = assess(Facts())
    assert quality.score == 0
    assert set(codes(quality)) == set(RULES)
    weights = [rule.weight for rule in quality.fixes]
    assert weights == sorted(weights, reverse=True)


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({"patent_count": 0}, "ip"),
        ({"ip_status": "pending", "patent_count": 0}, "ip"),
        ({"benefits": "Much cheaper and better than sintering."}, "benefit"),
        ({"benefits": ""}, "benefit"),
        ({"description": "A new ink.", "benefits": "30 % cheaper."}, "applications"),
        ({"keywords": ("ink", "film")}, "keywords"),
        ({"image_count": 0}, "images"),
        ({"has_brochure": False}, "brochure"),
        ({"contact_email": ""}, "contact"),
        ({"trl": None}, "trl"),
    ],
)
def test_each_rule_finds_what_is_missing(changes, missing):
    from dataclasses import replace

    quality = assess(replace(COMPLETE, **changes))
    assert codes(quality) == [missing]
    assert quality.score == 100 - round(100 * RULES[missing].weight / 100)


def test_know_how_needs_no_patent_numbers():
    from dataclasses import replace

    assert "ip" not in codes(assess(replace(COMPLETE, ip_status="know_how", patent_count=0)))


def test_japanese_listing_text_counts_figures_and_applications():
    from dataclasses import replace

    facts = replace(
        COMPLETE,
        description="本技術の用途：二次電池の電極、センサー。",
        benefits="従来法に比べ焼成エネルギーを３割削減（１５０℃で焼成）。",
    )
    assert codes(assess(facts)) == []
    vague = replace(facts, benefits="従来法より大幅に省エネです。", description="新しいインク。")
    assert codes(assess(vague)) == ["benefit", "applications"]


def test_fixes_read_in_the_page_language():
    quality = assess(Facts(ip_status="granted", trl=5))
    with translation.override("en"):
        english = [str(rule.fix) for rule in quality.fixes]
        assert any("patent or application numbers" in text for text in english)
    with translation.override("ja"):
        japanese = [str(rule.fix) for rule in quality.fixes]
        assert japanese != english
        assert any("特許" in text for text in japanese)
        assert all(str(rule.label) for rule in quality.fixes)


def test_a_revision_changes_the_score_as_the_edit_would():
    from dataclasses import replace

    before = replace(COMPLETE, benefits="Better than sintering.")
    after = with_revision(before, {"benefits": "40 % less energy than sintering.", "trl": "6"})
    assert assess(before).score < assess(after).score == 100


@pytest.mark.django_db
def test_owner_sees_the_check_on_the_edit_page(client):
    from tests.factories import make_user

    technology = make_technology(status=Status.DRAFT, benefits="")
    member = make_user(organization=technology.organization)
    client.force_login(member)
    page = client.get(reverse("listings:technology_edit", args=[technology.pk])).content.decode()
    assert "Listing quality" in page
    assert "Quantify the benefit over the current solution" in page
    assert "Add the patent or application numbers" in page
    Patent.objects.create(technology=technology, number="JP2024-1", office="JP", status="pending")
    page = client.get(reverse("listings:technology_edit", args=[technology.pk])).content.decode()
    assert "Add the patent or application numbers" not in page


@pytest.mark.django_db
def test_moderator_sees_the_check_on_the_review_page_in_japanese(client):
    technology = make_technology(status=Status.SUBMITTED)
    client.force_login(make_staff())
    client.cookies["django_language"] = "ja"
    response = client.get(
        reverse("listings:review", args=["technology", technology.pk]), HTTP_ACCEPT_LANGUAGE="ja"
    )
    page = response.content.decode()
    with translation.override("ja"):
        assert str(RULES["brochure"].fix) in page
        assert (
            str(RULES["brochure"].fix) != "Attach a brochure (PDF) a licensing manager can share."
        )


@pytest.mark.django_db
def test_the_review_page_of_a_need_has_no_technology_check(client):
    from tests.factories import make_need

    need = make_need(status=Status.SUBMITTED)
    client.force_login(make_staff())
    page = client.get(reverse("listings:review", args=["need", need.pk])).content.decode()
    assert "Listing quality" not in page
