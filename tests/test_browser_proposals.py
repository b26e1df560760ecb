"""Real-browser journey: a university member proposes a technology for a company's need, and
the company shortlists it."""

import pytest

from accounts.models import Organization
from licensing.models import LicenceRequest
from tests.browser import sign_in
from tests.factories import PASSWORD, make_member, make_need, make_technology

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_university_proposes_technology_and_company_shortlists_it(page, browser, live_server):
    university = make_member(type=Organization.Type.UNIVERSITY, name="Sendai University")
    company = make_member(type=Organization.Type.COMPANY, name="Kobe Batteries")
    make_technology(university.organization, author=university, title="Sodium-ion electrolyte")
    need = make_need(
        company.organization,
        author=company,
        title="Non-flammable battery electrolyte",
        description="We need an electrolyte that does not burn.",
    )

    # A visitor sees the call to action; the university member signs in and proposes.
    page.goto(need.get_absolute_url())
    page.get_by_role("link", name="Sign in to propose").click()
    page.get_by_label("E-mail address").fill(university.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Non-flammable battery electrolyte").wait_for()
    page.get_by_role("link", name="Propose a solution").click()
    page.get_by_label("Your technology").select_option(label="Sodium-ion electrolyte")
    page.get_by_label("Message").fill("Our electrolyte does not burn; shall we test it?")
    page.get_by_role("button", name="Send proposal").click()
    page.get_by_text("Your proposal was sent").wait_for()
    proposal = LicenceRequest.objects.get()
    assert proposal.need == need and proposal.status == LicenceRequest.Status.NEW

    # The company sees it on its dashboard, opens it and shortlists it.
    other = browser.new_context(base_url=live_server.url, locale="en-GB")
    company_page = other.new_page()
    company_page.set_default_timeout(15_000)
    sign_in(company_page, company.email, PASSWORD)
    company_page.get_by_role("heading", name="Dashboard").wait_for()
    received = company_page.locator(
        "section", has=company_page.get_by_role("heading", name="Proposals received for our needs")
    )
    received.get_by_role("link", name="Non-flammable battery electrolyte").click()
    company_page.get_by_text("Our electrolyte does not burn; shall we test it?").wait_for()
    company_page.get_by_role("link", name="Sodium-ion electrolyte").wait_for()
    company_page.get_by_role("button", name="Shortlist").click()
    company_page.get_by_text("The proposal is now “Shortlisted”.").wait_for()
    proposal.refresh_from_db()
    assert proposal.status == LicenceRequest.Status.SHORTLISTED

    # The university sees the new status in its thread.
    page.goto(proposal.get_absolute_url())
    assert page.locator(".badge-shortlisted").first.inner_text() == "Shortlisted"
    other.close()
