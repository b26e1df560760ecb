"""Rules that live in services and selectors, called directly as views, commands and other
pages call them: an organisation keeps an administrator, removing an image, the public list's
search (typo fallback, cleaned snippets), who sees a contact e-mail, the staff queue counts."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict

from accounts import services as account_services
from accounts.models import Membership
from lib.uploads import clean_image
from listings import selectors
from listings import services as listing_services
from listings.filters import TechnologyFilterSet
from listings.lifecycle import Status
from listings.models import Technology, TechnologyImage
from tests.factories import make_member, make_staff, make_technology, make_user, png_bytes

pytestmark = pytest.mark.django_db


# --- An organisation keeps an administrator ------------------------------------------------


@pytest.fixture
def admin_and_member():
    admin = make_member(role=Membership.Role.ADMIN)
    member = make_user(organization=admin.organization)
    return admin, member


def test_an_administrator_cannot_remove_themselves(admin_and_member):
    admin, _member = admin_and_member
    own = admin.memberships.get()
    with pytest.raises(account_services.MembershipError):
        account_services.remove_membership(own, by=admin)
    assert Membership.objects.filter(pk=own.pk).exists()


def test_an_administrator_cannot_change_their_own_role(admin_and_member):
    admin, _member = admin_and_member
    own = admin.memberships.get()
    with pytest.raises(account_services.MembershipError):
        account_services.set_role(own, Membership.Role.MEMBER, by=admin)
    own.refresh_from_db()
    assert own.role == Membership.Role.ADMIN


def test_an_administrator_changes_and_removes_another_member(admin_and_member):
    admin, member = admin_and_member
    membership = member.memberships.get()
    account_services.set_role(membership, Membership.Role.ADMIN, by=admin)
    membership.refresh_from_db()
    assert membership.role == Membership.Role.ADMIN
    account_services.remove_membership(membership, by=admin)
    assert not Membership.objects.filter(pk=membership.pk).exists()


# --- Removing an image -----------------------------------------------------------------------


def test_removing_an_image_deletes_its_files_and_its_row():
    technology = make_technology()
    upload = SimpleUploadedFile("photo.png", png_bytes(size=(600, 400)))
    image = listing_services.add_image(technology, clean_image(upload), "Prototype")
    storage = image.image.storage
    names = [image.image.name, image.thumbnail.name]
    assert all(storage.exists(name) for name in names)

    listing_services.remove_image(image)

    assert not TechnologyImage.objects.filter(pk=image.pk).exists()
    assert not any(storage.exists(name) for name in names)


# --- The public list's search ----------------------------------------------------------------


def search(query: str, page="1"):
    data = QueryDict(mutable=True)
    data["q"] = query
    return selectors.search_listings(Technology, TechnologyFilterSet, data, page)


def test_search_without_a_match_falls_back_to_similar_titles():
    make_technology(title="Perovskite tandem solar cell")
    make_technology(title="Rice husk gasifier")
    results = search("perovskit tandme")
    assert results.valid and results.similar
    assert [t.title for t in results.page] == ["Perovskite tandem solar cell"]


def test_search_snippets_keep_only_the_marks_and_escape_the_text():
    make_technology(title="Graphene", summary="Graphene <b>films</b> for batteries & cells.")
    results = search("graphene")
    assert not results.similar
    (card,) = results.page  # a technology's card: its markup (listings.cards.KeptCard)
    assert "<mark>Graphene</mark>" in card.html
    assert "batteries &amp; cells" in card.html
    assert "<b>" not in card.html


def test_invalid_filters_give_an_empty_page_marked_invalid():
    make_technology(title="Anything")
    data = QueryDict("trl_min=eleven")
    results = selectors.search_listings(Technology, TechnologyFilterSet, data, None)
    assert not results.valid
    assert list(results.page) == []


# --- Who sees a technology's contact e-mail --------------------------------------------------


def test_contact_email_is_shown_to_signed_in_users_only():
    technology = make_technology(contact_name="Dr Ito", contact_email="ito@example.org")
    assert selectors.shows_contact_email(technology, make_user())
    assert not selectors.shows_contact_email(technology, AnonymousUser())
    technology.contact_email = ""
    assert not selectors.shows_contact_email(technology, make_user())


# --- The staff dashboard's queue counts ------------------------------------------------------


def test_staff_queue_counts_are_counted_in_the_database(django_assert_num_queries):
    staff = make_staff()
    for _ in range(3):
        make_technology(status=Status.SUBMITTED)
    staff.is_moderator  # noqa: B018  (the staff-group lookup is not what is measured)
    staff.active_membership  # noqa: B018
    # One COUNT each for submitted technologies and needs, and for their revisions: no rows.
    with django_assert_num_queries(4):
        sections = selectors.dashboard_sections(staff)
    assert sections["submitted_count"] == 3
    assert sections["revision_count"] == 0
