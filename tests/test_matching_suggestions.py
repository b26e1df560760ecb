"""Suggestions people trust: a minimum relevance, labels in words, reasons in human words."""

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Membership
from matching import engine, labels, selectors, text
from matching.reasons import describe, matched_words
from matching.scoring import FieldsReason, TermsReason
from tests.factories import make_need, make_organization, make_technology, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("score", "strength"),
    [
        (labels.STRONG + 0.01, "strong"),
        (labels.STRONG, "strong"),
        (labels.GOOD, "good"),
        (labels.STRONG - 0.01, "good"),
        (labels.MINIMUM, "worth"),
        (labels.MINIMUM - 0.01, None),
        (0.0, None),
        (-0.06, None),
    ],
)
def test_labels_follow_the_calibrated_thresholds(score, strength):
    assert labels.strength(score, for_need=True) == strength


@pytest.mark.parametrize(
    ("score", "strength"),
    [
        (labels.TECHNOLOGY_STRONG, "strong"),
        (labels.TECHNOLOGY_STRONG - 0.01, "good"),
        (labels.TECHNOLOGY_GOOD, "good"),
        (labels.TECHNOLOGY_GOOD - 0.01, "worth"),
        (labels.TECHNOLOGY_MINIMUM, "worth"),
        (labels.TECHNOLOGY_MINIMUM - 0.01, None),
        (0.0, None),
    ],
)
def test_a_technologys_list_of_needs_has_its_own_thresholds(score, strength):
    assert labels.strength(score, for_need=False) == strength


def test_thresholds_are_ordered_and_positive():
    assert 0 < labels.MINIMUM < labels.GOOD < labels.STRONG
    assert 0 < labels.TECHNOLOGY_MINIMUM < labels.TECHNOLOGY_GOOD < labels.TECHNOLOGY_STRONG


def test_the_same_score_reads_by_the_thresholds_of_the_pages_side(client):
    """A technology's list of needs is labelled by its own calibration: its scores run lower
    than a need's list's for the same pair (no hub value taken off, no propagation)."""
    from matching.models import Suggestion as Stored
    from tests.factories import make_staff

    _buyer, need, technology = _hydrogen_pair()
    client.force_login(make_staff())
    between = (labels.TECHNOLOGY_GOOD + labels.GOOD) / 2
    Stored.objects.for_needs([need.pk]).update(score=between)
    Stored.objects.for_technologies([technology.pk]).update(score=between)
    need_page = client.get(need.get_absolute_url()).content.decode()
    technology_page = client.get(technology.get_absolute_url()).content.decode()
    assert "worth a look" in need_page and "good match" not in need_page
    assert "good match" in technology_page and "worth a look" not in technology_page
    # below the technology side's minimum (stored before a recalibration): not listed there
    low = (labels.MINIMUM + labels.TECHNOLOGY_MINIMUM) / 2
    Stored.objects.for_technologies([technology.pk]).update(score=low)
    Stored.objects.for_needs([need.pk]).update(score=low)
    assert [s.listing for s in selectors.suggested_needs(technology)] == []
    assert [s.listing for s in selectors.suggested_technologies(need)] == [technology]


def _buyer_and_need(**need):
    company = make_organization(type="company")
    buyer = make_user(organization=company, role=Membership.Role.ADMIN)
    return buyer, make_need(company, author=buyer, **need)


def _hydrogen_pair(*, same_organization=False):
    """A company's need and a technology that matches it strongly."""
    buyer, need = _buyer_and_need(
        title="Hydrogen storage tank for fuel cell vans",
        description="We need a light hydrogen storage tank for fuel cell vans.",
        fields=("hydrogen-fuel-cells",),
    )
    technology = make_technology(
        need.organization if same_organization else None,
        title="Lightweight hydrogen storage tank",
        summary="A composite hydrogen storage tank for fuel cell vehicles.",
        fields=("hydrogen-fuel-cells",),
    )
    return buyer, need, technology


def test_an_unrelated_technology_is_not_suggested_and_the_page_says_so(client):
    buyer, need = _buyer_and_need(
        title="Hydrogen storage tank for fuel cell vans",
        description="A light hydrogen tank.",
        fields=("hydrogen-fuel-cells",),
    )
    # one passing word in common, another field: the engine ranks it, below the minimum
    weak = make_technology(
        title="Rice husk gasifier for village power",
        summary="Gasifies rice husk; the gas is stored in a small tank.",
        fields=("crop-production",),
    )
    (ranked,) = engine.rank(need)
    assert ranked.listing_id == weak.pk and ranked.score < labels.MINIMUM
    assert selectors.suggested_technologies(need) == []
    client.force_login(buyer)
    page = client.get(need.get_absolute_url()).content.decode()
    assert "Rice husk gasifier" not in page
    assert "Nothing matches this listing well enough yet" in page


