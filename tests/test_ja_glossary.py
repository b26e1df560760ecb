"""The Japanese catalogue follows ../shared/ja-glossary.md: one Japanese word per concept.

Each rule names a variant the glossary forbids and the word to use instead; the test lists every
catalogue entry that still uses a forbidden variant, so one run shows all that needs fixing.
"""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

PO_PATH = Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES" / "django.po"

# (name, forbidden pattern, what the glossary says instead)
FORBIDDEN = [
    (
        "shinsei",
        r"(?<!参加)(?<!変更)申請",
        "licence request: 申込み (申請 only in 参加申請 and 変更申請)",
    ),
    ("moushikomi", r"申し込み|ご相談", "licence request: 申込み"),
    ("owner", r"所有者", "owner of a listing: 掲載組織 (in a licence request: 技術提供側)"),
    ("your-organisation", r"貴組織|自組織", "your organisation: 所属組織"),
    (
        "changes-requested",
        r"修正依頼|修正を依頼",
        "changes requested: 差し戻し（要修正）／差し戻す",
    ),
    (
        "revision",
        r"修正版|編集内容|の修正(?!し)",
        "pending revision: 変更申請, its contents 変更内容",
    ),
    ("suggestion", r"おすすめ|お勧め|お薦め", "suggestion: 候補"),
    ("patent-office", r"官庁", "patent office of a patent: 出願先"),
    ("technical-assistance", r"技術支援", "technical assistance: 技術指導"),
    ("refuse", r"拒否", "refuse a join request: 承認しない"),
    ("membership", r"メンバーシップ", "membership: メンバー登録／所属"),
    ("memo", r"メモ", "a note sent to the other side: コメント（相手方に送信されます）"),
    (
        "site-name",
        r"(?<!技術移転)エクスチェンジ",
        "the site: 技術移転エクスチェンジ, 本サイト in sentences",
    ),
    ("site-in-sentence", r"このサイト|当サイト", "the site in a sentence: 本サイト"),
    ("half-width-brackets", r"(?<!%)\(", "brackets: full-width （）, e.g. 技術成熟度（TRL）"),
]
# Next to 特許庁, moderation is 掲載審査 (審査 alone reads as patent examination).
MODERATION_NEXT_TO_JPO = re.compile(r"(?<!掲載)審査")


@pytest.fixture(scope="module")
def translations():
    catalogue = polib.pofile(str(PO_PATH))
    out = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        out += [(entry, text) for text in texts]
    return out


def _private_note(entry):
    """The adviser workbench's notes stay inside the organisation: メモ is the right word there."""
    return "メモ" in entry.msgstr and all("adviser" in path for path, _line in entry.occurrences)


@pytest.mark.parametrize(("name", "pattern", "rule"), FORBIDDEN, ids=[n for n, _p, _r in FORBIDDEN])
def test_catalogue_uses_no_variant_the_glossary_forbids(translations, name, pattern, rule):
    offending = [
        (entry.msgid, text)
        for entry, text in translations
        if re.search(pattern, text) and not (name == "memo" and _private_note(entry))
    ]
    assert offending == [], rule


def test_moderation_next_to_jpo_reads_as_listing_review(translations):
    offending = [
        (entry.msgid, text)
        for entry, text in translations
        if "特許庁" in text and MODERATION_NEXT_TO_JPO.search(text)
    ]
    assert offending == []


def test_the_rules_catch_what_they_are_meant_to():
    """Each rule must fire on the wording the native reader flagged (so a rule cannot rot)."""
    flagged = {
        "ライセンス申請": 0,
        "お申し込みください": 1,
        "技術の所有者": 2,
        "貴組織の技術": 3,
        "修正依頼中": 4,
        "修正版を審査中": 5,
        "おすすめの技術": 6,
        "特許庁（官庁）": 7,
        "技術支援": 8,
        "拒否": 9,
        "メンバーシップ": 10,
        "メモ（任意）": 11,
        "エクスチェンジの統計": 12,
        "このサイトでは未対応": 13,
        "技術成熟度 (TRL)": 14,
    }
    for text, index in flagged.items():
        assert re.search(FORBIDDEN[index][1], text), text
    for allowed in [
        "参加申請",
        "変更申請",
        "%(n)s 件",
        "技術移転エクスチェンジ",
        "以下のエラーを修正してください",
    ]:
        assert not any(re.search(pattern, allowed) for _name, pattern, _rule in FORBIDDEN), allowed
    assert MODERATION_NEXT_TO_JPO.search("特許庁職員が審査します")
    assert not MODERATION_NEXT_TO_JPO.search("特許庁職員が掲載審査を行います")
