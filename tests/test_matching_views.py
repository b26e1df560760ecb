"""Who sees suggestions, confirming and dismissing matches, the staff board, the evaluation."""

import io
import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from listings.lifecycle import Status
from matching.models import Match
from tests.factories import make_need, make_organization, make_staff, make_technology, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    company = make_organization(type="company")
    university = make_organization()
    buyer = make_user(organization=company, role=Membership.Role.ADMIN)
    seller = make_user(organization=university, role=Membership.Role.ADMIN)
    need = make_need(
        company,
        author=buyer,
        title="Hydrogen storage tank for small fuel cell vehicles",
        description="We need a light hydrogen storage tank.",
        fields=("hydrogen-fuel-cells",),
    )
    technology = make_technology(
        university,
        author=seller,
        title="Lightweight hydrogen storage tank",
        summary="A composite hydrogen storage tank for fuel cell vehicles.",
        fields=("hydrogen-fuel-cells",),
    )
    return need, technology, buyer, seller


def test_need_owner_sees_suggested_technologies_with_reasons(client, pair):
    need, technology, buyer, _seller = pair
    client.force_login(buyer)
    page = client.get(need.get_absolute_url()).content.decode()
    assert "Suggested technologies" in page
    assert technology.title in page
    assert "Same field: Hydrogen and fuel cells" in page


def test_a_suggestions_label_and_organisation_are_items_of_their_own(client, pair):
    # The meta line wraps as flex items: a "·" between them would start the second line.
    need, technology, buyer, _seller = pair
    client.force_login(buyer)
    page = client.get(need.get_absolute_url()).content.decode()
    suggestion = page.split(f">{technology.title}</a>", 1)[1].split('<ul class="reasons">', 1)[0]
    items = [item.strip() for item in suggestion.split("<li")[1:]]
    assert items[0].startswith('class="strength strength-') and "match</li>" in items[0]
    assert items[1].startswith(f">{technology.organization.name}</li>")
    assert "·" not in suggestion


def test_technology_owner_sees_suggested_needs(client, pair):
    need, technology, _buyer, seller = pair
    client.force_login(seller)
    page = client.get(technology.get_absolute_url()).content.decode()
    assert "Suggested needs" in page and need.title in page


def test_other_organisations_see_no_suggestions(client, pair):
    need, technology, _buyer, _seller = pair
    client.force_login(make_user(organization=make_organization()))
    page = client.get(need.get_absolute_url()).content.decode()
    assert "Suggested technologies" not in page
    client.logout()
    assert "Suggested technologies" not in client.get(need.get_absolute_url()).content.decode()


def test_unpublished_need_and_its_suggestions_are_404_for_others(client, pair):
    _need, _technology, buyer, _seller = pair
    draft = make_need(
        buyer.organization,
        status=Status.DRAFT,
        title="Secret hydrogen need",
        fields=("hydrogen-fuel-cells",),
    )
    client.force_login(make_user(organization=make_organization()))
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_staff_confirm_records_match_and_introduces_both_organisations(
    client, pair, django_capture_on_commit_callbacks
):
    need, technology, buyer, seller = pair
    staff = make_staff()
    client.force_login(staff)
    data = {"need": need.pk, "technology": technology.pk, "note": "Please talk about a pilot."}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matching:confirm"), data)
    assert response.status_code == 302
    match = Match.objects.get(need=need, technology=technology)
    assert match.confirmed and match.confirmed_by == staff and match.reasons
    recipients = {address for message in mail.outbox for address in message.to}
    assert {buyer.email, seller.email} <= recipients
    assert "Please talk about a pilot." in mail.outbox[-1].body

    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("matching:confirm"), data, follow=True)
    assert Match.objects.filter(need=need, technology=technology).count() == 1
    assert len(mail.outbox) == sent  # confirmed once, introduced once


def test_confirmed_match_shows_on_both_dashboards(client, pair):
    need, technology, buyer, seller = pair
    client.force_login(make_staff())
    client.post(reverse("matching:confirm"), {"need": need.pk, "technology": technology.pk})
    for user in (buyer, seller):
        client.force_login(user)
        page = client.get(reverse("dashboard")).content.decode()
        assert "Confirmed matches" in page and technology.title in page


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_only_staff_may_confirm_or_open_the_board(client, pair, who):
    need, technology, buyer, _seller = pair
    if who == "member":
        client.force_login(buyer)
    response = client.post(
        reverse("matching:confirm"), {"need": need.pk, "technology": technology.pk}
    )
    assert response.status_code == (403 if who == "member" else 302)
    assert not Match.objects.exists()
    board = client.get(reverse("matching:board"))
    assert board.status_code == (403 if who == "member" else 302)


def test_need_owner_dismisses_a_suggestion_and_no_longer_sees_it(client, pair):
    need, technology, buyer, _seller = pair
    client.force_login(buyer)
    client.post(
        reverse("matching:dismiss"),
        {"need": need.pk, "technology": technology.pk, "reason": "too_early"},
    )
    assert Match.objects.get(need=need, technology=technology).dismissed_by_need_owner
    assert technology.title not in client.get(need.get_absolute_url()).content.decode()
    client.force_login(make_staff())
    assert technology.title in client.get(need.get_absolute_url()).content.decode()


