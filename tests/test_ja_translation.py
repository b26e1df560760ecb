"""The Japanese translation is complete and the pages render in Japanese."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import make_technology

PO_PATH = Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
JA = {"HTTP_ACCEPT_LANGUAGE": "ja"}


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(PO_PATH))


def _translations(entry):
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_japanese_catalogue_has_no_untranslated_or_fuzzy_entries(catalogue):
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []
    assert len(catalogue.translated_entries()) > 500


def test_japanese_catalogue_declares_one_plural_form(catalogue):
    assert catalogue.metadata["Language"] == "ja"
    assert catalogue.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    plurals = [e for e in catalogue if e.msgid_plural and not e.obsolete]
    assert plurals, "the catalogue should hold plural entries"
    for entry in plurals:
        assert list(entry.msgstr_plural) == [0], entry.msgid


def test_japanese_translations_keep_every_placeholder(catalogue):
    for entry in catalogue.translated_entries():
        wanted = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        for text in _translations(entry):
            assert sorted(PLACEHOLDER.findall(text)) == wanted, entry.msgid


def test_compiled_catalogue_is_up_to_date():
    mo_path = PO_PATH.with_suffix(".mo")
    assert mo_path.exists()
    compiled = {(e.msgctxt, e.msgid): e for e in polib.mofile(str(mo_path))}
    for entry in polib.pofile(str(PO_PATH)).translated_entries():
        assert (entry.msgctxt, entry.msgid) in compiled, entry.msgid


def test_home_page_renders_in_japanese(client, db):
    page = client.get(reverse("home"), **JA).content.decode()
    assert '<html lang="ja">' in page
    assert "研究成果を、産業の現場へ" in page
    assert "技術を検索" in page
    assert "ログイン" in page
    assert "Research results, ready for industry" not in page


def test_technology_list_renders_in_japanese(client, db):
    make_technology(title="Perovskite film")
    page = client.get(reverse("listings:technology_list"), **JA).content.decode()
    assert '<html lang="ja">' in page
    assert "ライセンス可能な技術" in page
    assert "1 件の技術" in page
    assert "絞り込み" in page
    assert "Perovskite film" in page
    assert "Technologies available for licence" not in page


def test_language_switch_keeps_japanese_for_the_session(client, db):
    response = client.post(reverse("set_language"), {"language": "ja", "next": "/"})
    assert response.status_code == 302
    page = client.get(reverse("listings:technology_list")).content.decode()
    assert '<html lang="ja">' in page
    assert "ライセンス可能な技術" in page


def test_english_stays_the_default(client, db):
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in page
    assert "Research results, ready for industry" in page


def test_country_names_follow_the_page_language(client, db):
    page = client.get("/technologies/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "日本" in page  # the country filter lists 日本, not Japan
    assert ">Japan<" not in page
