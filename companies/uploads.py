"""Uploaded files are checked by their content, never by their name or declared type."""

import io

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 600
LOGO_FORMATS = {"PNG", "JPEG", "WEBP"}
BROCHURE_MAX_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
# Pillow refuses images whose pixel count suggests a decompression bomb.
Image.MAX_IMAGE_PIXELS = 40_000_000


def clean_logo(upload: UploadedFile) -> InMemoryUploadedFile:
    """A PNG, JPEG or WebP image under 2 MB, re-encoded as PNG and shrunk to 600 px at most.

    Re-encoding drops anything hidden in the file besides the pixels (scripts, metadata)."""
    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo must be under 2 MB."), code="too_large")
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            kind = probe.format
            probe.verify()
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("The logo must be a PNG, JPEG or WebP image."), code="not_an_image"
        ) from exc
    if kind not in LOGO_FORMATS:
        raise ValidationError(_("The logo must be a PNG, JPEG or WebP image."), code="format")
    image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    buffer.seek(0)
    return InMemoryUploadedFile(
        buffer, "logo", "logo.png", "image/png", buffer.getbuffer().nbytes, None
    )


def clean_brochure(upload: UploadedFile) -> UploadedFile:
    """A real PDF (its first bytes say so) under 10 MB."""
    if upload.size > BROCHURE_MAX_BYTES:
        raise ValidationError(_("The brochure must be under 10 MB."), code="too_large")
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if PDF_MAGIC not in head[:1024] or not head.lstrip().startswith(PDF_MAGIC):
        raise ValidationError(_("The brochure must be a PDF file."), code="not_pdf")
    upload.name = "brochure.pdf"
    return upload