def test_a_good_match_shows_a_label_not_a_number(client):
    buyer, need = _buyer_and_need(
        title="Hydrogen storage tank for fuel cell vans",
        description="We need a light hydrogen storage tank for fuel cell vans.",
        keywords=["hydrogen tank"],
        fields=("hydrogen-fuel-cells",),
    )
    technology = make_technology(
        title="Lightweight hydrogen storage tank",
        summary="A composite hydrogen storage tank for fuel cell vehicles.",
        keywords=["hydrogen tank"],
        fields=("hydrogen-fuel-cells",),
    )
    (suggestion,) = selectors.suggested_technologies(need)
    assert suggestion.listing == technology and suggestion.strength == "strong"
    client.force_login(buyer)
    page = client.get(need.get_absolute_url()).content.decode()
    assert "strong match" in page
    assert f"{suggestion.score:.2f}" not in page


def test_japanese_page_shows_labels_in_japanese(client):
    buyer, need = _buyer_and_need(
        title="Hydrogen storage tank for fuel cell vans",
        description="We need a light hydrogen storage tank for fuel cell vans.",
        fields=("hydrogen-fuel-cells",),
    )
    make_technology(
        title="Lightweight hydrogen storage tank",
        summary="A composite hydrogen storage tank for fuel cell vehicles.",
        fields=("hydrogen-fuel-cells",),
    )
    client.force_login(buyer)
    client.cookies["django_language"] = "ja"
    page = client.get(need.get_absolute_url()).content.decode()
    with translation.override("ja"):
        assert str(labels.LABELS["strong"]) in page
        assert str(labels.LABELS["strong"]) != "strong match"


ENGLISH_NEED = (
    "A coating that keeps steel bridges from rusting; corrosion protection for twenty years.",
    "en",
)
JAPANESE_TECHNOLOGY = ("鋼橋の腐食を防ぐ防錆塗料。錆の発生を抑える。", "ja")


def test_shared_terms_are_shown_as_the_listings_words_not_stems():
    terms = [text.stem("corrosion"), text.stem("rusting")]
    english_tech = ("Corrosion protection against rust for steel.", "en")
    with translation.override("en"):
        words = matched_words(terms, [ENGLISH_NEED, english_tech])
    assert words == ["corrosion", "rust"]
    assert "corros" not in words


def test_english_page_shows_the_english_listings_word_for_a_japanese_match():
    terms = [text.stem("corrosion")]
    with translation.override("en"):
        assert matched_words(terms, [ENGLISH_NEED, JAPANESE_TECHNOLOGY]) == ["corrosion"]


def test_japanese_page_shows_the_japanese_listings_own_term():
    terms = [text.stem("corrosion")]
    with translation.override("ja"):
        assert matched_words(terms, [ENGLISH_NEED, JAPANESE_TECHNOLOGY]) == ["腐食"]
        reasons = describe([TermsReason(terms)], {}, [ENGLISH_NEED, JAPANESE_TECHNOLOGY])
    assert reasons and "腐食" in reasons[0] and "corros" not in reasons[0]


def test_dictionary_noise_is_not_shown_as_a_shared_term():
    # "shrewd" reaches the English side only as a near-synonym, never as its own word
    noise = text.stem("shrewd")
    with translation.override("en"):
        words = matched_words([noise, text.stem("corrosion")], [ENGLISH_NEED, ENGLISH_NEED])
    assert words == ["corrosion"]


def test_field_names_in_reasons_follow_the_page_language():
    from matching.reasons import field_name_map

    with translation.override("ja"):
        names = field_name_map()
        text = describe([FieldsReason(["solar"], [])], names)
    assert text and "Solar" not in text[0] and names["solar"] in text[0]


def test_reasons_are_typed_values_not_dicts():
    """The engine's reasons are matching.scoring dataclasses; a stored dict (Match.reasons) is
    refused loudly instead of being rendered as nothing."""
    with pytest.raises(TypeError):
        describe([{"kind": "terms", "terms": []}], {})
    assert TermsReason(["corros"]).as_json() == {"kind": "terms", "terms": ["corros"]}


def test_general_words_are_not_shown_as_shared_terms():
    need = ("Our fish already die in the turbines; licensed for twenty years.", "en")
    technology = ("A fish-friendly turbine, licensed to already twelve plants.", "en")
    terms = [text.stem(w) for w in ("already", "licensed", "turbine", "fish")]
    with translation.override("en"):
        assert matched_words(terms, [need, technology]) == ["turbine", "fish"]


def test_japanese_verbs_and_torn_affixes_are_not_shown_as_shared_terms():
    japanese = ("発電所の水車でウナギが死なないように、捨てている電力を約3回取り戻す。", "ja")
    english = ("Eels die in the water wheel of the power plant; power thrown away.", "en")
    terms = [text.stem(w) for w in ("die", "throw", "away", "place", "approximately", "eel")]
    with translation.override("ja"):
        words = matched_words(terms, [english, japanese])
    assert words == ["ウナギ"]
    words = text.term_words(japanese[0], "ja")
    assert not {"死な", "捨て", "所", "約"} & set(words.values())
    assert words[text.stem("eel")] == "ウナギ" and words[text.stem("plant")] == "発電所"


