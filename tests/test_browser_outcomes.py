"""Real-browser journey: the university attaches a term sheet, records an agreement, the
company downloads the file and confirms; on another request the company withdraws with a
reason that the university then reads on its feedback page."""

import datetime
from pathlib import Path

import pytest

from accounts.models import Organization
from licensing import services
from licensing.models import Agreement, LicenceRequest
from tests.browser import sign_in
from tests.factories import PASSWORD, make_member, make_technology

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n"


def test_term_sheet_agreement_and_decline_reason(page, browser, live_server, tmp_path):
    university = make_member(type=Organization.Type.UNIVERSITY, name="Sendai University")
    company = make_member(type=Organization.Type.COMPANY, name="Kobe Batteries")
    membrane = make_technology(university.organization, author=university, title="Membrane")
    glass = make_technology(university.organization, author=university, title="Porous glass")
    first = services.send_request(
        company, membrane, purpose=LicenceRequest.Purpose.LICENCE, message="Terms?"
    )
    second = services.send_request(
        company, glass, purpose=LicenceRequest.Purpose.LICENCE, message="Terms?"
    )
    term_sheet = tmp_path / "term-sheet.pdf"
    term_sheet.write_bytes(PDF)

    # The university sends a term sheet and records the agreement.
    sign_in(page, university.email, PASSWORD)
    page.get_by_role("heading", name="Dashboard").wait_for()
    page.goto(first.get_absolute_url())
    page.get_by_label("Your message").fill("Our term sheet.")
    page.get_by_label("Attach a file (optional)").set_input_files(str(term_sheet))
    page.get_by_label("Mark the file as").select_option("term_sheet")
    page.get_by_role("button", name="Send message").click()
    page.get_by_text("Your message was sent.").wait_for()
    page.get_by_text("Record an agreement").click()
    page.get_by_label("Type of agreement").select_option("option")
    page.get_by_label("Date of the agreement").fill("2026-01-15")
    page.get_by_role("button", name="Record the agreement").click()
    page.get_by_text("it counts once the other side confirms").wait_for()

    # The company downloads the file and confirms.
    other = browser.new_context(base_url=live_server.url, locale="en-GB")
    company_page = other.new_page()
    company_page.set_default_timeout(15_000)
    sign_in(company_page, company.email, PASSWORD)
    company_page.get_by_role("heading", name="Dashboard").wait_for()
    company_page.goto(first.get_absolute_url())
    with company_page.expect_download() as download:
        company_page.get_by_role("link", name="term-sheet.pdf").click()
    assert download.value.suggested_filename == "term-sheet.pdf"
    assert Path(download.value.path()).read_bytes() == PDF
    company_page.get_by_role("button", name="Confirm the agreement").click()
    company_page.get_by_text("The agreement is confirmed by both organisations.").wait_for()
    agreement = Agreement.objects.get()
    assert agreement.is_confirmed and agreement.signed_on == datetime.date(2026, 1, 15)

    # The company withdraws the other request with a reason and shares its name.
    company_page.goto(second.get_absolute_url())
    decision = company_page.locator(
        "form", has=company_page.get_by_role("button", name="Withdraw the request")
    )
    decision.locator("select[name=reason]").select_option("too_early")
    decision.get_by_label("Show our organisation's name").check()
    decision.get_by_role("button", name="Withdraw the request").click()
    company_page.get_by_text("The request is now").wait_for()
    other.close()

    page.goto("/requests/feedback/")
    page.get_by_role("link", name="Porous glass").wait_for()
    assert "Kobe Batteries" in page.content()
    assert "Too early stage" in page.content()
