"""Real-browser journey: a university posts a technology, JPO staff approve it, a visitor finds it."""

import pytest

from listings.lifecycle import Status
from listings.models import Technology
from tests.browser import sign_in
from tests.factories import PASSWORD, make_member, make_staff

pytestmark = pytest.mark.django_db(transaction=True)


def new_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def test_university_posts_moderator_approves_visitor_finds(page, browser, live_server):
    member = make_member(name="Kanto Institute of Technology")
    moderator = make_staff()

    # A university member posts a technology and submits it for review.
    sign_in(page, member.email, PASSWORD)
    page.get_by_role("heading", name="Dashboard").wait_for()
    page.goto("/technologies/new/")
    page.get_by_label("Title").fill("Self-healing concrete with dormant bacteria")
    page.get_by_label("Short summary").fill("Bacterial spores in the mix close cracks in concrete.")
    page.get_by_label("Full description").fill(
        "When water enters a crack the spores germinate and precipitate calcite, sealing it."
    )
    fields = page.get_by_role("group", name="Fields of technology")
    fields.get_by_role("group", name="Alternative energy").get_by_label("Solar energy").check()
    page.get_by_label("Find a country").fill("japan")
    page.get_by_label("Japan", exact=True).check()
    page.get_by_label("Keywords").fill("concrete, bacteria, 自己治癒")
    page.get_by_label("Technology readiness level").select_option("5")
    page.get_by_label("IP status").select_option("pending")
    page.get_by_label("Non-exclusive licence").check()
    page.get_by_role("button", name="Save as draft").click()
    page.get_by_text("The technology was saved.").wait_for()
    technology = Technology.objects.get()
    assert technology.status == Status.DRAFT
    assert [f.slug for f in technology.fields.all()] == ["solar"] and technology.countries == ["JP"]
    page.get_by_role("button", name="Submit for review").click()
    page.get_by_text("Done: the listing is now").wait_for()
    technology.refresh_from_db()
    assert technology.status == Status.SUBMITTED

    # Before approval an anonymous visitor cannot find or open it.
    visitor = new_page(browser, live_server)
    visitor.goto("/technologies/?q=concrete")
    assert visitor.get_by_text("Self-healing concrete").count() == 0
    response = visitor.goto(f"/technologies/{technology.pk}/")
    assert response.status == 404

    # A moderator approves it from the queue.
    staff_page = new_page(browser, live_server)
    sign_in(staff_page, moderator.email, PASSWORD)
    staff_page.get_by_role("heading", name="Dashboard").wait_for()
    staff_page.goto("/moderation/")
    staff_page.get_by_role("link", name="Self-healing concrete with dormant bacteria").click()
    staff_page.get_by_role("button", name="Approve and publish").click()
    staff_page.get_by_role("heading", name="Moderation queue").wait_for()
    technology.refresh_from_db()
    assert technology.status == Status.PUBLISHED

    # An anonymous visitor finds it by search, with the matched word highlighted.
    visitor.goto("/technologies/")
    visitor.get_by_role("searchbox", name="Search").fill("bacteria concrete")
    visitor.get_by_role("button", name="Apply").click()
    visitor.get_by_role("link", name="Self-healing concrete with dormant bacteria").wait_for()
    assert "q=bacteria+concrete" in visitor.url
    assert visitor.locator("mark").count() >= 1
    visitor.get_by_role("link", name="Self-healing concrete with dormant bacteria").click()
    visitor.get_by_role("heading", name="Self-healing concrete with dormant bacteria").wait_for()
    assert visitor.get_by_text("Kanto Institute of Technology").count() >= 1
    # The Japanese keyword finds it too.
    visitor.goto("/technologies/?q=自己治癒")
    visitor.get_by_role("link", name="Self-healing concrete with dormant bacteria").wait_for()
