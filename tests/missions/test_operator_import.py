import io
import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from unittest.mock import patch

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import User
from companies.models import Operator
from missions.forms import ImportUploadForm
from missions.models import OperatorRegistration
from missions.operator_import import ImportFileError, import_preview
from tests.factories import MissionFactory, OperatorContactFactory, RegistrationFactory
from tests.missions import bombs

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

CSV = (
    "Organisation;Type;Pays;Ville;Nom du contact;E-mail;Téléphone;Secteurs;Langue\n"
    "Banque Lagune;bank;CI;Abidjan;Awa Koné;awa@banque-lagune.ci;+225 07 00 00 00;Cybersécurité;fr\n"
    "Groupe Savane;Distributeur;Côte d'Ivoire;Abidjan;Koffi Yao;koffi@savane.ci;;;en\n"
    "Sans Email;cio;CI;Abidjan;Paul;pas-une-adresse;;;\n"
    "Mauvais Pays;cio;Atlantide;Abidjan;Léa;lea@example.ci;;;\n"
    "Doublon;bank;CI;Abidjan;Awa bis;AWA@banque-lagune.ci;;;\n"
    "Déjà connu;telecom;CI;Abidjan;Ancien Contact;known@operator.ci;;;\n"
)


@pytest.fixture
def mission():
    return MissionFactory(slug="abidjan")


def test_preview_reports_each_row(mission):
    OperatorContactFactory(email="known@operator.ci")
    rows = import_preview(mission=mission, name="liste.csv", content=CSV.encode("utf-8"))
    summary = [(r.number, r.action, bool(r.errors)) for r in rows]
    assert summary == [
        (2, "create", False),
        (3, "create", False),
        (4, "skip", True),
        (5, "skip", True),
        (6, "skip", False),
        (7, "register", False),
    ]
    assert rows[2].errors == ["E-mail : Saisissez une adresse de courriel valide."]
    assert "Atlantide" in rows[3].errors[0]
    assert "ligne 2" in rows[4].note
    assert rows[1].values["kind"] == "distributor" and rows[1].values["country"] == "CI"
    assert not Operator.objects.filter(name="Banque Lagune").exists()  # a preview saves nothing


def test_preview_reads_xlsx(mission):
    book = Workbook()
    sheet = book.active
    sheet.append(["Organisation", "Kind", "Country", "City", "Contact name", "Email"])
    sheet.append(
        [
            "Golden Gate Ventures",
            "Investor",
            "United States",
            "San Francisco",
            "Ann Lee",
            "ann@ggv.example",
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    rows = import_preview(mission=mission, name="list.xlsx", content=buffer.getvalue())
    assert [(r.action, r.values["kind"], r.values["country"]) for r in rows] == [
        ("create", "investor", "US")
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "vide"),
        (b"Nom;Ville\nX;Y\n", "Colonnes manquantes"),
        (b"PK\x03\x04garbage", "ne peut pas être lu"),
    ],
)
def test_unreadable_files_get_a_clear_message(mission, content, message):
    with pytest.raises(ImportFileError, match=message):
        import_preview(mission=mission, name="x.csv", content=content)


def test_import_through_the_dashboard(
    client, staff, mission, mailoutbox, django_capture_on_commit_callbacks
):
    known = OperatorContactFactory(email="known@operator.ci")
    RegistrationFactory(mission=MissionFactory(), operator=known.operator)
    client.force_login(staff)
    url = reverse("dashboard:operator_import", args=[mission.slug])
    preview = client.post(
        url, {"file": SimpleUploadedFile("liste.csv", CSV.encode("cp1252", "replace"))}
    )
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "Importer 3 lignes" in body
    token = client.session["operator-import"]["token"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"confirm": token})
    assert response.status_code == 302
    registrations = OperatorRegistration.objects.filter(mission=mission)
    assert registrations.count() == 3
    assert set(registrations.values_list("status", flat=True)) == {"confirmed"}
    awa = User.objects.get(email="awa@banque-lagune.ci")
    assert awa.operator.name == "Banque Lagune" and not awa.has_usable_password()
    assert [s.slug for s in awa.operator.sectors.all()] == ["cybersecurity"]
    assert sorted(m.to[0] for m in mailoutbox) == [
        "awa@banque-lagune.ci",
        "known@operator.ci",
        "koffi@savane.ci",
    ]
    english = next(m for m in mailoutbox if m.to == ["koffi@savane.ci"])
    assert english.subject == "[Maroc Export] Meet the Moroccan ICT delegation in Abidjan"
    # The same preview cannot be imported twice.
    again = client.post(url, {"confirm": token})
    assert again.status_code == 400 and registrations.count() == 3


