"""Uploads are checked by their content (companies/uploads.py): what tests/companies/test_uploads.py
does not try, a script renamed as an image, an SVG, an image with a payload appended, a
decompression bomb, a page renamed as a PDF, a hostile file name."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from companies.models import Company
from tests.companies.test_uploads import PDF, _profile, _sector_id, png_bytes
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

NOT_AN_IMAGE = "Le logo doit être une image PNG, JPEG ou WebP."
NOT_A_PDF = "La plaquette doit être un fichier PDF."
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)


def _bomb() -> bytes:
    """A small PNG file of 100 megapixels: Pillow must refuse to decode it."""
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@pytest.fixture
def post_profile(client, plain_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(plain_user)

    def post(**files):
        data = _profile(sectors=[_sector_id()])
        for field, (name, content, content_type) in files.items():
            data[field] = SimpleUploadedFile(name, content, content_type=content_type)
        return client.post(reverse("companies:create"), data)

    return post


@pytest.mark.parametrize(
    ("field", "name", "content", "content_type", "message"),
    [
        ("logo", "shell.png", b"<?php system($_GET['c']); ?>", "image/png", NOT_AN_IMAGE),
        ("logo", "shell.php.png", b"\x89PNG\r\n\x1a\n<?php echo 1; ?>", "image/png", NOT_AN_IMAGE),
        ("logo", "logo.svg", SVG, "image/svg+xml", NOT_AN_IMAGE),
        ("logo", "logo.png", SVG, "image/png", NOT_AN_IMAGE),
        ("logo", "bomb.png", None, "image/png", NOT_AN_IMAGE),
        (
            "brochure",
            "plaquette.pdf",
            b"<html><script>alert(1)</script></html>",
            "application/pdf",
            NOT_A_PDF,
        ),
        ("brochure", "plaquette.pdf", b"MZ\x90\x00" + PDF, "application/pdf", NOT_A_PDF),
        ("brochure", "plaquette.pdf", SVG, "application/pdf", NOT_A_PDF),
    ],
)
def test_hostile_upload_is_refused(post_profile, field, name, content, content_type, message):
    response = post_profile(
        **{field: (name, content if content is not None else _bomb(), content_type)}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Company.objects.exists()


def test_payload_after_the_image_is_dropped_by_reencoding(post_profile):
    polyglot = png_bytes((40, 40)) + b"<?php system($_GET['c']); ?><script>alert(1)</script>"
    response = post_profile(logo=("avatar.php", polyglot, "application/x-php"))
    assert response.status_code == 302
    logo = Company.objects.get().logo
    stored = logo.read()
    assert logo.name.endswith(".png") and stored.startswith(b"\x89PNG")
    assert b"<?php" not in stored and b"<script" not in stored


def test_uploaded_file_names_are_not_kept(post_profile):
    response = post_profile(
        logo=("../../etc/evil.html", png_bytes((40, 40)), "text/html"),
        brochure=("../evil.php", PDF, "application/x-php"),
    )
    assert response.status_code == 302
    company = Company.objects.get()
    assert company.logo.name.endswith(".png") and "evil" not in company.logo.name
    assert company.brochure.name.endswith(".pdf") and "evil" not in company.brochure.name
    assert ".." not in company.logo.name + company.brochure.name


@pytest.mark.django_db
def test_a_request_larger_than_any_form_is_refused_before_it_is_read(client, settings):
    """A 1 GB upload would be written to disk before the form refused it: the body is not read
    at all, and the answer says why, in the reader's language."""
    settings.REQUEST_MAX_BYTES = 1024 * 1024
    client.force_login(StaffFactory())
    response = client.generic(
        "POST",
        "/staff/missions/any/operators/import/",
        data=b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(1024 * 1024 + 1),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 413
    assert "plus grand que 1 Mo" in response.content.decode()
    # Within the limit, the form answers as usual (here: no such mission).
    assert client.post("/staff/missions/any/operators/import/", {}).status_code == 404
