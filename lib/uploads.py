"""Validation and normalisation of uploaded files.

Images are checked by decoding them, never by their name: the byte size is limited, the pixel
count is checked from the header before any pixel is decoded (decompression bombs), and the
image is re-encoded (resized, metadata stripped) so that what is stored is what was checked.
"""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
PDF_MAX_BYTES = 10 * 1024 * 1024


def _check_size(upload, limit: int) -> None:
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )


def clean_image(upload, *, max_side: int = 1600):
    """Return a re-encoded copy of an uploaded image, or raise ValidationError."""
    _check_size(upload, settings.IMAGE_MAX_BYTES)
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            fmt = probe.format
            width, height = probe.size
    except Image.DecompressionBombError as exc:
        raise ValidationError(
            _("The image has too many pixels to be processed safely."), code="too_many_pixels"
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("This file is not an image we can read. Upload a JPEG, PNG, GIF or WebP picture."),
            code="not_an_image",
        ) from exc
    if fmt not in ALLOWED_IMAGE_FORMATS:
        raise ValidationError(_("Images must be JPEG, PNG, GIF or WebP."), code="bad_format")
    if width * height > settings.IMAGE_MAX_PIXELS:
        raise ValidationError(
            _("The image is too large (%(w)s × %(h)s pixels); the limit is %(max)s megapixels.")
            % {"w": width, "h": height, "max": settings.IMAGE_MAX_PIXELS // 1_000_000},
            code="too_many_pixels",
        )
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((max_side, max_side))
            has_alpha = image.mode in ("RGBA", "LA") or "transparency" in image.info
            image = image.convert("RGBA" if has_alpha else "RGB")
            out = io.BytesIO()
            out_format, ext = ("PNG", "png") if has_alpha else ("JPEG", "jpg")
            # A fresh save without exif/icc arguments drops the metadata.
            image.save(out, format=out_format, quality=85, optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("This image could not be processed."), code="broken") from exc
    stem = (getattr(upload, "name", "") or "image").rsplit("/", 1)[-1].rsplit(".", 1)[0][:60]
    return InMemoryUploadedFile(
        out, None, f"{stem or 'image'}.{ext}", f"image/{out_format.lower()}", out.tell(), None
    )


def make_thumbnail(content: bytes, size: int = 400) -> InMemoryUploadedFile:
    with Image.open(io.BytesIO(content)) as image:
        image = ImageOps.fit(image.convert("RGB"), (size, size * 3 // 4))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=80, optimize=True)
    return InMemoryUploadedFile(out, None, "thumb.jpg", "image/jpeg", out.tell(), None)


def clean_pdf(upload):
    """Accept only real PDF documents (by content) under the size limit."""
    _check_size(upload, PDF_MAX_BYTES)
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if not head.startswith(b"%PDF-"):
        raise ValidationError(_("This file is not a PDF document."), code="not_a_pdf")
    return upload
