"""Exports and print-outs for a staff member who reads Arabic: the PDFs are shaped and right to
left (read back with pypdf), the spreadsheets keep Arabic intact and read from right to left."""

import io
import unicodedata

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from core.templatetags.bidi import text_direction
from missions.models import Mission
from tests.factories import MeetingSessionFactory, MissionFactory, StaffFactory, participants

from .test_exports import book, read_csv

pytestmark = pytest.mark.django_db

ARABIC_FIRM = "أطلس الرقمية"
ARABIC_DELEGATE = "محمد العلوي"


@pytest.fixture
def mission():
    return MissionFactory(
        slug="nouakchott-2027",
        title="Mission TIC Nouakchott",
        city="Nouakchott",
        country="MR",
        timezone="Africa/Nouakchott",
        status=Mission.Status.SCHEDULING,
    )


@pytest.fixture
def session(mission):
    return MeetingSessionFactory(mission=mission, place="Hôtel Azalaï")


@pytest.fixture
def arabic_staff():
    return StaffFactory(language="ar")


def plain(text: str) -> str:
    """Arabic as pypdf reads it back: the shaped letters (presentation forms) folded to the
    plain ones, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def read_pdf(response) -> tuple[PdfReader, list[str]]:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return reader, [plain(page.extract_text()) for page in reader.pages]


def left_to_right(page, *words: str) -> bool:
    """Whether ``words`` stand on one line of the page in this order from left to right. pypdf's
    layout mode sets each glyph at its place on the page: an Arabic word, drawn from right to
    left, reads backwards there."""
    words = tuple(w[::-1] if text_direction(w) == "rtl" else w for w in words)
    for line in page.extract_text(extraction_mode="layout").splitlines():
        line = unicodedata.normalize("NFKC", line)
        if all(w in line for w in words):
            places = [line.index(w) for w in words]
            return places == sorted(places)
    raise AssertionError(f"{words} are not on one line")


def fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def arabic_meeting(session, index=2):
    meeting = book(session, index=index)
    meeting.company.trade_name = ARABIC_FIRM
    meeting.company.save(update_fields=["trade_name"])
    meeting.delegate.full_name = ARABIC_DELEGATE
    meeting.delegate.save(update_fields=["full_name"])
    return meeting


def operator_agenda(client, user, meeting) -> tuple[PdfReader, str]:
    """The printed agenda of the meeting's operator, as ``user`` downloads it."""
    client.force_login(user)
    url = reverse(
        "dashboard:print_agenda", args=["nouakchott-2027", "operator", meeting.operator_id]
    )
    reader, (text,) = read_pdf(client.get(url))
    return reader, text


def test_arabic_agenda_reads_back_in_arabic_right_to_left(client, arabic_staff, session):
    meeting = arabic_meeting(session)
    reader, text = operator_agenda(client, arabic_staff, meeting)
    # The interface's words in Arabic, each word's letters in reading order.
    for words in ("المقاولة المغربية", "الوقت", "المندوب", "الطاولة", "مؤكد", "جهات الاتصال"):
        assert words in text
    # The names as written, whatever their script.
    assert ARABIC_FIRM in text and ARABIC_DELEGATE in text
    assert meeting.operator.name in text and "Hôtel Azalaï" in text
    # The times of the meeting stay left to right: 10:00–10:30, not 10:30–10:00.
    assert "10:00–10:30" in text and "10:30–10:00" not in text
    assert "Africa/Nouakchott" in text
    # Right to left: the first column (time) is at the right of the page, the last (code) at
    # the left.
    assert left_to_right(reader.pages[0], "الرمز", "المندوب", "الوقت")
    # Shaped by the Arabic font of fonts-noto-core, the Latin names by DejaVu.
    used = fonts(reader)
    assert any("Noto-Sans-Arabic" in name for name in used), used
    assert any("DejaVu-Sans" in name for name in used), used


def test_french_agenda_stays_left_to_right(client, staff, session):
    reader, text = operator_agenda(client, staff, arabic_meeting(session))
    assert "Horaire" in text and ARABIC_FIRM in text and "10:00–10:30" in text
    assert left_to_right(reader.pages[0], "Horaire", "Délégué", "Code")


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_badges_with_latin_and_arabic_names_read_as_written(client, mission, language):
    owner, contact = participants(mission)
    owner.full_name = "Karim Bennani"
    owner.save(update_fields=["full_name"])
    owner.company.trade_name = ARABIC_FIRM
    owner.company.save(update_fields=["trade_name"])
    delegate = owner.company.applications.get().delegates.get()
    delegate.full_name = "Karim Bennani"
    delegate.role = "مدير تجاري"
    delegate.save(update_fields=["full_name", "role"])
    contact.full_name = "سيدي ولد أحمد"
    contact.save(update_fields=["full_name"])
    contact.operator.name = "Sahel Telecom S.A."
    contact.operator.save(update_fields=["name"])
    client.force_login(StaffFactory(language=language))

    response = client.get(reverse("dashboard:print_badges", args=["nouakchott-2027"]))

    reader, (text,) = read_pdf(response)
    # A Latin name and an Arabic organisation on one badge, an Arabic name on the other: each
    # reads in its own direction, in an Arabic and in a French print-out alike.
    for name in ("Karim Bennani", ARABIC_FIRM, "مدير تجاري", "سيدي ولد أحمد", "Sahel Telecom"):
        assert name in text, (name, text)
    # As drawn on the page: a Latin name that ends in a full stop keeps it at its end, on the
    # right, even on an Arabic badge (the bidirectional algorithm alone would move it left).
    drawn = unicodedata.normalize("NFKC", reader.pages[0].extract_text(extraction_mode="layout"))
    assert "Sahel Telecom S.A." in drawn and ".Sahel Telecom" not in drawn, drawn


def test_arabic_table_plan_keeps_times_left_to_right(client, arabic_staff, session):
    arabic_meeting(session, index=0)
    client.force_login(arabic_staff)

    response = client.get(reverse("dashboard:print_plan", args=["nouakchott-2027", session.pk]))

    _reader, (text,) = read_pdf(response)
    assert "مخطط الطاولات" in text and ARABIC_FIRM in text
    assert "09:00–09:30" in text and "11:30–12:00" in text


def test_arabic_csv_keeps_arabic_with_a_byte_order_mark(client, arabic_staff, session):
    meeting = arabic_meeting(session)
    client.force_login(arabic_staff)

    response = client.get(reverse("dashboard:export_csv", args=["nouakchott-2027", "schedule"]))

    rows, delimiter = read_csv(response)  # checks the byte order mark
    assert delimiter == ";"  # Morocco's Excel, in Arabic as in French
    header, row = rows
    assert header[0] == "اليوم" and "المقاولة المغربية" in header
    values = dict(zip(header, row, strict=True))
    assert values["المقاولة المغربية"] == ARABIC_FIRM
    assert values["المندوب"] == ARABIC_DELEGATE
    assert values["المتعامل"] == meeting.operator.name


def test_arabic_xlsx_reads_right_to_left(client, arabic_staff, staff, session):
    arabic_meeting(session)
    client.force_login(arabic_staff)

    response = client.get(reverse("dashboard:export_xlsx", args=["nouakchott-2027", "schedule"]))

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.sheet_view.rightToLeft is True
    header = [c.value for c in sheet[1]]
    assert header[0] == "اليوم"
    assert ARABIC_FIRM in [c.value for c in sheet[2]]

    client.force_login(staff)
    french = client.get(reverse("dashboard:export_xlsx", args=["nouakchott-2027", "schedule"]))
    assert not load_workbook(io.BytesIO(french.content)).active.sheet_view.rightToLeft
