"""Real-browser checks on a 390 px phone (and a desktop for contrast): results before filters,
a one-line header with a menu, tables and charts that fit, no page wider than the screen.

On failure each test saves a screenshot in a temporary directory and prints its path."""

import contextlib
import tempfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Organization
from lib.uploads import clean_image
from licensing import services as licensing
from listings import services
from tests.browser import sign_in
from tests.factories import PASSWORD, make_member, make_need, make_technology, png_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def site():
    university = make_member(type=Organization.Type.UNIVERSITY, name="Sendai University")
    company = make_member(type=Organization.Type.COMPANY, name="Kobe Batteries")
    technologies = [
        make_technology(
            university.organization,
            author=university,
            title=f"Heat recovery exchanger with a deliberately long title, model {i}",
            fields=("industrial-efficiency", "solar"),
            countries=["JP", "DE", "US"],
        )
        for i in range(4)
    ]
    upload = SimpleUploadedFile("photo.png", png_bytes(size=(1200, 900)))
    services.add_image(technologies[0], clean_image(upload), "Prototype in the wind tunnel")
    need = make_need(
        company.organization,
        title="Battery fire detection on sorting lines",
        partnerships=["non_exclusive_licence", "technical_assistance", "joint_development"],
        keywords=["lithium batteries", "fires", "materials recovery facility"],
        countries=["US", "JP"],
    )
    licensing.send_request(
        company, technologies[0], purpose="licence", message="We would like a licence."
    )
    return {"university": university, "company": company, "need": need, "tech": technologies[0]}


@contextlib.contextmanager
def screenshot_on_failure(page, name: str):
    try:
        yield
    except Exception:
        path = Path(tempfile.mkdtemp(prefix="browser-phone-")) / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"Screenshot of the failure: {path}")
        raise


def open_page(browser, live_server, viewport, path, user=None):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    if user is not None:
        sign_in(page, user.email, PASSWORD)
        page.get_by_role("heading", name="Dashboard").wait_for()
    page.goto(path)
    return page


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_phone_list_shows_results_before_a_closed_filters_disclosure(browser, live_server, site):
    page = open_page(browser, live_server, PHONE, "/technologies/")
    with screenshot_on_failure(page, "phone-list"):
        disclosure = page.locator("details.filters-disclosure")
        assert disclosure.get_attribute("open") is None
        assert page.get_by_label("Field of technology").is_hidden()
        first = page.locator(".listing-card").first.bounding_box()
        assert first["y"] + 80 < PHONE["height"]  # the first result starts on the first screen
        card_picture = page.locator(".listing-card img.card-picture").first.bounding_box()
        assert card_picture["x"] + card_picture["width"] <= PHONE["width"]
        # The disclosure opens the whole panel, and the filters still work without a reload.
        page.get_by_text("Filters", exact=True).click()
        assert page.get_by_label("Field of technology").is_visible()
        assert overflow(page) <= 0


def test_desktop_list_shows_the_filters_without_a_disclosure(browser, live_server, site):
    page = open_page(browser, live_server, DESKTOP, "/technologies/")
    with screenshot_on_failure(page, "desktop-list"):
        assert page.get_by_label("Field of technology").is_visible()
        assert page.locator("details.filters-disclosure > summary").is_hidden()
        assert page.locator("header").get_by_role("link", name="Needs").is_visible()
        assert page.locator("details.nav-menu > summary").is_hidden()


def test_phone_header_is_one_line_with_a_closed_menu(browser, live_server, site):
    page = open_page(browser, live_server, PHONE, "/", user=site["company"])
    with screenshot_on_failure(page, "phone-header"):
        header = page.locator("header.site-header").bounding_box()
        assert header["height"] < 90  # brand, Menu and language on one row
        menu = page.locator("details.nav-menu")
        assert menu.get_attribute("open") is None
        summary = page.locator("details.nav-menu > summary").bounding_box()
        assert summary["height"] < 40  # "☰ Menu" on one line
        needs = page.locator("header").get_by_role("link", name="Needs")
        assert needs.is_hidden()
        page.locator("details.nav-menu > summary").click()
        assert needs.is_visible()
        box = needs.bounding_box()
        assert box["x"] + box["width"] <= PHONE["width"]
        assert overflow(page) <= 0


