"""E-mails to a reader who chose Arabic, through a real SMTP server: Arabic subject and body,
right to left in HTML and in plain text, the meeting's times kept left to right, and an Arabic
calendar invitation, all parsed back."""

import re

import pytest
from icalendar import Calendar

from core.templatetags.bidi import rtl_text, text_direction
from tests.factories import MeetingSessionFactory, participants

from .test_outbox import _book

pytestmark = pytest.mark.django_db

RLM, LRI, PDI = "\u200f", "\u2066", "\u2069"


@pytest.fixture
def arabic_booking(django_capture_on_commit_callbacks):
    """A meeting booked in Nouakchott between a French-speaking firm and an operator whose
    contact reads Arabic."""
    session = MeetingSessionFactory(
        mission__timezone="Africa/Nouakchott", mission__city="Nouakchott"
    )
    owner, contact = participants(session.mission)
    contact.language = "ar"
    contact.full_name = "سيدي ولد أحمد"
    contact.save()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _book(session, owner, contact)
    return meeting, owner, contact


def test_a_booking_confirmation_in_arabic_right_to_left(smtp, arabic_booking):
    meeting, owner, contact = arabic_booking
    messages = {m["To"]: m for m in smtp.wait_for(2)}
    arabic, french = messages[contact.email], messages[owner.email]

    assert arabic["Content-Language"] == "ar"
    firm, operator = meeting.company.display_name, meeting.operator.name
    assert arabic["Subject"] == f"[Maroc Export] لقاء محجوز: {firm} – {operator}"

    html = arabic.get_body(("html",)).get_content()
    assert '<html lang="ar" dir="rtl">' in html and '<body dir="rtl"' in html
    assert "text-align:right" in html
    assert "مرحبًا سيدي ولد أحمد،" in html and "أؤكد أنني سأحضر" in html
    # The meeting's hours in a left-to-right isolate: 09:00–09:30, never 09:30–09:00.
    assert '<bdi dir="ltr">09:00–09:30</bdi>' in html

    text = arabic.get_body(("plain",)).get_content()
    lines = [line for line in text.splitlines() if line.strip()]
    # Every line with Arabic in it reads from the right, even one that begins with a name.
    arabic_lines = [line for line in lines if re.search("[\u0600-\u06ff]", line)]
    assert len(arabic_lines) >= 5
    assert all(text_direction(line) == "rtl" for line in arabic_lines), arabic_lines
    assert "مرحبًا سيدي ولد أحمد،" in lines
    assert f"{LRI}09:00–09:30{PDI}" in text
    # A line without Arabic (a link) is left alone: it is copied, not read.
    assert not any(line.startswith(RLM) for line in lines if line not in arabic_lines)
    assert "/attend/" in text and firm in text and operator in text

    [invitation] = list(arabic.iter_attachments())
    event = Calendar.from_ical(invitation.get_content()).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == f"لقاء B2B: {firm} – {operator}"
    assert "تلتقي" in str(event["DESCRIPTION"]) and operator in str(event["DESCRIPTION"])
    assert event.decoded("DTSTART").strftime("%H:%M") == "09:00"

    # The French reader of the same event gets French, left to right, without marks.
    french_html = french.get_body(("html",)).get_content()
    french_text = french.get_body(("plain",)).get_content()
    assert '<html lang="fr" dir="ltr">' in french_html and "<bdi" not in french_html
    assert RLM not in french_text and LRI not in french_text
    assert "09:00–09:30" in french_text
    [french_invitation] = list(french.iter_attachments())
    summary = Calendar.from_ical(french_invitation.get_content()).walk("VEVENT")[0]["SUMMARY"]
    assert str(summary).startswith("Rendez-vous B2B")


def test_rtl_text_marks_only_arabic_lines_that_begin_in_latin():
    text = "مرحبا\n\nAtlas Digital – لقاء\nhttps://b2b.ma/attend/x\nABC-DEF\n"
    assert (
        rtl_text(text) == f"مرحبا\n\n{RLM}Atlas Digital – لقاء\nhttps://b2b.ma/attend/x\nABC-DEF\n"
    )
