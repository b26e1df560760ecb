"""Real-browser journey: JPO staff appoint an IP adviser, the adviser proposes an edit that
raises a listing's quality score, and the university accepts it."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Membership, Organization
from advisers.models import Proposal
from listings.lifecycle import Status
from tests.browser import sign_in
from tests.factories import PASSWORD, make_organization, make_staff, make_technology, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def new_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def score_on(page) -> int:
    return int(page.locator(".quality-score").first.inner_text().split("/")[0].strip())


def test_staff_appoint_adviser_proposes_university_accepts(page, browser, live_server):
    university = make_organization(
        name="Hokkaido Example University", type=Organization.Type.UNIVERSITY
    )
    owner = make_user(organization=university, role=Membership.Role.ADMIN)
    technology = make_technology(
        university,
        status=Status.DRAFT,
        title="Ice-phobic coating for wind turbine blades",
        benefits="Better than current coatings.",
    )
    adviser = make_user(email="ip.adviser@example.org", full_name="Kenji Adviser")
    moderator = make_staff()
    today = timezone.localdate()

    # JPO staff appoint the adviser for the university.
    sign_in(page, moderator.email, PASSWORD)
    page.get_by_role("heading", name="Dashboard").wait_for()
    page.get_by_role("link", name="IP advisers").first.click()
    page.get_by_role("link", name="Appoint an IP adviser").click()
    page.get_by_label("IP adviser's e-mail address").fill("ip.adviser@example.org")
    page.get_by_label("Universities and research institutes").select_option(str(university.pk))
    page.get_by_label("First day").fill((today - datetime.timedelta(days=1)).isoformat())
    page.get_by_label("Last day").fill((today + datetime.timedelta(days=180)).isoformat())
    page.get_by_role("button", name="Appoint").click()
    page.get_by_text("The IP adviser was appointed.").wait_for()
    assert page.get_by_role("cell", name="Hokkaido Example University").count() == 1

    # The adviser finds the unpublished seed, sees what it lacks and proposes an edit.
    adviser_page = new_page(browser, live_server)
    sign_in(adviser_page, adviser.email, PASSWORD)
    adviser_page.get_by_role("link", name="Hokkaido Example University").click()
    adviser_page.get_by_role("link", name="Ice-phobic coating for wind turbine blades").click()
    before = score_on(adviser_page)
    assert adviser_page.get_by_text("Quantify the benefit over the current solution").count() == 1
    adviser_page.get_by_role("link", name="Propose an edit").click()
    adviser_page.get_by_label("Benefits and advantages").fill(
        "Ice adhesion 80 % lower than PTFE coatings; used in wind turbines and aircraft wings."
    )
    adviser_page.get_by_label("Message to the owner").fill("A figure makes the benefit concrete.")
    adviser_page.get_by_role("button", name="Send the proposal").click()
    adviser_page.get_by_text("Your proposal was sent to the organisation.").wait_for()
    proposal = Proposal.objects.get()
    assert proposal.score_after > proposal.score_before == before

    # The university accepts it; the listing's score rises.
    page = new_page(browser, live_server)
    sign_in(page, owner.email, PASSWORD)
    page.get_by_role("heading", name="Dashboard").wait_for()
    page.goto(technology.get_absolute_url())
    page.get_by_role("link", name="Workbench: listing quality").click()
    page.get_by_text("A figure makes the benefit concrete.").wait_for()
    page.get_by_role("button", name="Accept the proposed edit").click()
    page.get_by_text("The proposed edit was accepted.").wait_for()
    assert score_on(page) == proposal.score_after > before
    assert page.get_by_text("Quantify the benefit over the current solution").count() == 0
    technology.refresh_from_db()
    assert technology.benefits.startswith("Ice adhesion 80 % lower")
