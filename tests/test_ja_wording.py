"""Japanese as its readers read it: one English word with two meanings gets the right Japanese,
lists are joined with 「、」 and dates read 2026年12月2日, while English stays as it was."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from lib.i18n import format_range, join_list
from licensing import services as licensing_services
from licensing.models import LicenceRequest
from listings.lifecycle import Status
from matching.reasons import describe
from matching.scoring import CountryReason, FieldsReason, PartnershipReason
from opendata import stats
from tests.factories import make_member, make_need, make_staff, make_technology
from tests.test_listings_lifecycle import edit

pytestmark = pytest.mark.django_db

JA = {"HTTP_ACCEPT_LANGUAGE": "ja"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
DEC_2 = datetime.datetime(2026, 12, 2, 10, 5, tzinfo=ZoneInfo("Asia/Tokyo"))


def page(client, url, headers=JA) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()


# One English word, two meanings --------------------------------------------------------------


def test_profile_calls_a_confirmed_email_address_kakunin_not_the_match_word(client):
    member = make_member()
    client.force_login(member)
    html = page(client, reverse("accounts:profile"))
    assert "確認済み" in html
    assert "確定済み" not in html  # the word for a confirmed match


def test_date_row_of_a_technology_says_published_on_not_the_status(client):
    technology = make_technology(published_at=DEC_2, keywords=["perovskite", "thin film"])
    html = page(client, technology.get_absolute_url())
    assert "<dt>公開日</dt><dd>2026年12月2日</dd>" in html
    assert "<dt>公開中</dt>" not in html
    english = page(client, technology.get_absolute_url(), EN)
    assert "<dt>Published</dt><dd>2026-12-02</dd>" in english


def test_owner_still_sees_the_status_published_as_koukaichuu(client):
    owner = make_member()
    technology = make_technology(owner.organization, published_at=DEC_2)
    client.force_login(owner)
    html = page(client, technology.get_absolute_url())
    assert "公開中" in html  # the status badge
    assert "<dt>公開日</dt>" in html


def test_need_page_shows_japanese_dates_and_the_published_date_row(client):
    need = make_need(published_at=DEC_2, deadline=datetime.date(2027, 3, 31))
    html = page(client, need.get_absolute_url())
    assert "<dt>公開日</dt><dd>2026年12月2日</dd>" in html
    assert "<dt>締切</dt><dd>2027年3月31日</dd>" in html
    english = page(client, need.get_absolute_url(), EN)
    assert "<dt>Deadline</dt><dd>2027-03-31</dd>" in english
    assert "<dt>Published</dt><dd>2026-12-02</dd>" in english


def test_statistics_column_of_fields_says_gijutsu_bunya_not_koumoku(client):
    make_technology(fields=("solar",))
    stats.clear_cache()
    html = page(client, "/statistics/")
    assert '<th scope="col">技術分野</th>' in html
    assert '<th scope="col">項目</th>' not in html
    assert '<th scope="col">Field</th>' in page(client, "/statistics/", EN)


@pytest.fixture
def licence_request():
    owner = make_member(name="Tohoku Institute")
    requester = make_member(name="Nagoya Ceramics")
    technology = make_technology(owner.organization, title="Ceramic membrane")
    request = licensing_services.send_request(
        requester, technology, purpose=LicenceRequest.Purpose.LICENCE, message="We are interested."
    )
    LicenceRequest.objects.filter(pk=request.pk).update(created_at=DEC_2)
    return request


def test_licence_request_page_names_the_sides_the_sent_date_and_the_response(
    client, licence_request
):
    owner = licence_request.technology.organization.memberships.get().user
    client.force_login(owner)
    html = page(client, reverse("licensing:request_detail", args=[licence_request.pk]))
    assert "<dt>送信日</dt><dd>2026年12月2日</dd>" in html
    assert "2026年12月2日 10:05" in html  # the first message's time
    assert "<dt>技術提供側</dt>" in html and "<dt>申込側</dt>" in html
    assert ">対応<" in html  # the owner's decision on a request, not a moderation result
    assert "審査結果" not in html and "判断" not in html
    assert "所有者" not in html and "申請" not in html


def test_a_note_to_the_other_organisation_does_not_read_as_private(client, licence_request):
    owner = licence_request.technology.organization.memberships.get().user
    client.force_login(owner)
    html = page(client, reverse("licensing:request_detail", args=[licence_request.pk]))
    assert "合意に添えるコメント（任意、相手方に送信されます）" in html
    assert "メモ" not in html
    english = page(client, reverse("licensing:request_detail", args=[licence_request.pk]), EN)
    assert "Comment with the agreement (optional)" in english


def test_sent_box_tab_says_soushin_and_the_column_names_the_technology_side(
    client, licence_request
):
    client.force_login(licence_request.requester)
    html = page(client, reverse("licensing:sent"))
    assert ">送信</a>" in html
    assert "<th>技術提供側</th>" in html
    activity = licence_request.last_activity_at.astimezone(ZoneInfo("Asia/Tokyo"))  # as shown
    day = f"{activity.year}年{activity.month}月{activity.day}日"
    assert re.search(rf"{day} \d\d:\d\d", html)  # last activity


def test_review_page_says_moderation_result_and_names_the_published_version(client):
    member = make_member()
    technology = make_technology(member.organization, title="Original title")
    edit(technology, member, title="Edited title")
    client.force_login(make_staff())
    html = page(client, reverse("listings:review", args=["technology", technology.pk]))
    assert "審査結果" in html
    assert "<th>項目</th><th>公開中の内容</th><th>変更内容</th>" in html
    english = page(client, reverse("listings:review", args=["technology", technology.pk]), EN)
    assert "<th>Field</th><th>Published</th><th>Proposed</th>" in english


def test_moderation_log_says_sashimodoshi_with_a_japanese_time(client):
    member = make_member()
    technology = make_technology(member.organization, status=Status.SUBMITTED)
    staff = make_staff()
    client.force_login(staff)
    response = client.post(
        reverse("listings:action", args=["technology", technology.pk]),
        {"action": "request_changes", "reason": "Add the patent number."},
    )
    assert response.status_code == 302
    client.force_login(member)
    html = page(client, technology.get_absolute_url())
    assert "差し戻し（要修正）" in html
    assert "修正依頼" not in html
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d", html)


# Lists and dates ------------------------------------------------------------------------------


def test_join_list_follows_the_active_language():
    with translation.override("ja"):
        assert join_list(["太陽光", "風力"]) == "太陽光、風力"
    with translation.override("en"):
        assert join_list(["solar", "wind"]) == "solar, wind"


def test_join_list_filter_escapes_each_item():
    template = Template("{% load lib_tags %}{{ items|join_list }}")
    with translation.override("ja"):
        html = template.render(Context({"items": ["<b>a</b>", "b"]}))
    assert html == "&lt;b&gt;a&lt;/b&gt;、b"


def test_technology_page_lists_keywords_and_fields_with_the_japanese_comma(client):
    technology = make_technology(fields=("solar", "wind"), keywords=["perovskite", "thin film"])
    html = page(client, technology.get_absolute_url())
    assert "perovskite、thin film" in html
    assert re.search(r"</a>、<a href=", html)  # between the linked fields
    english = page(client, technology.get_absolute_url(), EN)
    assert "perovskite, thin film" in english
    assert re.search(r"</a>, <a href=", english)


def test_match_reasons_list_with_the_japanese_comma():
    reasons = [
        FieldsReason(["solar", "wind"], []),
        PartnershipReason(["exclusive_licence", "technical_assistance"]),
        CountryReason(["JP", "KR"]),
    ]
    names = {"solar": "太陽光", "wind": "風力"}
    with translation.override("ja"):
        text = describe(reasons, names)
    assert text == [
        "同じ分野：太陽光、風力",
        "求める提供形態に合致：独占的ライセンス、技術指導",
        "共通の国・地域：日本、韓国",
    ]
    with translation.override("en"):
        assert describe(reasons, names)[0] == "Same field: 太陽光, 風力"


def test_keywords_field_shows_the_japanese_comma_and_reads_it_back():
    from listings.forms import KeywordsField

    field = KeywordsField()
    with translation.override("ja"):
        shown = field.prepare_value(["perovskite", "thin film"])
        assert shown == "perovskite、thin film"
        assert field.clean(shown) == ["perovskite", "thin film"]
    with translation.override("en"):
        assert field.prepare_value(["perovskite", "thin film"]) == "perovskite, thin film"


def test_technology_edit_form_in_japanese_lists_keywords_with_the_japanese_comma(client):
    member = make_member()
    technology = make_technology(member.organization, keywords=["perovskite", "thin film"])
    client.force_login(member)
    html = page(client, reverse("listings:technology_edit", args=[technology.pk]))
    assert 'value="perovskite、thin film"' in html
    assert "「、」またはカンマで区切って" in html


def test_ranges_use_the_wave_dash_in_japanese(client):
    with translation.override("ja"):
        assert format_range(4, 9) == "4～9"
    with translation.override("en"):
        assert format_range(4, 9) == "4–9"
    need = make_need(trl_min=4, trl_max=9)
    assert "TRL 4～9" in page(client, need.get_absolute_url())
    assert "TRL 4–9" in page(client, need.get_absolute_url(), EN)


def test_matching_board_shows_the_need_range_and_deadline_in_japanese(client):
    make_technology(fields=("solar",))
    make_need(trl_min=6, trl_max=9, deadline=datetime.date(2028, 1, 31))
    client.force_login(make_staff())
    html = page(client, reverse("matching:board"))
    assert "TRL 6～9" in html
    assert "2028年1月31日" in html