def test_phone_inbox_keeps_status_and_last_activity_on_screen(browser, live_server, site):
    page = open_page(browser, live_server, PHONE, "/requests/received/", user=site["university"])
    with screenshot_on_failure(page, "phone-inbox"):
        for label in ("Status", "Last activity"):
            cell = page.locator(f'table td[data-label="{label}"]').first
            assert cell.is_visible()
            box = cell.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
            assert (
                page.evaluate(
                    "label => getComputedStyle(document.querySelector("
                    "`td[data-label='${label}']`), '::before').content",
                    label,
                )
                == f'"{label}"'
            )
        assert page.locator("td[data-label=Status]").first.inner_text().strip() == "Open"
        assert overflow(page) <= 0


def test_phone_chart_labels_are_whole_and_at_least_11_px(browser, live_server, site):
    page = open_page(browser, live_server, PHONE, "/statistics/")
    with screenshot_on_failure(page, "phone-charts"):
        sizes = page.evaluate(
            """() => [...document.querySelectorAll('svg.chart text')].map(text => {
                 const svg = text.ownerSVGElement;
                 const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                 return parseFloat(getComputedStyle(text).fontSize) * scale;
               })"""
        )
        assert sizes and min(sizes) >= 11, min(sizes)
        labels = page.evaluate(
            """() => [...document.querySelectorAll('#fields svg text.chart-label')].map(
                 text => [...text.querySelectorAll('tspan')].map(t => t.textContent).join(' '))"""
        )
        assert "Energy conservation and efficiency" in labels
        assert not any("…" in label for label in labels)
        outside = page.evaluate(
            """() => [...document.querySelectorAll('svg.chart text')].filter(text => {
                 const box = text.getBoundingClientRect();
                 const frame = text.ownerSVGElement.getBoundingClientRect();
                 return box.left < frame.left - 1 || box.right > frame.right + 1;
               }).map(text => text.textContent)"""
        )
        assert outside == []
        assert overflow(page) <= 0


def test_desktop_need_glance_values_keep_their_width(browser, live_server, site):
    page = open_page(browser, live_server, DESKTOP, site["need"].get_absolute_url())
    with screenshot_on_failure(page, "desktop-need"):
        facts = page.locator("aside dl.facts")
        width = facts.bounding_box()["width"]
        for dd in facts.locator("dd").all():
            assert dd.bounding_box()["width"] >= width * 0.9
        partnerships = facts.locator("dd").nth(1)
        line = page.evaluate(
            "el => parseFloat(getComputedStyle(el).lineHeight)", partnerships.element_handle()
        )
        assert partnerships.bounding_box()["height"] <= 3 * line + 1  # not one word a line


def test_country_filter_box_narrows_the_list_and_updates_the_chosen_line(
    browser, live_server, site
):
    page = open_page(browser, live_server, PHONE, "/technologies/new/", user=site["university"])
    with screenshot_on_failure(page, "phone-countries"):
        page.get_by_label("Find a country").fill("germ")
        visible = page.locator("#id_countries_list li:visible")
        assert visible.count() == 1
        visible.get_by_label("Germany").check()
        assert page.locator(".choice-chosen").inner_text() == "Germany"
        page.get_by_label("Find a country").press("Enter")  # does not submit the form
        assert page.url.endswith("/technologies/new/")
        assert page.locator("fieldset.choice-group legend").first.is_visible()
        assert overflow(page) <= 0


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_main_pages_never_scroll_sideways_on_a_phone(browser, live_server, site, lang):
    pages = [
        "/",
        "/technologies/",
        "/needs/",
        site["tech"].get_absolute_url(),
        site["need"].get_absolute_url(),
        site["university"].organization.get_absolute_url(),
        "/statistics/",
        "/requests/received/",
        f"/technologies/{site['tech'].pk}/images/",
        "/technologies/new/",
    ]
    page = open_page(browser, live_server, PHONE, "/", user=site["university"])
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    for path in pages:
        page.goto(path)
        with screenshot_on_failure(page, f"overflow-{lang}-{path.strip('/').replace('/', '-')}"):
            assert overflow(page) <= 0, path
