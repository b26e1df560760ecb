"""Organisation names in the page's language: the model's rule, and the pages that show names."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import Membership
from listings.lifecycle import Status
from tests.factories import make_member, make_technology

pytestmark = pytest.mark.django_db

EN, JA = "Kanto Tech Institute", "関東工業大学"


@pytest.fixture
def member():
    return make_member(name=EN, name_ja=JA, role=Membership.Role.ADMIN)


def test_localized_name_follows_the_active_language(member):
    organization = member.organization
    with translation.override("ja"):
        assert organization.localized_name() == JA
    with translation.override("en"):
        assert organization.localized_name() == EN
    organization.name_ja = ""
    with translation.override("ja"):
        assert organization.localized_name() == EN


def test_header_shows_the_japanese_name_on_japanese_pages(client, member):
    client.force_login(member)
    client.cookies["django_language"] = "ja"
    html = client.get(reverse("dashboard")).content.decode()
    header = html.split("</header>")[0]
    assert JA in header and EN not in header
    client.cookies["django_language"] = "en"
    header = client.get(reverse("dashboard")).content.decode().split("</header>")[0]
    assert EN in header and JA not in header


@pytest.mark.parametrize("page", ["profile", "members"])
def test_own_organisation_pages_use_the_japanese_name(client, member, page):
    client.force_login(member)
    client.cookies["django_language"] = "ja"
    url = reverse("accounts:profile" if page == "profile" else "accounts:members")
    main = client.get(url).content.decode().split('<main id="main"')[1]
    assert JA in main and EN not in main


def test_moderation_pages_use_the_japanese_name(client, staff, member):
    technology = make_technology(member.organization, status=Status.SUBMITTED)
    client.force_login(staff)
    client.cookies["django_language"] = "ja"
    for url in (
        reverse("listings:moderation_queue"),
        reverse("listings:review", args=["technology", technology.pk]),
    ):
        main = client.get(url).content.decode().split('<main id="main"')[1]
        assert JA in main and EN not in main, url
