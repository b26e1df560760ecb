"""What came of it: an agreement recorded by one organisation counts only once the other
confirms it; staff can correct it; the statistics, API and CSV publish the same aggregates."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from licensing import services
from licensing.models import Agreement, LicenceRequest
from opendata import stats
from tests.factories import make_member, make_need, make_staff, make_technology

pytestmark = pytest.mark.django_db
Type = Agreement.Type


@pytest.fixture
def owner():
    return make_member(type=Organization.Type.UNIVERSITY, country="JP")


@pytest.fixture
def requester():
    return make_member(type=Organization.Type.COMPANY, country="DE")


@pytest.fixture
def conversation(owner, requester):
    technology = make_technology(owner.organization, author=owner, fields=("solar",))
    return services.send_request(
        requester, technology, purpose=LicenceRequest.Purpose.LICENCE, message="Terms?"
    )


def urls(conversation):
    return {
        "record": reverse("licensing:agreement_record", args=[conversation.pk]),
        "confirm": reverse("licensing:agreement_confirm", args=[conversation.pk]),
        "correct": reverse("licensing:agreement_correct", args=[conversation.pk]),
    }


TODAY = datetime.date(2026, 11, 20)


def agreed(conversation, recorder, confirmer, *, type=Type.LICENCE, signed_on=None):
    services.record_agreement(
        conversation, recorder, type=type, signed_on=signed_on or timezone.localdate()
    )
    return services.confirm_agreement(conversation, confirmer)


# Both sides ------------------------------------------------------------------------------


def test_agreement_counts_only_once_the_other_side_confirms(
    client, conversation, owner, requester, django_capture_on_commit_callbacks
):
    client.force_login(requester)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            urls(conversation)["record"], {"type": "option", "signed_on": "2026-01-15"}
        )
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert not agreement.is_confirmed
    assert not Agreement.objects.confirmed().exists()
    assert [m.to for m in mail.outbox] == [[owner.email]]
    # The recorder may not confirm its own record.
    assert client.post(urls(conversation)["confirm"]).status_code == 400
    assert not Agreement.objects.confirmed().exists()

    client.force_login(owner)
    page = client.get(conversation.get_absolute_url()).content.decode()
    assert "Confirm the agreement" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(urls(conversation)["confirm"]).status_code == 302
    agreement.refresh_from_db()
    assert agreement.is_confirmed and agreement.confirmed_by == owner
    assert agreement.type == Type.OPTION and agreement.signed_on == datetime.date(2026, 1, 15)
    assert [m.to for m in mail.outbox] == [[requester.email]]


def test_changing_a_confirmed_agreement_needs_a_new_confirmation(conversation, owner, requester):
    agreed(conversation, owner, requester)
    services.record_agreement(
        conversation, owner, type=Type.ASSIGNMENT, signed_on=timezone.localdate()
    )
    assert not Agreement.objects.get().is_confirmed


def test_outsiders_cannot_record_or_confirm(client, conversation, owner, requester):
    outsider = make_member(type=Organization.Type.COMPANY)
    client.force_login(outsider)
    data = {"type": "licence", "signed_on": "2026-01-15"}
    assert client.post(urls(conversation)["record"], data).status_code == 404
    assert client.post(urls(conversation)["confirm"]).status_code == 404
    staff = make_staff()
    with pytest.raises(services.RequestError):
        services.record_agreement(conversation, staff, type=Type.LICENCE, signed_on=TODAY)
    services.record_agreement(conversation, owner, type=Type.LICENCE, signed_on=TODAY)
    with pytest.raises(services.RequestError):
        services.confirm_agreement(conversation, staff)
    assert not Agreement.objects.confirmed().exists()


def test_bad_agreement_input_is_a_400_that_keeps_what_was_typed(client, conversation, owner):
    client.force_login(owner)
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(urls(conversation)["record"], {"type": "option", "signed_on": future})
    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot be in the future" in html
    assert f'value="{future}"' in html
    response = client.post(urls(conversation)["record"], {"type": "merger", "signed_on": "x"})
    assert response.status_code == 400
    assert not Agreement.objects.exists()


def test_no_agreement_on_a_withdrawn_conversation(conversation, owner, requester):
    services.change_status(conversation, requester, LicenceRequest.Status.WITHDRAWN, reason="terms")
    with pytest.raises(services.RequestError):
        services.record_agreement(conversation, owner, type=Type.LICENCE, signed_on=TODAY)


def test_proposal_can_end_in_an_agreement(owner, requester):
    need = make_need(requester.organization, author=requester)
    technology = make_technology(owner.organization, author=owner)
    proposal = services.send_proposal(owner, need, technology=technology, message="Ours.")
    agreed(proposal, requester, owner, type=Type.JOINT_DEVELOPMENT)
    assert Agreement.objects.confirmed().get().request == proposal


# Staff correction ------------------------------------------------------------------------


def test_staff_correct_kind_date_and_whether_it_counts(client, conversation, owner, requester):
    agreed(conversation, owner, requester)
    client.force_login(owner)
    data = {"type": "assignment", "signed_on": "2025-12-01", "confirmed": ""}
    assert client.post(urls(conversation)["correct"], data).status_code == 403
    staff = make_staff()
    client.force_login(staff)
    assert "Correct the agreement" in client.get(conversation.get_absolute_url()).content.decode()
    assert client.post(urls(conversation)["correct"], data).status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.type == Type.ASSIGNMENT
    assert agreement.signed_on == datetime.date(2025, 12, 1)
    assert not agreement.is_confirmed
    assert agreement.corrected_by == staff
    client.post(urls(conversation)["correct"], data | {"confirmed": "on"})
    assert Agreement.objects.confirmed().exists()


def test_outsider_gets_404_on_correction(client, conversation, owner, requester):
    agreed(conversation, owner, requester)
    client.force_login(make_member())
    data = {"type": "assignment", "signed_on": "2025-12-01"}
    assert client.post(urls(conversation)["correct"], data).status_code in (403, 404)
    assert Agreement.objects.get().type == Type.LICENCE


# Aggregates ------------------------------------------------------------------------------


def published():
    return stats.apply_privacy_rule(stats.compute_statistics())


def make_agreements(n, *, confirmed=True, signed_on=None):
    for _ in range(n):
        owner = make_member(type=Organization.Type.UNIVERSITY, country="JP")
        requester = make_member(type=Organization.Type.COMPANY, country="DE")
        technology = make_technology(owner.organization, author=owner, fields=("solar",))
        conversation = services.send_request(
            requester, technology, purpose=LicenceRequest.Purpose.LICENCE, message="Terms?"
        )
        services.record_agreement(
            conversation,
            owner,
            type=Type.LICENCE,
            signed_on=signed_on or timezone.localdate(),
        )
        if confirmed:
            services.confirm_agreement(conversation, requester)


def row(rows, key, value):
    return next(r for r in rows if r[key] == value)


def test_unconfirmed_agreements_never_count():
    make_agreements(4, confirmed=False)
    raw = stats.compute_statistics()
    assert raw["totals"]["agreements"] == 0
    assert row(raw["agreements_by_field"], "slug", "alternative-energy")["agreements"] == 0


def test_agreements_by_field_country_and_month_from_the_threshold_up(client):
    this_month = timezone.localdate().strftime("%Y-%m")
    make_agreements(2)
    data = published()
    assert data["totals"]["agreements"] is None
    assert row(data["agreements_by_field"], "slug", "alternative-energy")["agreements"] is None
    make_agreements(1)
    make_agreements(1, signed_on=datetime.date(2001, 1, 1))  # counts, outside the months
    data = published()
    assert data["totals"]["agreements"] == 4
    assert row(data["agreements_by_field"], "slug", "alternative-energy")["agreements"] == 4
    assert row(data["agreements_by_field"], "slug", "ict")["agreements"] is None
    # Each agreement counts once in each of its two organisations' countries.
    assert row(data["agreements_by_country"], "country", "JP")["agreements"] == 4
    assert row(data["agreements_by_country"], "country", "DE")["agreements"] == 4
    assert row(data["agreements_by_month"], "month", this_month)["agreements"] == 3

    page = client.get("/statistics/").content.decode()
    assert "Agreements by field" in page and "Agreements by month" in page

    api = client.get(reverse("api:statistics")).json()
    assert api["totals"]["agreements"] == 4
    assert row(api["agreements_by_country"], "country", "DE")["agreements"] == 4
    assert row(api["agreements_by_month"], "month", this_month)["agreements"] == 3

    response = client.get(reverse("opendata:statistics_csv", args=["agreements"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().lstrip("\ufeff").splitlines()
    assert lines[0] == "breakdown,key,agreements"
    assert "field,alternative-energy,4" in lines
    assert "field,ict," in lines  # below the threshold: empty, like null in the API
    assert "country,JP,4" in lines
    assert f"month,{this_month},3" in lines


def test_unknown_statistics_table_is_404(client):
    assert client.get("/statistics/nothing.csv").status_code == 404


def test_aggregate_queries_do_not_grow_with_agreements():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_agreements(1)
    with CaptureQueriesContext(connection) as few:
        stats.compute_statistics()
    make_agreements(4)
    with CaptureQueriesContext(connection) as many:
        stats.compute_statistics()
    assert len(many.captured_queries) == len(few.captured_queries)


def test_confirming_an_agreement_refreshes_the_cached_figures(
    conversation, owner, requester, django_capture_on_commit_callbacks
):
    make_agreements(2)
    assert stats.public_statistics()["totals"]["agreements"] is None
    with django_capture_on_commit_callbacks(execute=True):
        agreed(conversation, owner, requester)
    assert stats.public_statistics()["totals"]["agreements"] == 3
