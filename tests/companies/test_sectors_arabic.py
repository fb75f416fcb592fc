"""Sector names in the reader's language, Arabic included, with French when one is missing."""

import pytest
from django.utils import translation

from companies.models import Sector
from tests.factories import SectorFactory

pytestmark = pytest.mark.django_db


def test_the_seeded_sectors_have_their_arabic_name():
    sector = Sector.objects.get(slug="cybersecurity")
    with translation.override("ar"):
        assert sector.name == "الأمن السيبراني"
    with translation.override("en"):
        assert sector.name == "Cybersecurity"
    with translation.override("fr"):
        assert sector.name == "Cybersécurité"


def test_a_sector_without_arabic_reads_french_and_rows_read_the_same():
    sector = SectorFactory(name_fr="Agritech", name_en="Agritech (en)", name_ar="")
    row = Sector.objects.filter(pk=sector.pk).values(*Sector.NAME_FIELDS).get()
    with translation.override("ar"):
        assert sector.name == Sector.label(row) == "Agritech"
    with translation.override("en"):
        assert sector.name == Sector.label(row) == "Agritech (en)"