def test_import_refuses_a_non_spreadsheet(client, staff, mission):
    client.force_login(staff)
    url = reverse("dashboard:operator_import", args=[mission.slug])
    response = client.post(
        url, {"file": SimpleUploadedFile("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00")}
    )
    assert response.status_code == 400
    assert "ni CSV ni XLSX" in response.content.decode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x81\x8d\x8f\x90\x9d" * 10, "ni CSV ni XLSX"),  # neither UTF-8 nor cp1252
        (
            b"Organisation,Type,Pays,Ville,Contact,Email\n" + b'"' + b"x" * 200_000 + b'"\n',
            "ne peut pas",
        ),
    ],
)
def test_undecodable_or_broken_csv_gets_a_message(mission, content, message):
    with pytest.raises(ImportFileError, match=message):
        import_preview(mission=mission, name="x.csv", content=content)


# Spreadsheet bombs and limits ----------------------------------------------------------------

# Run in a child process, so that its peak memory is its own, and capped at 2 GB: without the
# limits the dimension bomb alone climbs past 3.8 GB in half a minute.
MEASURE = """
import json, os, resource, sys, time, tracemalloc
resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))
import django
django.setup()
from django.utils import translation
from missions.operator_import import ImportFileError, _read_rows
content = open(sys.argv[1], "rb").read()
translation.activate("fr")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
start = time.perf_counter()
try:
    outcome = len(_read_rows("liste.xlsx", content))
except ImportFileError as exc:
    outcome = str(exc)
except MemoryError:
    outcome = "MemoryError"
seconds = time.perf_counter() - start
traced = tracemalloc.get_traced_memory()[1] / 2**20
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(json.dumps({"outcome": outcome, "seconds": seconds, "traced": traced, "grown": grown}))
"""


def measure(content: bytes, tmp_path) -> dict:
    """Read ``content`` as an uploaded XLSX in a child process: what came out, the seconds
    it took, and the memory it took (MB, both as Python traced it and as the process grew)."""
    path = tmp_path / "upload.xlsx"
    path.write_bytes(content)
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings_test")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_declared_dimension_with_a_far_value_is_refused_fast_and_small(tmp_path):
    content = bombs.declared_dimension(far_value=True)
    assert len(content) < 10_000

    result = measure(content, tmp_path)

    assert result["outcome"] == "Au plus 50 colonnes par fichier."
    assert result["seconds"] < 1
    assert result["traced"] < 100 and result["grown"] < 100


def test_a_declared_dimension_with_empty_far_cells_reads_only_what_is_there(tmp_path):
    result = measure(bombs.declared_dimension(far_value=False), tmp_path)

    assert result["outcome"] == 2  # the heading and the row
    assert result["seconds"] < 1
    assert result["traced"] < 100 and result["grown"] < 100


def test_a_300_mb_cell_is_refused_fast_and_small(tmp_path):
    content = bombs.huge_cell(300)
    assert len(content) < 1_000_000

    result = measure(content, tmp_path)

    assert result["outcome"] == (
        "Ce fichier XLSX est trop volumineux une fois décompressé (plus de 50 Mo)."
    )
    assert result["seconds"] < 1
    assert result["traced"] < 100 and result["grown"] < 100


