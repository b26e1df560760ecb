"""Stored suggestion lists (issue 18): kept current as listings are published, revised,
withdrawn, expired and deleted; rebuilt nightly to the same result; read with constant queries."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from listings.lifecycle import Action, Status
from listings.services import after_save, transition
from matching import selectors, suggestions
from matching.models import Suggestion
from tasks.management.commands.run_scheduler import SCHEDULE
from tests.factories import make_need, make_organization, make_staff, make_technology, make_user

pytestmark = pytest.mark.django_db

HYDROGEN = {
    "summary": "A composite hydrogen storage tank for fuel cell vehicles.",
    "keywords": ["hydrogen tank"],
    "fields": ("hydrogen-fuel-cells",),
}


def _need(**kwargs):
    company = make_organization(type="company")
    buyer = make_user(organization=company, role=Membership.Role.ADMIN)
    values = {
        "title": "Hydrogen storage tank for fuel cell vans",
        "description": "We need a light hydrogen storage tank for fuel cell vans.",
        "keywords": ["hydrogen tank"],
        "fields": ("hydrogen-fuel-cells",),
        **kwargs,
    }
    return buyer, make_need(company, author=buyer, **values)


def _seller_technology(**kwargs):
    university = make_organization()
    seller = make_user(organization=university, role=Membership.Role.ADMIN)
    values = {"title": "Lightweight hydrogen storage tank", **HYDROGEN, **kwargs}
    return seller, make_technology(university, author=seller, **values)


def _stored(need):
    return list(Suggestion.objects.for_needs([need.pk]).values_list("technology_id", flat=True))


def _stored_needs(technology):
    return list(
        Suggestion.objects.for_technologies([technology.pk]).values_list("need_id", flat=True)
    )


@pytest.mark.suggestions_after_commit
def test_a_published_technology_enters_the_stored_lists_after_commit(
    django_capture_on_commit_callbacks,
):
    _buyer, need = _need()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _seller, technology = _seller_technology()
        assert _stored(need) == []  # not before the transaction commits
    assert callbacks
    assert _stored(need) == [technology.pk]
    assert _stored_needs(technology) == [need.pk]
    entry = Suggestion.objects.get(need=need, technology=technology, for_need=True)
    assert entry.rank == 1 and entry.score >= 0.29 and entry.reasons


def test_a_withdrawn_technology_disappears_at_once():
    _buyer, need = _need()
    seller, technology = _seller_technology()
    assert _stored(need) == [technology.pk]
    with CaptureQueriesContext(connection):
        transition(technology, Action.WITHDRAW, seller)
    # gone in the withdrawing transaction itself, from both sides
    assert _stored(need) == [] and _stored_needs(technology) == []
    assert selectors.suggested_technologies(need) == []


@pytest.mark.suggestions_after_commit
def test_a_withdrawn_technology_is_gone_before_the_refresh_runs(
    django_capture_on_commit_callbacks,
):
    _buyer, need = _need()
    with django_capture_on_commit_callbacks(execute=True):
        seller, technology = _seller_technology()
    with django_capture_on_commit_callbacks(execute=False) as pending:
        transition(technology, Action.WITHDRAW, seller)
        assert _stored(need) == []
    assert pending  # the lists that held it are refilled after commit


def test_the_read_query_never_shows_a_listing_that_is_no_longer_public():
    buyer, need = _need()
    _seller, technology = _seller_technology()
    # A change that bypassed the services (a raw update): the join on the status still hides it.
    type(technology).objects.filter(pk=technology.pk).update(status=Status.WITHDRAWN)
    assert Suggestion.objects.filter(technology=technology).exists()
    assert selectors.suggested_technologies(need) == []
    type(need).objects.filter(pk=need.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    type(technology).objects.filter(pk=technology.pk).update(status=Status.PUBLISHED)
    assert selectors.suggested_needs(technology) == []


def test_a_revised_technology_is_rescored_and_leaves_a_list_it_no_longer_fits():
    _buyer, need = _need()
    _seller, technology = _seller_technology()
    before = Suggestion.objects.get(need=need, technology=technology, for_need=True).score
    technology.title = "Rice husk gasifier for village power"
    technology.summary = "Gasifies rice husk for village electricity."
    technology.keywords = ["rice husk"]
    technology.save()
    technology.fields.set([])
    after_save(technology)
    assert _stored(need) == [] and _stored_needs(technology) == []
    technology.title = "Hydrogen storage tank, lighter"
    technology.summary = HYDROGEN["summary"]
    technology.save()
    after_save(technology)
    after = Suggestion.objects.get(need=need, technology=technology, for_need=True).score
    assert after != before and _stored(need) == [technology.pk]


def test_an_expired_need_leaves_every_list():
    _buyer, need = _need(deadline=timezone.localdate() + datetime.timedelta(days=3))
    _seller, technology = _seller_technology()
    assert _stored_needs(technology) == [need.pk]
    type(need).objects.filter(pk=need.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    call_command("expire_needs", stdout=io.StringIO())
    need.refresh_from_db()
    assert need.status == Status.EXPIRED
    assert _stored_needs(technology) == [] and _stored(need) == []


def test_a_deleted_technology_leaves_every_list():
    _buyer, need = _need()
    _seller, technology = _seller_technology()
    second = make_technology(title="Hydrogen storage tank, type B", **HYDROGEN)
    assert set(_stored(need)) == {technology.pk, second.pk}
    technology.delete()
    assert _stored(need) == [second.pk]


def test_a_new_need_enters_the_lists_of_its_technologies():
    _seller, technology = _seller_technology()
    assert _stored_needs(technology) == []
    _buyer, need = _need()
    assert _stored_needs(technology) == [need.pk]
    assert _stored(need) == [technology.pk]


def _snapshot():
    # Scores are left out: the nightly rebuild first recomputes every norm from the current
    # document frequencies (the drift it exists to correct), which moves scores a little.
    return sorted(Suggestion.objects.values_list("need_id", "technology_id", "for_need", "rank"))


def test_the_nightly_rebuild_gives_the_incremental_result():
    _buyer, need = _need()
    _need(title="Fuel cell van hydrogen tank wanted", description="A hydrogen tank for vans.")
    seller, first = _seller_technology()
    _seller_technology(title="Hydrogen tank liner", summary="A liner for hydrogen tanks.")
    make_technology(title="Solar roof tiles", summary="Tiles that make power.", fields=("solar",))
    transition(first, Action.WITHDRAW, seller)
    incremental = _snapshot()
    assert incremental
    out = io.StringIO()
    call_command("suggestions_rebuild", "--compare", stdout=out)
    assert "need lists 0/2 differ; technology lists 0/2 differ" in out.getvalue()
    call_command("suggestions_rebuild", stdout=out)
    assert _snapshot() == incremental
    assert "suggestions_rebuild: 2 need lists and 2 technology lists" in out.getvalue()


def test_compare_reports_a_stale_list():
    _buyer, need = _need()
    _seller, technology = _seller_technology()
    Suggestion.objects.filter(need=need, for_need=True).delete()  # as if a refresh was lost
    figures = suggestions.compare(True)
    assert figures == {"lists": 1, "differ": 1, "missing": 1, "extra": 0, "max_shift": 0}


def test_the_nightly_rebuild_is_scheduled_daily():
    assert ("rebuild_suggestions", 24 * 3600) in [(job.__name__, p) for job, p in SCHEDULE]


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context), response.content.decode()


def test_need_and_technology_pages_read_stored_lists_in_constant_queries(client):
    buyer, need = _need()
    seller, technology = _seller_technology()
    client.force_login(buyer)
    one = _queries(client, need.get_absolute_url())
    for n in range(6):
        make_technology(title=f"Hydrogen storage tank variant {n}", **HYDROGEN)
    many = _queries(client, need.get_absolute_url())
    assert len(selectors.suggested_technologies(need)) == 7
    assert many[0] == one[0]
    assert "variant 5" in many[1]
    client.force_login(seller)
    one = _queries(client, technology.get_absolute_url())
    for n in range(4):
        _need(title=f"Hydrogen tank for fuel cell vans, fleet {n}")
    many = _queries(client, technology.get_absolute_url())
    assert many[0] == one[0] and "fleet 3" in many[1]


def test_board_reads_stored_lists_in_constant_queries(client):
    _need()
    _seller_technology()
    client.force_login(make_staff())
    one, _page = _queries(client, reverse("matching:board"))
    for n in range(4):
        _need(title=f"Hydrogen tank for fuel cell vans, fleet {n}")
        make_technology(title=f"Hydrogen storage tank variant {n}", **HYDROGEN)
    many, page = _queries(client, reverse("matching:board"))
    assert many == one
    assert page.count("Confirm and introduce") == 5 * 3


def test_stored_reasons_read_back_as_the_engines_typed_reasons():
    from matching import scoring

    reasons = [
        scoring.FieldsReason(sub_fields=["batteries"], groups=["energy"]),
        scoring.TermsReason(terms=["perovskit"]),
        scoring.TrlReason(fit="below", trl=3, low=5, high=7),
        scoring.PartnershipReason(common=["licence"]),
        scoring.CountryReason(common=["JP"]),
    ]
    assert [scoring.reason_from_json(r.as_json()) for r in reasons] == reasons
