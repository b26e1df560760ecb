"""axe-core (from npm, see package.json) in the real browser: the main pages in English and
Japanese at desktop and phone widths have no violations; and the keyboard behaviours axe cannot
judge (error summary focus, Escape on the account menu)."""

from pathlib import Path

import pytest
from django.conf import settings

from tests.browser import sign_in
from tests.factories import PASSWORD, make_member, make_need, make_technology

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 390)
LANGUAGES = ("en", "ja")
SHOTS = Path("/tmp/axe-failures")


@pytest.fixture
def listings():
    provider = make_member(name="Kanto Institute of Technology", name_ja="関東工業大学")
    technology = make_technology(
        provider.organization,
        title="Perovskite solar cell on flexible film",
        keywords=["perovskite", "thin film"],
    )
    make_technology(provider.organization, title="有機薄膜太陽電池の封止技術", language="ja")
    need = make_need(title="Cooling for outdoor battery cabinets")
    make_need(title="工場排熱の回収技術", language="ja")
    return provider, technology, need


def run_axe(page) -> list[dict]:
    assert AXE.exists(), "axe-core is missing: run `npm ci` (make test does)"
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                 "wcag22aa", "best-practice"]},
            });
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary),
            }));
        }"""
    )


def new_page(browser, live_server, language, width):
    # bypass_csp: axe is injected as a script the site's own policy would (rightly) refuse.
    context = browser.new_context(
        base_url=live_server.url,
        locale="ja-JP" if language == "ja" else "en-GB",
        viewport={"width": width, "height": 900},
        bypass_csp=True,
    )
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def test_main_pages_have_no_axe_violations(browser, live_server, settings, listings):
    settings.SITE_URL = live_server.url
    provider, technology, need = listings
    public = [
        "/",
        "/technologies/",
        technology.get_absolute_url(),
        "/needs/",
        need.get_absolute_url(),
        "/accounts/login/",
        "/accounts/signup/",
        "/statistics/",
    ]
    signed_in = ["/technologies/new/", "/dashboard/"]
    failures = {}
    SHOTS.mkdir(exist_ok=True)
    for language in LANGUAGES:
        for width in WIDTHS:
            page = new_page(browser, live_server, language, width)
            for path in public:
                check(page, path, language, width, failures)
            sign_in_as(page, provider, language)
            for path in signed_in:
                check(page, path, language, width, failures)
            # A failed submit: the error summary and the marked fields are checked too.
            page.goto("/technologies/new/")
            page.locator("main form button[type=submit]").first.click()
            page.wait_for_load_state()
            collect(page, "/technologies/new/ (errors)", language, width, failures)
            page.context.close()
    assert not failures, "\n".join(f"{key}: {value}" for key, value in failures.items())


def sign_in_as(page, user, language):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/dashboard/")


def check(page, path, language, width, failures):
    response = page.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    collect(page, path, language, width, failures)


def collect(page, label, language, width, failures):
    violations = run_axe(page)
    if violations:
        key = f"{label} [{language}, {width}px]"
        failures[key] = violations
        safe = "".join(c if c.isalnum() else "_" for c in key)
        page.screenshot(path=str(SHOTS / f"{safe}.png"), full_page=True)


def test_failed_submit_focuses_an_error_summary_linking_to_fields(page, live_server):
    member = make_member()
    sign_in(page, member.email, PASSWORD)
    page.get_by_role("heading", name="Dashboard").wait_for()
    page.goto("/technologies/new/")
    page.get_by_role("button", name="Save as draft").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.title().startswith("Error:")
    page.locator("#error-summary a", has_text="Title").click()
    assert page.evaluate("document.activeElement.id") == "id_title"


def test_account_menu_closes_with_escape(page, live_server):
    member = make_member()
    sign_in(page, member.email, PASSWORD)
    page.get_by_role("heading", name="Dashboard").wait_for()
    menu = page.locator("details.menu")
    menu.locator("summary").click()
    assert menu.get_attribute("open") is not None
    page.keyboard.press("Escape")
    page.wait_for_function("!document.querySelector('details.menu').open")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"


CONTRAST = """(el) => {
    const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
    const lum = ([r, g, b]) => {
        const c = [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const background = (node) => {
        for (; node; node = node.parentElement) {
            const c = getComputedStyle(node).backgroundColor;
            if (!c.startsWith("rgba(0, 0, 0, 0)") && c !== "transparent") return rgb(c);
        }
        return [255, 255, 255];
    };
    const style = getComputedStyle(el);
    return {
        focusVisible: el.matches(":focus-visible"),
        ring: ratio(rgb(style.outlineColor), background(el.parentElement)),
        outlineWidth: parseFloat(style.outlineWidth),
    };
}"""


def test_focus_ring_contrasts_at_least_3_to_1_on_cards_and_page(page, live_server):
    make_technology(title="Perovskite solar cell on flexible film")
    page.goto("/technologies/")
    card_link = page.locator(".listing-card h3 a").first
    page_link = page.locator("main > h1 ~ * a").first
    for link in (card_link, page_link):
        link.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # a keyboard focus, so :focus-visible applies
        found = link.evaluate(CONTRAST)
        assert found["focusVisible"]
        assert found["outlineWidth"] >= 2
        assert found["ring"] >= 3, found