def test_a_third_organisation_cannot_dismiss(client, pair):
    need, technology, _buyer, _seller = pair
    client.force_login(make_user(organization=make_organization()))
    client.post(
        reverse("matching:dismiss"),
        {"need": need.pk, "technology": technology.pk, "reason": "too_early"},
    )
    assert not Match.objects.filter(dismissed_by_need_owner=True).exists()
    assert not Match.objects.filter(dismissed_by_technology_owner=True).exists()


def test_dismissing_a_private_listing_of_another_organisation_is_404(client, pair):
    need, _technology, buyer, _seller = pair
    hidden = make_technology(status=Status.DRAFT, fields=("hydrogen-fuel-cells",))
    client.force_login(buyer)
    response = client.post(reverse("matching:dismiss"), {"need": need.pk, "technology": hidden.pk})
    assert response.status_code == 404


def test_board_lists_open_needs_with_candidates_and_filters(client, pair):
    need, technology, _buyer, _seller = pair
    other = make_need(title="Water leak sensors", fields=("water-saving",), countries=["KE"])
    client.force_login(make_staff())
    page = client.get(reverse("matching:board")).content.decode()
    assert need.title in page and technology.title in page and other.title in page
    filtered = client.get(reverse("matching:board"), {"country": "KE"}).content.decode()
    assert other.title in filtered and need.title not in filtered
    assert client.get(reverse("matching:board"), {"field": "no-such-field"}).status_code == 400


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_matching_pages_query_count_does_not_grow_with_the_corpus(client, pair):
    need, _technology, buyer, _seller = pair
    staff = make_staff()
    client.force_login(staff)
    before = (
        _queries(client, reverse("matching:board")),
        _queries(client, need.get_absolute_url()),
    )
    for n in range(12):
        make_technology(
            title=f"Hydrogen tank variant {n}",
            summary="Hydrogen storage tank.",
            fields=("hydrogen-fuel-cells",),
        )
    after = (_queries(client, reverse("matching:board")), _queries(client, need.get_absolute_url()))
    assert after == before


TINY_BUNDLE = {
    "organizations": [
        {"key": "u1", "name": "Uni One", "kind": "university", "country": "JP"},
        {"key": "c1", "name": "Company One", "kind": "company", "country": "JP"},
    ],
    "technologies": [
        {
            "key": "t-tank",
            "organization": "u1",
            "title": "Composite hydrogen storage tank",
            "summary": "A light tank that stores hydrogen for fuel cell vehicles.",
            "description": "Carbon fibre hydrogen tank.",
            "fields": ["hydrogen-fuel-cells"],
            "keywords": ["hydrogen", "tank"],
            "trl": 6,
            "ip_status": "granted",
            "offers": ["non_exclusive_licence"],
            "countries": ["JP"],
            "language": "en",
        },
        {
            "key": "t-rice",
            "organization": "u1",
            "title": "Drought tolerant rice",
            "summary": "Rice that needs less water.",
            "description": "Bred rice varieties.",
            "fields": ["crop-production"],
            "keywords": ["rice"],
            "trl": 6,
            "ip_status": "pending",
            "offers": ["exclusive_licence"],
            "countries": ["JP"],
            "language": "en",
        },
    ],
    "needs": [
        {
            "key": "n-tank",
            "organization": "c1",
            "title": "Hydrogen tank for delivery vans",
            "description": "We need a hydrogen storage tank for fuel cell vans.",
            "fields": ["hydrogen-fuel-cells"],
            "keywords": ["hydrogen tank"],
            "trl_min": 5,
            "trl_max": 9,
            "countries": ["JP"],
            "partnerships": ["non_exclusive_licence"],
            "language": "en",
        },
    ],
    "judgments": {"n-tank": {"t-tank": 3}},
}


def test_evaluate_matching_on_a_tiny_bundle(tmp_path, capfd):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(TINY_BUNDLE))
    out = tmp_path / "ranked.json"
    call_command("evaluate_matching", str(path), "--json", str(out))
    assert json.loads(out.read_text())["n-tank"][0] == "t-tank"
    assert "mean nDCG@10 1.000 recall@10 1.000" in capfd.readouterr().out


def test_evaluate_matching_among_other_listings_leaves_them_as_they_were(tmp_path, settings):
    """--among ranks inside an existing database (e.g. the bench's) and rolls back; here the
    in-database step runs in the test database itself, where a listing outside the bundle
    competes and shows by its id."""
    from django.core.management.base import CommandError

    from listings.models import Technology

    make_technology(title="Hydrogen tank for vans, stored", fields=("hydrogen-fuel-cells",))
    before = Technology.objects.count()
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(TINY_BUNDLE))
    out = io.StringIO()
    call_command("evaluate_matching", str(path), "--in-this-database", "rollback", stdout=out)
    assert "rolled back" in out.getvalue() and "mean nDCG@10" in out.getvalue()
    assert Technology.objects.count() == before
    assert not Technology.objects.filter(import_key="t-tank").exists()
    with pytest.raises(CommandError, match="configured database"):
        call_command(
            "evaluate_matching", str(path), "--among", settings.DATABASES["default"]["NAME"]
        )


def test_company_member_starts_a_licence_request_from_a_suggestion(client, pair):
    need, technology, buyer, _seller = pair
    client.force_login(buyer)
    page = client.get(need.get_absolute_url()).content.decode()
    url = reverse("licensing:request_create", args=[technology.pk])
    assert f'href="{url}"' in page
    assert client.get(url).status_code == 200
