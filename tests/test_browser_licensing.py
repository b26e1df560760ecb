"""Real-browser journey: a company finds a technology, asks for a licence, the university
replies, the company reads the reply."""

import pytest

from accounts.models import Organization
from licensing.models import LicenceRequest
from tests.browser import sign_in
from tests.factories import PASSWORD, make_member, make_technology

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_company_requests_licence_and_reads_university_reply(page, browser, live_server):
    university = make_member(type=Organization.Type.UNIVERSITY, name="Sendai University")
    company = make_member(type=Organization.Type.COMPANY, name="Kobe Batteries")
    make_technology(
        university.organization,
        author=university,
        title="Sodium-ion electrolyte",
        summary="A non-flammable electrolyte for sodium-ion cells.",
        keywords=["battery", "electrolyte"],
    )

    # The company member finds the technology and sends a request.
    sign_in(page, company.email, PASSWORD)
    page.get_by_role("heading", name="Dashboard").wait_for()
    page.goto("/technologies/?q=electrolyte")
    page.get_by_role("link", name="Sodium-ion electrolyte").click()
    page.get_by_role("link", name="Request a licence or collaboration").click()
    page.get_by_label("Licence", exact=True).check()
    page.get_by_label("Message").fill("We would like a licence for grid storage.")
    page.get_by_label("Territory").fill("Japan")
    page.get_by_role("button", name="Send request").click()
    page.get_by_text("Your request was sent").wait_for()
    request = LicenceRequest.objects.get()
    assert request.requester_organization == company.organization

    # The university member sees it as unread, opens it and replies.
    other = browser.new_context(base_url=live_server.url, locale="en-GB")
    uni_page = other.new_page()
    uni_page.set_default_timeout(15_000)
    sign_in(uni_page, university.email, PASSWORD)
    uni_page.get_by_role("heading", name="Dashboard").wait_for()
    badge = uni_page.locator("nav .count").first
    assert badge.locator("[aria-hidden=true]").inner_text() == "1"
    assert badge.locator(".visually-hidden").inner_text() == "1 unread"
    received = uni_page.locator(
        "section", has=uni_page.get_by_role("heading", name="Licence requests received")
    )
    received.get_by_role("link", name="Sodium-ion electrolyte").click()
    uni_page.get_by_text("We would like a licence for grid storage.").wait_for()
    uni_page.get_by_label("Your message").fill("Gladly: can we meet next Tuesday?")
    uni_page.get_by_role("button", name="Send message").click()
    uni_page.get_by_text("Your message was sent.").wait_for()
    other.close()

    # The company member sees the reply in its sent requests.
    page.goto("/requests/sent/")
    page.get_by_role("link", name="Sodium-ion electrolyte").click()
    page.get_by_text("Gladly: can we meet next Tuesday?").wait_for()
    page.get_by_text("In discussion").first.wait_for()
    request.refresh_from_db()
    assert request.status == LicenceRequest.Status.IN_DISCUSSION