def test_a_styles_bomb_is_refused_fast_and_small(tmp_path):
    content = bombs.styles(2_000_000)  # 9.9 MB of <xf/>, as in the penetration test
    assert len(content) < 25_000

    result = measure(content, tmp_path)

    assert result["outcome"] == (
        "Ce fichier XLSX est trop volumineux une fois décompressé (plus de 1 Mo)."
    )
    assert result["seconds"] < 1
    assert result["traced"] < 100 and result["grown"] < 100


def test_styles_just_under_their_cap_are_not_even_read(tmp_path):
    # 1 MB less a little: 200,000 formats, 20 s and 110 MB had openpyxl read them.
    result = measure(bombs.styles(200_000), tmp_path)

    assert result["outcome"] == 2  # the heading and the row
    assert result["seconds"] < 1
    assert result["traced"] < 100 and result["grown"] < 100


def test_a_sheet_outside_worksheets_is_scanned_too(tmp_path):
    content = bombs.sheet_outside_worksheets(2_400_000)  # a row of 2.4M cells
    assert len(content) < 25_000

    result = measure(content, tmp_path)

    assert result["outcome"] == "Au plus 50 colonnes par fichier."
    assert result["seconds"] < 1
    assert result["traced"] < 100 and result["grown"] < 100


def test_a_sheet_outside_worksheets_is_read(mission):
    rows = import_preview(
        mission=mission, name="liste.xlsx", content=bombs.sheet_outside_worksheets(0)
    )

    assert [r.values["email"] for r in rows] == ["ann@ggv.example"]


def test_bombs_uploaded_through_the_dashboard_get_a_message(client, staff, mission):
    # 60 MB once unzipped: enough to be refused, not enough to hurt this process without
    # the limits (the other bombs are read in a child process whose memory is capped).
    client.force_login(staff)
    url = reverse("dashboard:operator_import", args=[mission.slug])

    response = client.post(url, {"file": SimpleUploadedFile("liste.xlsx", bombs.huge_cell(60))})

    assert response.status_code == 400
    assert "trop volumineux une fois décompressé" in response.content.decode()
    assert "operator-import" not in client.session


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_member_that_lies_about_its_size_cannot_be_read(mission):
    """zipfile stops at the declared size, so the rest fails its check: no way past the cap."""
    content = bytearray(bombs.huge_cell(60))
    name = b"xl/sharedStrings.xml"
    for signature, offset, at_name in ((b"PK\x01\x02", 24, 46), (b"PK\x03\x04", 22, 30)):
        start = 0
        while (start := content.index(signature, start + 1)) >= 0:
            if content[start + at_name : start + at_name + len(name)] == name:
                break
        struct.pack_into("<I", content, start + offset, 1000)  # "1,000 bytes once unzipped"
    with zipfile.ZipFile(io.BytesIO(bytes(content))) as archive:
        assert archive.getinfo("xl/sharedStrings.xml").file_size == 1000

    with pytest.raises(ImportFileError, match="ne peut pas être lu"):
        import_preview(mission=mission, name="x.xlsx", content=bytes(content))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (_xlsx([bombs.HEADING, [*bombs.ROW[:5], "x" * 5001]]), "Ligne 2 : une cellule"),
        (_xlsx([bombs.HEADING, [""] * 50 + ["x"]]), "Au plus 50 colonnes"),
        (_xlsx([bombs.HEADING] + [bombs.ROW] * 2001), "Au plus 2000 lignes"),
        (
            bombs._replace(
                {
                    "xl/worksheets/sheet1.xml": bombs._sheet(
                        bombs._row(1, bombs.HEADING) + bombs._row(20001, bombs.ROW)
                    )
                }
            ),
            "au-delà de la ligne 20000",
        ),
        (
            bombs._replace(
                {
                    "xl/worksheets/sheet1.xml": b'<?xml version="1.0"?><!DOCTYPE x ['
                    b'<!ENTITY a "aaaa">]><worksheet/>'
                }
            ),
            "ne peut pas être lu",
        ),
    ],
    ids=["long cell", "51st column", "2001 rows", "row 20001", "doctype"],
)
def test_xlsx_limits(mission, content, message):
    with pytest.raises(ImportFileError, match=message):
        import_preview(mission=mission, name="x.xlsx", content=content)


