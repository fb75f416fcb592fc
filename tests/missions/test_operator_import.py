import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import User
from companies.models import Operator
from missions.models import OperatorRegistration
from missions.operator_import import ImportFileError, import_preview
from tests.factories import MissionFactory, OperatorContactFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

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
        (b"Nom;Ville\nX;Y\n", r"Colonne\(s\) manquante\(s\)"),
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
