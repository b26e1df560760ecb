"""Real-browser tests (Playwright on Debian's headless Chromium): sign-up and sign-in."""

import re

import pytest
from django.core import mail

from accounts.models import Membership, User
from tests.browser import sign_in
from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _label(text: str) -> re.Pattern:
    # Required fields show a visual "*" after the label text.
    return re.compile(rf"^{re.escape(text)}\W*$")


def test_visitor_signs_up_verifies_and_signs_in(page, live_server):
    page.goto("/accounts/signup/")
    page.get_by_label(_label("Full name")).fill("Mika Ito")
    page.get_by_label(_label("E-mail address")).fill("mika@example.org")
    page.get_by_label(_label("Password")).fill(PASSWORD)
    page.get_by_label(_label("Password again")).fill(PASSWORD)
    page.get_by_label(_label("Organisation name")).fill("Ito Photonics")
    page.get_by_label(_label("Type of organisation")).select_option("startup")
    page.get_by_label(_label("Country")).select_option("JP")
    page.get_by_role("button", name="Create my account").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()

    user = User.objects.get(email="mika@example.org")
    assert not user.is_verified
    membership = user.memberships.get()
    assert membership.role == Membership.Role.ADMIN
    assert membership.organization.name == "Ito Photonics"

    link = re.search(r"https?://\S+/accounts/verify/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_text("your e-mail address is confirmed").wait_for()
    user.refresh_from_db()
    assert user.is_verified

    # The link leads to sign-in (sign-up signs no one in: it must answer alike for a known
    # address); sign in with the new credentials, then sign out through the user menu.
    assert "/accounts/login/" in page.url
    sign_in(page, "mika@example.org", PASSWORD)
    page.get_by_role("heading", name="Dashboard").wait_for()
    page.locator("summary", has_text="Mika").click()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").wait_for()
    sign_in(page, "mika@example.org", PASSWORD)
    page.get_by_role("heading", name="Dashboard").wait_for()
    assert page.url.endswith("/dashboard/")


def test_member_signs_in_and_sees_dashboard(page):
    user = make_member()
    sign_in(page, user.email, PASSWORD)
    page.get_by_role("heading", name="Dashboard").wait_for()
    assert page.url.endswith("/dashboard/")


def test_wrong_password_shows_an_error(page):
    user = make_member()
    sign_in(page, user.email, "not-the-password")
    page.locator("#error-summary").wait_for()
    assert page.url.endswith("/accounts/login/")
    assert page.title().startswith("Error:")