HEADING_CSV = "Organisation;Type;Pays;Ville;Nom du contact;E-mail\n"
ROW_CSV = "Banque Lagune;bank;CI;Abidjan;Awa Koné;awa@banque-lagune.ci\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (HEADING_CSV + ROW_CSV.replace("Abidjan", "x" * 5001), "Ligne 2 : une cellule"),
        (
            HEADING_CSV.replace("\n", ";Note" * 45 + "\n")
            + ROW_CSV.replace("\n", ";x" * 45 + "\n"),
            "Au plus 50 colonnes",
        ),
        (HEADING_CSV + ROW_CSV * 2001, "Au plus 2000 lignes"),
        (HEADING_CSV + "\n" * 20000 + ROW_CSV, "au-delà de la ligne 20000"),
        (HEADING_CSV + ROW_CSV.replace("Awa", "A\x00wa"), "ni CSV ni XLSX"),
    ],
    ids=["long cell", "51st column", "2001 rows", "row 20001", "NUL byte"],
)
def test_csv_limits(mission, content, message):
    with pytest.raises(ImportFileError, match=message):
        import_preview(mission=mission, name="x.csv", content=content.encode())


def test_csv_at_the_limits_is_read(mission):
    rows = import_preview(
        mission=mission,
        name="x.csv",
        content=(HEADING_CSV + "\n" * 100 + ROW_CSV.replace("Abidjan", "A" * 100)).encode(),
    )
    assert [r.values["city"] for r in rows] == ["A" * 100]


class Unreadable(SimpleUploadedFile):
    def read(self, *args, **kwargs):
        raise AssertionError("an oversized upload was read")

    def chunks(self, *args, **kwargs):
        raise AssertionError("an oversized upload was read")


def test_an_oversized_upload_is_refused_before_it_is_read():
    upload = Unreadable("liste.csv", b"x")
    upload.size = 50 * 1024 * 1024
    form = ImportUploadForm(files={"file": upload})
    assert not form.is_valid()
    assert form.errors["file"] == ["Le fichier dépasse 5 Mo."]


def test_an_oversized_upload_through_the_dashboard(client, staff, mission):
    client.force_login(staff)
    url = reverse("dashboard:operator_import", args=[mission.slug])
    content = HEADING_CSV.encode() + b"x" * (5 * 1024 * 1024)

    with patch("dashboard.views.import_preview") as preview:
        response = client.post(url, {"file": SimpleUploadedFile("liste.csv", content)})

    assert response.status_code == 400
    assert "Le fichier dépasse 5 Mo." in response.content.decode()
    assert not preview.called


def test_empty_styled_cells_far_down_and_an_extension_formula_do_not_count(mission):
    """Only a value in a cell counts: a styled empty cell at row 30,000 (as a spreadsheet
    writes for a formatted range) and a data validation's <xm:f> are read past."""
    rows = bombs._row(1, bombs.HEADING) + bombs._row(2, bombs.ROW)
    rows += '<row r="30000"><c r="A30000" s="0"/><c r="XFD30000" s="0"/></row>'
    sheet = bombs._sheet(rows).replace(
        b"</worksheet>",
        b'<extLst><ext xmlns:x14="urn:x14" xmlns:xm="urn:xm" uri="{x}"><x14:dataValidations>'
        b"<x14:dataValidation><x14:formula1><xm:f>Listes!$A$1:$A$5</xm:f></x14:formula1>"
        b"</x14:dataValidation></x14:dataValidations></ext></extLst></worksheet>",
    )
    content = bombs._replace({"xl/worksheets/sheet1.xml": sheet})

    rows = import_preview(mission=mission, name="x.xlsx", content=content)

    assert [(r.action, r.values["email"]) for r in rows] == [("create", "ann@ggv.example")]