def _stored_scores(need, score):
    from matching.models import Suggestion as Stored

    Stored.objects.for_needs([need.pk]).update(score=score)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_when_no_suggestion_is_strong_the_need_page_says_so(client, language):
    buyer, need, _technology = _hydrogen_pair()
    client.force_login(buyer)
    client.cookies["django_language"] = language
    with translation.override(language):
        note = str(_("No strong match yet: these are the closest suggestions so far."))
        good = str(labels.LABELS["good"])
    assert note not in client.get(need.get_absolute_url()).content.decode()
    _stored_scores(need, labels.GOOD)
    page = client.get(need.get_absolute_url()).content.decode()
    assert note in page and good in page
    if language == "ja":
        assert "No strong match" not in page


def test_the_board_says_when_a_need_has_no_strong_candidate(client):
    from django.urls import reverse

    from tests.factories import make_staff

    _buyer, need, _technology = _hydrogen_pair()
    client.force_login(make_staff())
    note = "No strong match yet: these are the closest candidates."
    assert note not in client.get(reverse("matching:board")).content.decode()
    _stored_scores(need, labels.MINIMUM)
    page = client.get(reverse("matching:board")).content.decode()
    assert note in page and "worth a look" in page


@pytest.mark.parametrize("same_organization", [True, False])
def test_a_listing_of_the_same_organisation_is_never_suggested(client, same_organization):
    from django.urls import reverse

    from tests.factories import make_staff

    buyer, need, technology = _hydrogen_pair(same_organization=same_organization)
    expected = [] if same_organization else [technology]
    assert [s.listing for s in selectors.suggested_technologies(need)] == expected
    assert [s.listing for s in selectors.suggested_needs(technology)] == (
        [] if same_organization else [need]
    )
    assert [s.listing for s in selectors.suggested_technologies_for([need])[need.pk]] == expected
    client.force_login(make_staff())
    board = client.get(reverse("matching:board")).content.decode()
    assert ("Lightweight hydrogen storage tank" in board) is not same_organization


def test_a_draft_is_not_shown_its_own_organisations_listings():
    from listings.models import Status

    company = make_organization(type="company")
    make_technology(
        company,
        title="Lightweight hydrogen storage tank",
        summary="A composite hydrogen storage tank for fuel cell vehicles.",
        fields=("hydrogen-fuel-cells",),
    )
    other = make_technology(
        title="Hydrogen storage tank, composite",
        summary="A composite hydrogen storage tank for fuel cell vans.",
        fields=("hydrogen-fuel-cells",),
    )
    draft = make_need(
        company,
        status=Status.DRAFT,
        title="Hydrogen storage tank for fuel cell vans",
        description="We need a light hydrogen storage tank for fuel cell vans.",
        fields=("hydrogen-fuel-cells",),
    )
    assert [s.listing for s in selectors.suggested_technologies(draft)] == [other]


def test_a_moderator_cannot_confirm_a_match_within_one_organisation():
    from matching.models import Match
    from matching.services import MatchError, confirm_match
    from tests.factories import make_staff

    _buyer, need, technology = _hydrogen_pair(same_organization=True)
    with pytest.raises(MatchError):
        confirm_match(need, technology, make_staff())
    assert not Match.objects.filter(confirmed=True).exists()


def test_the_board_refuses_a_same_organisation_match_with_a_message(client):
    from django.urls import reverse

    from matching.models import Match
    from tests.factories import make_staff

    _buyer, need, technology = _hydrogen_pair(same_organization=True)
    client.force_login(make_staff())
    response = client.post(
        reverse("matching:confirm"), {"need": need.pk, "technology": technology.pk}, follow=True
    )
    assert response.status_code == 200
    assert "A need and a technology of the same organisation are not matched." in (
        response.content.decode()
    )
    assert not Match.objects.filter(confirmed=True).exists()


def test_general_japanese_nouns_are_not_shown_whatever_their_gloss():
    # こと glosses as "particle; indicates a command", 当社 as "this shrine", 最大 as "biggest"
    japanese = ("当社のセンサで状況を監視し、最大2倍の寿命を示すことを確認した。", "ja")
    english = ("A sensor that indicates the state of the shrine's biggest bell, twice a day.", "en")
    terms = [text.stem(w) for w in ("indicate", "shrine", "state", "biggest", "twice", "sensor")]
    for language in ("en", "ja"):
        with translation.override(language):
            words = matched_words(terms, [english, japanese])
        assert words == (["センサ"] if language == "ja" else ["sensor"])
    words = text.term_words(japanese[0], "ja")
    assert not {"こと", "当社", "状況", "最大", "倍"} & set(words.values())
    assert words[text.stem("sensor")] == "センサ" and "監視" in words.values()
