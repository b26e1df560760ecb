"""Logo uploads: only real images, byte and pixel limits, re-encoding, metadata stripped."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from accounts.models import Membership
from lib.uploads import clean_image, clean_pdf
from tests.factories import make_member, png_bytes

ORG_FORM = {
    "name": "Hokkaido Materials",
    "name_ja": "",
    "type": "university",
    "country": "JP",
    "city": "Sapporo",
    "website": "https://hokkaido.example.org",
    "description": "Materials science.",
}


@pytest.fixture(autouse=True)
def _english():
    # The messages are asserted in English, whatever language an earlier test left active.
    with translation.override("en"):
        yield


def _upload(content: bytes, name="logo.png", content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def bomb_png(width=30_000, height=30_000) -> bytes:
    """A tiny PNG whose header claims a huge size (CRC fixed so decoders trust the header)."""
    data = bytearray(png_bytes(size=(8, 8)))
    ihdr_at = 8  # after the PNG signature: length(4) type(4) data(13) crc(4)
    assert data[ihdr_at + 4 : ihdr_at + 8] == b"IHDR"
    data[ihdr_at + 8 : ihdr_at + 16] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr_at + 4 : ihdr_at + 8 + 13])) & 0xFFFFFFFF
    data[ihdr_at + 21 : ihdr_at + 25] = struct.pack(">I", crc)
    return bytes(data)


def jpeg_with_exif(size=(2000, 1000)) -> bytes:
    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "EditorX"  # Software
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


# clean_image ---------------------------------------------------------------------------------


def test_text_file_named_png_is_refused():
    with pytest.raises(ValidationError) as error:
        clean_image(_upload(b"hello, I am not a picture\n" * 20))
    assert error.value.code == "not_an_image"


def test_over_large_file_is_refused_before_decoding(settings):
    settings.IMAGE_MAX_BYTES = 1000
    content = png_bytes(size=(300, 300), color=(1, 2, 3)) + b"\0" * 2000
    with pytest.raises(ValidationError) as error:
        clean_image(_upload(content))
    assert error.value.code == "too_large"
    assert "too large" in error.value.messages[0]


def test_decompression_bomb_header_is_refused():
    content = bomb_png()
    assert len(content) < 200
    with pytest.raises(ValidationError) as error:
        clean_image(_upload(content))
    assert error.value.code == "too_many_pixels"


def test_image_over_the_pixel_limit_is_refused(settings):
    settings.IMAGE_MAX_PIXELS = 10_000
    with pytest.raises(ValidationError) as error:
        clean_image(_upload(png_bytes(size=(200, 200))))
    assert error.value.code == "too_many_pixels"
    assert "200 × 200" in error.value.messages[0]


def test_moderate_bomb_is_refused_by_our_own_limit():
    # 8000 x 8000 = 64 MP: below Pillow's own bomb threshold, above IMAGE_MAX_PIXELS (40 MP).
    with pytest.raises(ValidationError) as error:
        clean_image(_upload(bomb_png(8000, 8000)))
    assert error.value.code == "too_many_pixels"


def test_other_image_formats_are_refused():
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, format="BMP")
    with pytest.raises(ValidationError) as error:
        clean_image(_upload(out.getvalue(), name="logo.bmp", content_type="image/bmp"))
    assert error.value.code == "bad_format"


def test_truncated_image_is_refused():
    content = png_bytes(size=(300, 300), color=(5, 6, 7))
    with pytest.raises(ValidationError) as error:
        clean_image(_upload(content[:60]))
    assert error.value.code in {"broken", "not_an_image"}


def test_valid_image_is_reencoded_resized_and_stripped_of_exif():
    original = jpeg_with_exif()
    with Image.open(io.BytesIO(original)) as check:
        assert check.getexif().get(0x010F) == "SecretCam"
    cleaned = clean_image(
        _upload(original, name="photo.jpeg", content_type="image/jpeg"), max_side=512
    )
    cleaned.seek(0)
    content = cleaned.read()
    assert content != original
    assert b"SecretCam" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == "JPEG"
        assert image.size == (512, 256)
        assert not image.getexif()
        assert "exif" not in image.info
    assert cleaned.name == "photo.jpg"


def test_transparent_png_stays_png():
    out = io.BytesIO()
    Image.new("RGBA", (64, 64), (0, 0, 0, 0)).save(out, format="PNG")
    cleaned = clean_image(_upload(out.getvalue(), name="../../etc/evil.png"))
    cleaned.seek(0)
    with Image.open(cleaned) as image:
        assert image.format == "PNG" and image.mode == "RGBA"
    assert cleaned.name == "evil.png"


def test_pdf_check_is_by_content():
    with pytest.raises(ValidationError):
        clean_pdf(_upload(b"not a pdf", name="doc.pdf", content_type="application/pdf"))
    ok = _upload(b"%PDF-1.7\n...", name="doc.pdf", content_type="application/pdf")
    assert clean_pdf(ok) is ok


# Through the organisation form -----------------------------------------------------------------


@pytest.fixture
def org_admin(db):
    return make_member(role=Membership.Role.ADMIN)


def _post_logo(client, content, name="logo.png"):
    return client.post(
        reverse("accounts:organization_edit"), {**ORG_FORM, "logo": _upload(content, name)}
    )


@pytest.mark.parametrize(
    "content, message",
    [
        (b"plain text, not an image" * 10, "not an image we can read"),
        (bomb_png(), "too many pixels"),
    ],
)
def test_organisation_form_shows_a_clear_error_for_bad_logos(client, org_admin, content, message):
    client.force_login(org_admin)
    response = _post_logo(client, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert message in str(response.context["form"].errors["logo"])
    org_admin.organization.refresh_from_db()
    assert not org_admin.organization.logo
    assert org_admin.organization.name != ORG_FORM["name"]


def test_organisation_form_refuses_an_over_large_logo(client, org_admin, settings):
    settings.IMAGE_MAX_BYTES = 500
    client.force_login(org_admin)
    response = _post_logo(client, png_bytes(size=(200, 200), color=(9, 9, 9)) + b"\0" * 1000)
    assert response.status_code == 400
    assert "too large" in str(response.context["form"].errors["logo"])


def test_organisation_form_stores_the_reencoded_logo(client, org_admin, settings):
    client.force_login(org_admin)
    response = _post_logo(client, jpeg_with_exif(size=(1200, 600)), name="camera.JPG")
    assert response.status_code == 302
    organization = org_admin.organization
    organization.refresh_from_db()
    assert organization.name == "Hokkaido Materials"
    assert organization.logo.name.startswith("logos/") and organization.logo.name.endswith(".jpg")
    path = organization.logo.path
    assert str(settings.MEDIA_ROOT) in path
    with Image.open(path) as image:
        assert image.size == (512, 256)
        assert not image.getexif()
    # Saving again without a new file keeps the logo.
    response = client.post(reverse("accounts:organization_edit"), ORG_FORM)
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.logo.name.endswith(".jpg")
