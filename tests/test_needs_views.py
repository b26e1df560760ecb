"""The public needs list and detail, and the owner's create/edit pages."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from analytics.models import ListingEvent
from listings.lifecycle import Action, Status
from listings.services import transition
from needs.models import Need
from tests.factories import make_member, make_staff
from tests.test_needs_lifecycle import make_need

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [need.title for need in response.context["page_obj"]]


def form_data(**overrides) -> dict:
    data = {
        "title": "Recyclable battery casing",
        "description": "Our casings cannot be recycled.",
        "solution": "A bio-based polymer.",
        "fields": ["solar"],
        "keywords": "polymer, recycling",
        "trl_min": "3",
        "trl_max": "6",
        "countries": ["JP"],
        "partnerships": ["joint_development"],
        "deadline": "",
        "language": "en",
    }
    data.update(overrides)
    return data


def test_list_shows_only_published_open_needs(client):
    shown = make_need(title="Published need")
    make_need(title="Draft need", status=Status.DRAFT)
    make_need(title="Withdrawn need", status=Status.WITHDRAWN)
    response = client.get(reverse("needs:need_list"))
    assert response.status_code == 200
    assert titles(response) == [shown.title]


def test_list_search_finds_words_of_the_problem_and_solution(client):
    make_need(title="Hydrogen tank", description="Store hydrogen safely.", solution="Metal hydride")
    make_need(title="Cheap glass", description="Thin glass coatings.", solution="")
    assert titles(client.get(reverse("needs:need_list"), {"q": "hydride"})) == ["Hydrogen tank"]
    assert titles(client.get(reverse("needs:need_list"), {"q": "glass"})) == ["Cheap glass"]


def test_list_search_finds_needs_written_in_the_other_language(client):
    make_need(
        title="ペロブスカイト太陽電池の封止材を探しています",
        description="高温多湿で劣化しない封止材。",
        language="ja",
    )
    make_need(title="Perovskite cells that last outdoors", description="Encapsulation.")
    make_need(
        title="温泉地の地熱バイナリー発電",
        description="低温の熱水で発電するバイナリーサイクルを導入したい。",
        language="ja",
    )
    make_need(title="Geothermal binary plant for a spa town", description="Binary cycle power.")
    make_need(title="Silicon wafer saw", description="Cuts wafers.")
    needs = reverse("needs:need_list")
    assert sorted(titles(client.get(needs, {"q": "ペロブスカイト"}))) == [
        "Perovskite cells that last outdoors",
        "ペロブスカイト太陽電池の封止材を探しています",
    ]
    assert sorted(titles(client.get(needs, {"q": "geothermal binary"}))) == [
        "Geothermal binary plant for a spa town",
        "温泉地の地熱バイナリー発電",
    ]
    page = client.get(needs, {"q": "binary"}).content.decode()
    assert "<mark>binary</mark>" in page.lower()
    assert "<mark>バイナリ</mark>" in page


def test_trl_filter_keeps_needs_whose_range_overlaps(client):
    make_need(title="Early", trl_min=1, trl_max=3)
    make_need(title="Middle", trl_min=4, trl_max=6)
    make_need(title="Late", trl_min=7, trl_max=9)
    response = client.get(reverse("needs:need_list"), {"trl_min": 3, "trl_max": 5})
    assert sorted(titles(response)) == ["Early", "Middle"]
    response = client.get(reverse("needs:need_list"), {"trl_min": 8})
    assert titles(response) == ["Late"]


def test_partnership_filter(client):
    make_need(title="Licence", partnerships=["exclusive_licence"])
    make_need(title="Joint work", partnerships=["joint_development", "technical_assistance"])
    response = client.get(reverse("needs:need_list"), {"partnership": ["technical_assistance"]})
    assert titles(response) == ["Joint work"]


def test_country_and_field_filters(client):
    make_need(title="In Japan", countries=["JP"], fields=("solar",))
    make_need(title="In Kenya", countries=["KE"], fields=())
    assert titles(client.get(reverse("needs:need_list"), {"country": "KE"})) == ["In Kenya"]
    assert titles(client.get(reverse("needs:need_list"), {"field": "solar"})) == ["In Japan"]


def test_deadline_sort_puts_soonest_first(client):
    today = timezone.localdate()
    make_need(title="Later", deadline=today + datetime.timedelta(days=30))
    make_need(title="No deadline")
    make_need(title="Soon", deadline=today + datetime.timedelta(days=2))
    response = client.get(reverse("needs:need_list"), {"sort": "deadline"})
    assert titles(response) == ["Soon", "Later", "No deadline"]


@pytest.mark.parametrize(
    "params",
    [
        {"trl_min": "12"},
        {"trl_min": "abc"},
        {"trl_min": "7", "trl_max": "2"},
        {"partnership": ["teleportation"]},
        {"country": "XX"},
        {"field": "no-such-field"},
        {"since": "not-a-date"},
        {"sort": "random"},
    ],
)
def test_invalid_filters_are_a_400_with_a_message(client, params):
    make_need()
    response = client.get(reverse("needs:need_list"), params)
    assert response.status_code == 400
    assert response.context["filter"].form.errors
    assert titles(response) == []


def test_needs_list_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries):
    for n in range(25):
        make_need(title=f"Need {n}")
    with django_assert_max_num_queries(6):
        response = client.get(reverse("needs:need_list"))
    assert len(response.context["page_obj"]) == 20
    with django_assert_max_num_queries(6):
        client.get(reverse("needs:need_list"), {"q": "hydrogen", "trl_min": 2, "page": 2})


def test_detail_shows_need_and_counts_views(client):
    need = make_need(title="Transparent wood")
    response = client.get(reverse("needs:need_detail", args=[need.pk]))
    assert response.status_code == 200
    assert "Transparent wood" in response.content.decode()
    assert ListingEvent.objects.filter(listing_type="need", listing_id=need.pk).count() == 1
    need.refresh_from_db()
    assert need.view_count == 0  # grows when fold_views folds the day


def test_member_creates_a_draft_need(client):
    user = make_member(type=Organization.Type.COMPANY)
    client.force_login(user)
    assert client.get(reverse("needs:need_create")).status_code == 200
    response = client.post(reverse("needs:need_create"), form_data())
    assert response.status_code == 302
    need = Need.objects.get()
    assert (need.status, need.organization, need.author) == (Status.DRAFT, user.organization, user)
    assert need.keywords == ["polymer", "recycling"]
    assert Need.objects.published().search("polymer").count() == 0  # a draft is not public
    assert Need.objects.search("polymer").get() == need


def test_form_refuses_inverted_trl_range(client):
    client.force_login(make_member())
    response = client.post(reverse("needs:need_create"), form_data(trl_min="8", trl_max="2"))
    assert response.status_code == 400
    assert "must not be below" in response.content.decode()
    assert not Need.objects.exists()


def test_form_requires_a_partnership(client):
    client.force_login(make_member())
    response = client.post(reverse("needs:need_create"), form_data(partnerships=[]))
    assert response.status_code == 400
    assert not Need.objects.exists()


def test_edit_of_published_need_by_unverified_org_becomes_a_revision(client):
    user = make_member(type=Organization.Type.COMPANY)
    need = make_need(user.organization, title="Original title")
    client.force_login(user)
    response = client.post(
        reverse("needs:need_edit", args=[need.pk]), form_data(title="Changed title")
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.title == "Original title"
    assert need.revision.data["title"] == "Changed title"


def test_other_organisation_member_gets_404_on_edit(client):
    need = make_need()
    client.force_login(make_member())
    assert client.get(reverse("needs:need_edit", args=[need.pk])).status_code == 404


def test_dashboard_lists_own_needs_by_status(client):
    user = make_member(type=Organization.Type.COMPANY)
    make_need(user.organization, title="Our draft need", status=Status.DRAFT)
    make_need(title="Someone else's need")
    client.force_login(user)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Our draft need" in page
    assert "Someone else&#x27;s need" not in page


def test_organisation_page_lists_its_open_needs(client):
    need = make_need(title="Need on the profile")
    page = client.get(need.organization.get_absolute_url()).content.decode()
    assert "Need on the profile" in page


def test_edit_of_published_need_with_a_deadline_is_held_for_review(client):
    user = make_member(type=Organization.Type.COMPANY)
    need = make_need(user.organization, deadline=datetime.date(2099, 1, 31))
    client.force_login(user)
    response = client.post(
        reverse("needs:need_edit", args=[need.pk]), form_data(deadline="2099-06-30")
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.deadline == datetime.date(2099, 1, 31)
    assert need.revision.data["deadline"] == "2099-06-30"
    transition(need, Action.APPROVE, make_staff())
    need.refresh_from_db()
    assert need.deadline == datetime.date(2099, 6, 30)
    assert need.revision is None


def test_verified_organisation_edit_of_published_need_applies_at_once(client):
    user = make_member(type=Organization.Type.COMPANY, verified=True)
    need = make_need(user.organization)
    client.force_login(user)
    response = client.post(
        reverse("needs:need_edit", args=[need.pk]), form_data(deadline="2099-06-30")
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.deadline == datetime.date(2099, 6, 30)
    assert need.title == "Recyclable battery casing"
