"""Real browser: the main pages and the API reference satisfy their Content-Security-Policy and
ask no other site for anything."""

from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from listings import services as listing_services
from tests.browser import sign_in
from tests.factories import PASSWORD, make_member, make_need, make_technology, png_bytes

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC_PAGES = [
    "/",
    "/technologies/",
    "/needs/",
    "/statistics/",
    "/about/",
    "/api/",
    "/accounts/login/",
    "/accounts/signup/",
    "/no-such-page/",
]


@pytest.fixture
def watched(page, live_server):
    """The page, and what it did wrong: CSP violations, script errors, other origins asked."""
    problems = []
    own = urlsplit(live_server.url).netloc

    def on_console(message):
        if "Content Security Policy" in message.text or message.type == "error":
            problems.append(f"console {message.type}: {message.text}")

    def on_request(request):
        url = urlsplit(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.netloc != own:
            problems.append(f"request to another origin: {request.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("request", on_request)
    return page, problems


def _visit(page, path):
    response = page.goto(path, wait_until="networkidle")
    assert response.headers.get("content-security-policy"), path


def test_main_pages_break_no_policy_and_stay_on_the_site(watched):
    page, problems = watched
    member = make_member()
    technology = make_technology(member.organization, title="Photonic crystal laser")
    image = SimpleUploadedFile("laser.png", png_bytes(size=(400, 300)), content_type="image/png")
    listing_services.add_image(technology, image, caption="The laser")
    need = make_need(member.organization, title="Low-cost water sensor")
    pages = PUBLIC_PAGES + [
        technology.get_absolute_url(),
        need.get_absolute_url(),
        member.organization.get_absolute_url(),
    ]
    for path in pages:
        _visit(page, path)
        # Every image shown (the gallery's, organisation logos) loaded under img-src.
        images = page.locator("main img")
        assert images.evaluate_all("els => els.every(e => e.complete && e.naturalWidth > 0)")
        if path == technology.get_absolute_url():
            assert images.count() >= 1
    # 404 for /no-such-page/ is logged by the browser as a failed resource; nothing else is.
    problems = [p for p in problems if "status of 404" not in p]

    sign_in(page, member.email, PASSWORD)
    page.get_by_role("heading", name="Dashboard").wait_for()
    for path in ["/dashboard/", "/technologies/new/", "/accounts/profile/"]:
        _visit(page, path)
    assert problems == []


def test_api_reference_works_under_its_policy_and_asks_no_other_site(watched):
    page, problems = watched
    _visit(page, "/api/docs/")
    page.get_by_text("Tech Transfer Exchange open data API").first.wait_for()
    page.get_by_text("API docs by Redocly").wait_for()
    # Redoc's search runs in its blob: worker.
    page.get_by_placeholder("Search...").fill("technologies")
    page.locator("[role=search] li, [data-role='search:result']").first.wait_for()
    assert problems == []
