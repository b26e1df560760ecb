"""Pictures where people decide: cards with the first image and the organisation's logo, the
review page with images and brochure, the image manager's buttons; list query counts."""

import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from lib.uploads import clean_image
from listings import services
from listings.lifecycle import Status
from listings.models import Technology, TechnologyImage
from tests.factories import make_member, make_organization, make_technology, png_bytes

pytestmark = pytest.mark.django_db


def add_picture(technology, caption="", color=(200, 30, 30)):
    upload = SimpleUploadedFile("photo.png", png_bytes(size=(1200, 900), color=color))
    return services.add_image(technology, clean_image(upload), caption)


def give_logo(organization):
    logo = clean_image(SimpleUploadedFile("logo.png", png_bytes(size=(300, 300))), max_side=512)
    organization.logo.save("logo.png", logo)


def img_tags(html: str, css_class: str) -> list[str]:
    return re.findall(rf'<img class="{css_class}"[^>]*>', html)


# --- Cards ----------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["home", "list", "organisation"])
def test_cards_show_the_first_image_as_a_lazy_right_sized_thumbnail(client, page):
    organization = make_organization()
    technology = make_technology(organization, title="Solar window")
    first = add_picture(technology, "Prototype on the roof")
    second = add_picture(technology, "Second view", color=(0, 0, 200))
    make_technology(organization, title="No pictures here")
    url = {
        "home": "/",
        "list": "/technologies/",
        "organisation": organization.get_absolute_url(),
    }[page]

    html = client.get(url).content.decode()

    pictures = img_tags(html, "card-picture")
    assert len(pictures) == 1  # one card has images, the other none
    tag = pictures[0]
    assert f'src="{first.thumbnail.url}"' in tag and second.thumbnail.url not in html
    assert 'alt="Prototype on the roof"' in tag
    assert 'loading="lazy"' in tag
    with Image.open(first.thumbnail.path) as thumbnail:  # the size stated is the file's size
        assert f'width="{thumbnail.width}"' in tag and f'height="{thumbnail.height}"' in tag
    assert thumbnail.size == (TechnologyImage.THUMBNAIL_WIDTH, TechnologyImage.THUMBNAIL_HEIGHT)


def test_card_picture_without_caption_is_described_by_the_title(client):
    technology = make_technology(title="Solar window")
    add_picture(technology)
    html = client.get("/technologies/").content.decode()
    assert 'alt="Solar window"' in img_tags(html, "card-picture")[0]


@pytest.mark.parametrize("url", ["/", "/technologies/", "/needs/"])
def test_cards_show_the_organisation_logo(client, url):
    from tests.factories import make_need

    organization = make_organization()
    give_logo(organization)
    make_technology(organization)
    make_need(organization)
    html = client.get(url).content.decode()
    logos = img_tags(html, "org-logo")
    assert logos and f'src="{organization.logo.url}"' in logos[0]
    assert 'width="24" height="24"' in logos[0] and 'loading="lazy"' in logos[0]


def populate(n, organization):
    for i in range(n):
        technology = make_technology(organization, title=f"Device {i}", fields=("solar", "wind"))
        technology.images.create(
            image=f"technologies/{i}.png", thumbnail=f"technologies/thumbs/{i}.jpg", caption="x"
        )
        technology.images.create(image="technologies/b.png", thumbnail="technologies/thumbs/b.jpg")


@pytest.mark.parametrize("page", ["home", "list", "organisation", "detail"])
def test_card_lists_ask_the_same_number_of_queries_for_3_and_30_technologies(
    client, page, django_assert_num_queries
):
    organization = make_organization()
    give_logo(organization)
    counts = []
    for more in (3, 27):
        populate(more, organization)
        url = {
            "home": "/",
            "list": "/technologies/",
            "organisation": organization.get_absolute_url(),
            "detail": Technology.objects.order_by("pk").first().get_absolute_url(),
        }[page]
        client.get(url)  # warm the per-process caches
        with CaptureQueriesContext(connection) as captured:
            html = client.get(url).content.decode()
        assert "card-picture" in html
        counts.append(len(captured))
    assert counts[0] == counts[1]
    with django_assert_num_queries(counts[1]):
        client.get(url)


def test_the_cards_come_with_their_images_and_fields_in_one_query(django_assert_num_queries):
    organization = make_organization()
    populate(5, organization)
    with django_assert_num_queries(1):  # technologies with organisation, fields and images
        cards = list(Technology.objects.published().for_cards())
        firsts = [card.images.all()[0].thumbnail.name for card in cards]
        fields = [[f.slug for f in card.fields.all()] for card in cards]
    assert len(firsts) == 5 and all(name.startswith("technologies/thumbs/") for name in firsts)
    assert all(fields)


# --- Review page ------------------------------------------------------------------------------


def test_review_page_shows_the_images_full_size_links_and_the_brochure(client, staff):
    technology = make_technology(status=Status.SUBMITTED)
    image = add_picture(technology, "Wind tunnel")
    technology.brochure.save("leaflet.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    client.force_login(staff)

    html = client.get(reverse("listings:review", args=["technology", technology.pk])).content
    html = html.decode()

    assert f'<a href="{image.image.url}"><img src="{image.thumbnail.url}"' in html
    assert 'alt="Image 1: Wind tunnel (open full size)"' in html
    assert f'<a href="{technology.brochure.url}" type="application/pdf">' in html


def test_review_page_says_when_there_are_no_images(client, staff):
    technology = make_technology(status=Status.SUBMITTED)
    client.force_login(staff)
    html = client.get(reverse("listings:review", args=["technology", technology.pk])).content
    assert "No images." in html.decode()


# --- Image manager --------------------------------------------------------------------------


def test_each_remove_button_names_its_image(client):
    member = make_member()
    technology = make_technology(member.organization, title="Solar window")
    add_picture(technology, "Roof")
    add_picture(technology)
    client.force_login(member)

    html = client.get(reverse("listings:technology_images", args=[technology.pk])).content
    html = html.decode()

    labels = re.findall(r'<button [^>]*aria-label="([^"]*)"[^>]*>Remove</button>', html)
    assert labels == ["Remove image 1: Roof", "Remove image 2: Solar window"]
    assert html.count('<li class="card image-card">') == 2  # each button inside its card
    assert html.count('width="400" height="300"') == 2
