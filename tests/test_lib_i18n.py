"""Labels in the reader's language, looked up without translating what is not shown
(`lib.i18n.ChoiceLabels`, `country_name`)."""

import pytest
from django.utils import translation

from lib.i18n import country_name
from licensing.models import LicenceRequest
from listings.models import TRL, IPStatus, Patent, Technology


@pytest.fixture
def translated(monkeypatch):
    """The messages translated while the test runs (Django's catalogue lookups)."""
    seen = []
    original = translation._trans.gettext

    def counting(message):
        seen.append(message)
        return original(message)

    monkeypatch.setattr(translation._trans, "gettext", counting)
    return seen


def test_a_choice_is_shown_in_the_active_language():
    technology = Technology(trl=TRL.RELEVANT, ip_status=IPStatus.PENDING)
    with translation.override("en"):
        assert technology.get_trl_display() == "5 · Validated in a relevant environment"
        assert technology.get_ip_status_display() == "Patent pending"
    with translation.override("ja"):
        assert technology.get_trl_display() == str(TRL.RELEVANT.label)
        assert technology.get_ip_status_display() == "特許出願中"


def test_only_the_label_shown_is_translated(translated):
    technology = Technology(trl=TRL.PROTOTYPE)
    with translation.override("ja"):
        technology.get_trl_display()  # the labels' dictionary is made once per field
        translated.clear()
        label = technology.get_trl_display()
    assert translated == ["7 · Prototype demonstrated in operation"]  # Django's way: all nine
    assert label != "7 · Prototype demonstrated in operation"


def test_a_value_outside_the_choices_is_shown_as_it_is():
    assert Technology(trl=42).get_trl_display() == 42
    assert Patent(status="lapsed").get_status_display() == "lapsed"


def test_models_of_other_apps_show_their_labels_too():
    request = LicenceRequest(status=LicenceRequest.Status.IN_DISCUSSION)
    with translation.override("en"):
        assert request.get_status_display() == "In discussion"


def test_country_names_follow_the_active_language():
    with translation.override("en"):
        assert country_name("JP") == "Japan"
        assert Technology(countries=["JP", "KR"]).get_countries_display() == [
            "Japan",
            "South Korea",
        ]
    with translation.override("ja"):
        assert country_name("JP") == "日本"
    with translation.override("en"):
        assert country_name("JP") == "Japan"  # kept per language, not the last one asked


def test_an_unknown_country_code_has_no_name():
    with translation.override("en"):
        assert country_name("XX") == ""
