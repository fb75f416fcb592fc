"""Uploads are checked by content: real files, renamed files, oversized ones."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from companies.models import Company

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>"
    b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def png_bytes(size=(800, 400), color=(163, 34, 42)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def noisy_png(min_bytes):
    """A PNG that does not compress below ``min_bytes`` (random pixels)."""
    side = 1200
    while True:
        image = Image.frombytes("RGB", (side, side), __import__("os").urandom(side * side * 3))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        if buffer.tell() > min_bytes:
            return buffer.getvalue()
        side += 200


def _profile(**files):
    data = {
        "legal_name": "Argan Data SARL",
        "trade_name": "Argan Data",
        "ice": "001525879000088",
        "city": "Rabat",
        "website": "https://argan-data.ma",
        "size_band": "small",
        "founded": "2015",
        "sectors": ["1"],
        "offer": "Plateformes de données",
        "references": "",
    }
    return data | files


@pytest.fixture
def newcomer(client, plain_user):
    client.force_login(plain_user)
    return plain_user


def _sector_id():
    from companies.models import Sector

    return str(Sector.objects.first().pk)


def test_logo_png_is_reencoded_and_resized(client, newcomer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = _profile(sectors=[_sector_id()])
    data["logo"] = SimpleUploadedFile("logo.PNG", png_bytes((1600, 800)), content_type="image/png")
    data["brochure"] = SimpleUploadedFile("plaquette.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("companies:create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    company = Company.objects.get()
    with Image.open(company.logo.path) as stored:
        assert stored.format == "PNG" and max(stored.size) == 600
    assert company.brochure.read().startswith(b"%PDF-")
    newcomer.refresh_from_db()
    assert newcomer.company == company and newcomer.company_role == "owner"


@pytest.mark.parametrize(
    ("field", "upload", "message"),
    [
        (
            "brochure",
            ("brochure.pdf", png_bytes(), "application/pdf"),
            "La plaquette doit être un fichier PDF.",
        ),
        (
            "logo",
            ("logo.png", b"<html><script>alert(1)</script></html>", "image/png"),
            "Le logo doit être une image PNG, JPEG ou WebP.",
        ),
        ("logo", ("logo.gif", None, "image/gif"), "Le logo doit être une image PNG, JPEG ou WebP."),
        (
            "brochure",
            ("big.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf"),
            "La plaquette doit faire moins de 10 Mo.",
        ),
    ],
)
def test_bad_upload_is_refused_and_the_form_kept(
    client, newcomer, field, upload, message, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    name, content, content_type = upload
    if content is None:
        buffer = io.BytesIO()
        Image.new("RGB", (10, 10)).save(buffer, format="GIF")
        content = buffer.getvalue()
    data = _profile(sectors=[_sector_id()])
    data[field] = SimpleUploadedFile(name, content, content_type=content_type)
    response = client.post(reverse("companies:create"), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert 'value="Argan Data SARL"' in body and 'value="001525879000088"' in body
    assert not Company.objects.exists()


def test_oversized_logo_is_refused(client, newcomer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = _profile(sectors=[_sector_id()])
    data["logo"] = SimpleUploadedFile(
        "logo.png", noisy_png(2 * 1024 * 1024), content_type="image/png"
    )
    response = client.post(reverse("companies:create"), data)
    assert response.status_code == 400
    assert "Le logo doit faire moins de 2 Mo." in response.content.decode()


def test_ice_format_and_uniqueness(client, newcomer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client.post(
        reverse("companies:create"), _profile(ice="12345", sectors=[_sector_id()])
    )
    assert "15 chiffres" in response.content.decode() and response.status_code == 400
    from tests.factories import CompanyFactory

    CompanyFactory(ice="001525879000088")
    response = client.post(reverse("companies:create"), _profile(sectors=[_sector_id()]))
    assert response.status_code == 400
    assert (
        "ICE existe déjà" in response.content.decode()
        or "déjà enregistrée" in response.content.decode()
    )


def test_clearing_the_logo_and_brochure(client, member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    company = member.company
    company.logo.save(
        "logo.png",
        __import__("django.core.files.base", fromlist=["ContentFile"]).ContentFile(png_bytes()),
    )
    client.force_login(member)
    data = _profile(sectors=[_sector_id()], ice=company.ice, legal_name=company.legal_name)
    data["logo-clear"] = "on"
    response = client.post(reverse("companies:edit"), data)
    assert response.status_code == 302
    company.refresh_from_db()
    assert not company.logo
