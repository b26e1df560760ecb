"""Files on conversation messages: only real PDFs and images (checked like brochures and
pictures), stored outside MEDIA_ROOT under unguessable names, streamed only to the two
organisations and staff; everyone else, guessing or not, gets 404."""

import io
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import Organization
from licensing import services
from licensing.models import Attachment, LicenceRequest
from tests.factories import make_member, make_staff, make_technology, make_user, png_bytes
from tests.test_lib_uploads import bomb_png, jpeg_with_exif

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture
def owner():
    return make_member(type=Organization.Type.UNIVERSITY)


@pytest.fixture
def requester():
    return make_member(type=Organization.Type.COMPANY)


@pytest.fixture
def conversation(owner, requester):
    technology = make_technology(owner.organization, author=owner)
    return services.send_request(
        requester, technology, purpose=LicenceRequest.Purpose.LICENCE, message="Terms?"
    )


def post_file(client, conversation, content, name, content_type="application/pdf", **extra):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(
        reverse("licensing:request_message", args=[conversation.pk]),
        {"body": "Here is our draft.", "attachment": upload, **extra},
    )


@pytest.fixture
def attachment(client, conversation, requester):
    client.force_login(requester)
    response = post_file(client, conversation, PDF, "term-sheet.pdf", label="term_sheet")
    assert response.status_code == 302
    client.logout()
    return Attachment.objects.get()


def download_url(conversation, key):
    return reverse("licensing:attachment", args=[conversation.pk, key])


# Storing ---------------------------------------------------------------------------------


def test_pdf_is_stored_privately_under_an_unguessable_name(attachment, settings):
    assert attachment.label == Attachment.Label.TERM_SHEET
    assert attachment.filename == "term-sheet.pdf"
    assert attachment.content_type == "application/pdf"
    stored = Path(attachment.file.path)
    assert stored.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT))
    assert "term-sheet" not in stored.name and len(stored.stem) == 32
    assert stored.read_bytes() == PDF
    with pytest.raises(ValueError):
        _ = attachment.file.url  # no public address at all


def test_image_is_reencoded_and_stripped(client, conversation, owner):
    client.force_login(owner)
    original = jpeg_with_exif()
    response = post_file(client, conversation, original, "photo.jpeg", "image/jpeg")
    assert response.status_code == 302
    stored = Attachment.objects.get()
    content = Path(stored.file.path).read_bytes()
    assert b"SecretCam" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == "JPEG"
    assert stored.content_type == "image/jpeg"


def _bmp():
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, format="BMP")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "content_type", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "nda.pdf", "application/pdf", "Attach a PDF"),
        (b"MZ\x90\x00 an executable", "terms.pdf", "application/pdf", "Attach a PDF"),
        (b"hello, I am not a picture\n" * 20, "x.png", "image/png", "Attach a PDF"),
        (b'<svg onload="alert(1)"/>', "x.svg", "image/svg+xml", "Attach a PDF"),
        (bomb_png(), "bomb.png", "image/png", "too many pixels"),
        (bomb_png(8000, 8000), "bomb.png", "image/png", "megapixels"),
        (_bmp(), "x.bmp", "image/bmp", "Images must be JPEG"),
        (png_bytes(size=(300, 300))[:60], "cut.png", "image/png", ""),
    ],
)
def test_hostile_uploads_are_refused_with_a_400_and_nothing_is_stored(
    client, conversation, requester, content, name, content_type, message
):
    client.force_login(requester)
    response = post_file(client, conversation, content, name, content_type)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Here is our draft." in html  # what was typed is kept
    assert not Attachment.objects.exists()
    assert not conversation.messages.exists()


def test_over_large_attachment_is_refused(client, conversation, requester, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    client.force_login(requester)
    response = post_file(client, conversation, PDF + b"\0" * 200, "big.pdf")
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert not Attachment.objects.exists()


# Serving ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "requester", "staff"])
def test_the_two_organisations_and_staff_download_it(
    client, attachment, conversation, who, request
):
    user = make_staff() if who == "staff" else request.getfixturevalue(who)
    client.force_login(user)
    thread = client.get(conversation.get_absolute_url()).content.decode()
    assert attachment.get_absolute_url() in thread
    assert "Term sheet" in thread
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="term-sheet.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("who", ["outsider", "no_organisation", "anonymous"])
def test_others_get_404_even_with_the_exact_address(client, attachment, who):
    if who == "outsider":
        client.force_login(make_member(type=Organization.Type.COMPANY))
    elif who == "no_organisation":
        client.force_login(make_user())
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 404


def test_guessed_addresses_are_404(client, attachment, conversation, owner):
    other_conversation = services.send_request(
        make_member(type=Organization.Type.COMPANY),
        make_technology(owner.organization),
        purpose=LicenceRequest.Purpose.LICENCE,
        message="Another",
    )
    client.force_login(owner)
    # A random key, and the real key under another conversation the user may read.
    assert client.get(download_url(conversation, uuid.uuid4())).status_code == 404
    assert client.get(download_url(other_conversation, attachment.key)).status_code == 404
    assert client.get(f"/media/{attachment.file.name}").status_code == 404
    assert client.get(f"/private-media/{attachment.file.name}").status_code == 404


def test_outsider_cannot_attach_to_a_conversation(client, conversation):
    client.force_login(make_member(type=Organization.Type.COMPANY))
    assert post_file(client, conversation, PDF, "x.pdf").status_code == 404
    assert not Attachment.objects.exists()


def test_thread_queries_do_not_grow_with_attachments(client, conversation, requester):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(requester)
    post_file(client, conversation, PDF, "one.pdf")
    with CaptureQueriesContext(connection) as few:
        client.get(conversation.get_absolute_url())
    for n in range(3):
        post_file(client, conversation, PDF, f"more-{n}.pdf", label="nda")
    with CaptureQueriesContext(connection) as many:
        client.get(conversation.get_absolute_url())
    assert len(many.captured_queries) == len(few.captured_queries)
