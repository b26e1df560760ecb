"""Technology pages: who sees what, posting, image gallery and brochure uploads, query counts."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from analytics.models import ListingEvent
from listings.lifecycle import Status
from listings.models import MAX_IMAGES, Technology, TechnologyImage
from tests.factories import make_member, make_organization, make_technology, png_bytes

pytestmark = pytest.mark.django_db


# --- Visibility ----------------------------------------------------------------------------

HIDDEN = [
    Status.DRAFT,
    Status.SUBMITTED,
    Status.CHANGES_REQUESTED,
    Status.REJECTED,
    Status.WITHDRAWN,
]


@pytest.mark.parametrize("status", HIDDEN)
def test_unpublished_technology_is_404_for_anonymous_and_other_organisations(client, status):
    technology = make_technology(status=status)
    url = technology.get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(make_member())
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("status", HIDDEN)
def test_unpublished_technology_is_visible_to_its_organisation_and_staff(client, staff, status):
    member = make_member()
    technology = make_technology(member.organization, status=status, title="Our secret")
    client.force_login(member)
    response = client.get(technology.get_absolute_url())
    assert response.status_code == 200
    assert "This technology is not public." in response.content.decode()
    client.force_login(staff)
    assert client.get(technology.get_absolute_url()).status_code == 200


def test_published_technology_is_public_and_counts_views_off_the_row(client):
    technology = make_technology(title="Open for licence")
    response = client.get(technology.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Open for licence" in page
    assert 'property="og:title"' in page
    client.get(technology.get_absolute_url())
    assert ListingEvent.objects.filter(listing_id=technology.pk, event="view").count() == 2
    technology.refresh_from_db()
    assert technology.view_count == 0  # grows when fold_views folds the day


def test_other_organisation_cannot_edit(client, member):
    technology = make_technology()
    client.force_login(member)
    assert client.get(reverse("listings:technology_edit", args=[technology.pk])).status_code == 404
    response = client.post(
        reverse("listings:technology_edit", args=[technology.pk]), {"title": "Mine"}
    )
    assert response.status_code == 404
    technology.refresh_from_db()
    assert technology.title != "Mine"


def test_other_organisation_cannot_manage_images(client, member):
    technology = make_technology()
    client.force_login(member)
    assert (
        client.get(reverse("listings:technology_images", args=[technology.pk])).status_code == 404
    )


def test_user_without_organisation_cannot_post(client):
    from tests.factories import make_user

    client.force_login(make_user())
    assert client.get(reverse("listings:technology_create")).status_code == 403


def technology_post_data(**changes):
    data = {
        "title": "Self-healing concrete",
        "summary": "Bacteria close cracks.",
        "description": "Spores in the mix precipitate calcite when water enters a crack.",
        "fields": ["solar"],
        "keywords": "concrete, bacteria",
        "trl": "5",
        "ip_status": "pending",
        "partnerships": ["non_exclusive_licence"],
        "countries": ["JP"],
        "language": "en",
        "patents-TOTAL_FORMS": "1",
        "patents-INITIAL_FORMS": "0",
        "patents-MIN_NUM_FORMS": "0",
        "patents-MAX_NUM_FORMS": "20",
        "patents-0-number": "JP 2023-000123 A",
        "patents-0-office": "jp",
        "patents-0-status": "pending",
    }
    data.update(changes)
    return data


def test_member_posts_a_draft_with_a_patent(client, member):
    client.force_login(member)
    response = client.post(reverse("listings:technology_create"), technology_post_data())
    assert response.status_code == 302
    technology = Technology.objects.get()
    assert technology.status == Status.DRAFT
    assert technology.organization == member.organization
    assert technology.author == member
    assert technology.keywords == ["concrete", "bacteria"]
    assert [(p.number, p.office) for p in technology.patents.all()] == [("JP 2023-000123 A", "JP")]


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"trl": "10"}, "trl"), ({"partnerships": []}, "partnerships"), ({"fields": ["nope"]}, "fields"),
     ({"title": ""}, "title")],
    ids=["trl", "partnerships", "fields", "title"],
)  # fmt: skip
def test_invalid_technology_form_is_a_400_with_errors(client, member, changes, field):
    client.force_login(member)
    response = client.post(reverse("listings:technology_create"), technology_post_data(**changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Technology.objects.exists()


# --- Uploads: brochure and images ----------------------------------------------------------


def test_brochure_must_really_be_a_pdf(client, member):
    client.force_login(member)
    fake = SimpleUploadedFile("brochure.pdf", b"<html>not a pdf</html>", "application/pdf")
    response = client.post(
        reverse("listings:technology_create"), technology_post_data(brochure=fake)
    )
    assert response.status_code == 400
    assert "not a PDF" in response.content.decode()
    real = SimpleUploadedFile(
        "brochure.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n", "application/pdf"
    )
    response = client.post(
        reverse("listings:technology_create"), technology_post_data(brochure=real)
    )
    assert response.status_code == 302
    assert Technology.objects.get().brochure.name.endswith(".pdf")


def test_oversized_brochure_is_refused(client, member, monkeypatch):
    monkeypatch.setattr("lib.uploads.PDF_MAX_BYTES", 100)
    client.force_login(member)
    big = SimpleUploadedFile("b.pdf", b"%PDF-1.4\n" + b"0" * 200, "application/pdf")
    response = client.post(
        reverse("listings:technology_create"), technology_post_data(brochure=big)
    )
    assert response.status_code == 400
    assert "too large" in response.content.decode()


def upload_image(client, technology, content, name="photo.png"):
    url = reverse("listings:technology_images", args=[technology.pk])
    return client.post(url, {"image": SimpleUploadedFile(name, content), "caption": "A picture"})


def test_gallery_stores_the_image_and_a_thumbnail(client, member):
    technology = make_technology(member.organization)
    client.force_login(member)
    response = upload_image(client, technology, png_bytes(size=(1200, 900)))
    assert response.status_code == 302
    image = TechnologyImage.objects.get()
    with Image.open(image.thumbnail.path) as thumb:
        assert thumb.size == (400, 300)
    with Image.open(image.image.path) as stored:
        assert max(stored.size) <= 1600
    detail = client.get(technology.get_absolute_url()).content.decode()
    assert image.thumbnail.url in detail


def test_gallery_holds_at_most_six_images(client, member):
    technology = make_technology(member.organization)
    client.force_login(member)
    for _ in range(MAX_IMAGES):
        assert upload_image(client, technology, png_bytes()).status_code == 302
    response = upload_image(client, technology, png_bytes())
    assert response.status_code == 400
    assert "at most 6 images" in response.content.decode()
    assert technology.images.count() == MAX_IMAGES


def test_text_file_named_png_is_refused(client, member):
    technology = make_technology(member.organization)
    client.force_login(member)
    response = upload_image(client, technology, b"#!/bin/sh\necho not an image\n", name="evil.png")
    assert response.status_code == 400
    assert not TechnologyImage.objects.exists()


def test_oversized_image_is_refused(client, member, settings):
    settings.IMAGE_MAX_BYTES = 1000
    technology = make_technology(member.organization)
    client.force_login(member)
    noisy = io.BytesIO()
    Image.effect_noise((200, 200), 50).convert("RGB").save(noisy, format="PNG")
    response = upload_image(client, technology, noisy.getvalue())
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert not TechnologyImage.objects.exists()


def test_decompression_bomb_is_refused_before_decoding(client, member):
    technology = make_technology(member.organization)
    client.force_login(member)
    bomb = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(bomb, format="PNG")  # 144 MP in a few kB
    assert len(bomb.getvalue()) < 100_000
    response = upload_image(client, technology, bomb.getvalue())
    assert response.status_code == 400
    assert "pixels" in response.content.decode()
    assert not TechnologyImage.objects.exists()


def test_image_metadata_is_stripped(client, member):
    technology = make_technology(member.organization)
    client.force_login(member)
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {2: (35, 41, 0)}  # GPS information
    exif[0x010F] = "Camera maker"
    Image.new("RGB", (80, 60), (0, 120, 0)).save(out, format="JPEG", exif=exif)
    assert upload_image(client, technology, out.getvalue(), name="gps.jpg").status_code == 302
    with Image.open(TechnologyImage.objects.get().image.path) as stored:
        assert not stored.getexif()


# --- Query counts --------------------------------------------------------------------------


def populate(n: int):
    organizations = [make_organization() for _ in range(3)]
    for i in range(n):
        technology = make_technology(organizations[i % 3], title=f"Solar device {i}",
                                     fields=("solar", "water-treatment"))  # fmt: skip
        technology.patents.create(number=f"JP {i}", office="JP", status="granted")


def measure(django_assert_max_num_queries, limit, client, url, params=None) -> int:
    client.get(url, params)  # warm the per-process caches (content types, sessions)
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def test_list_page_query_count_is_the_same_for_5_and_30_technologies(
    client, django_assert_max_num_queries
):
    counts = []
    for more in (5, 25):  # 5 technologies, then 30
        populate(more)
        plain = measure(django_assert_max_num_queries, 8, client, "/technologies/")
        params = {"q": "solar", "trl_min": 3, "field": "solar"}
        searched = measure(django_assert_max_num_queries, 8, client, "/technologies/", params)
        counts.append((plain, searched))
    assert counts[0] == counts[1]


def test_detail_page_query_count_is_the_same_for_5_and_30_technologies(
    client, django_assert_max_num_queries
):
    counts = []
    for more in (5, 25):
        populate(more)
        technology = Technology.objects.order_by("pk").first()
        technology.images.create(image="technologies/x.png", thumbnail="technologies/thumbs/x.jpg")
        url = technology.get_absolute_url()
        counts.append(measure(django_assert_max_num_queries, 12, client, url))
    assert counts[0] == counts[1]


def test_owner_views_query_counts_are_the_same_for_5_and_30_technologies(
    client, django_assert_max_num_queries
):
    member = make_member()
    client.force_login(member)
    counts = []
    for more in (5, 25):
        for i in range(more):
            make_technology(member.organization, title=f"Ours {i}", status=Status.SUBMITTED)
        technology = Technology.objects.order_by("pk").first()
        url = technology.get_absolute_url()
        detail = measure(django_assert_max_num_queries, 25, client, url)
        dashboard = measure(django_assert_max_num_queries, 25, client, "/dashboard/")
        counts.append((detail, dashboard))
    assert counts[0] == counts[1]


def test_moderation_queue_query_count_is_the_same_for_5_and_30_items(
    client, staff, django_assert_max_num_queries
):
    client.force_login(staff)
    counts = []
    for more in (5, 25):
        for _ in range(more):
            make_technology(status=Status.SUBMITTED)
        counts.append(measure(django_assert_max_num_queries, 20, client, "/moderation/"))
    assert counts[0] == counts[1]
