"""Arabic, the third language: pages right to left with Bootstrap's RTL build, Arabic text, values
kept left to right (``core/templatetags/bidi.py``), Morocco's formats, logical CSS."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, translation

from accounts.models import User
from core.templatetags.bidi import arrow, bdi, ltr, text_direction
from missions.operator_import import import_preview
from tests.dashboard.test_cockpit import seed
from tests.factories import MeetingSessionFactory, MissionFactory, StaffFactory, participants

ROOT = Path(__file__).resolve().parents[2]
LRI, PDI = "\u2066", "\u2069"


# The filters ------------------------------------------------------------------------------


def test_bdi_isolates_values_in_arabic_only():
    with translation.override("ar"):
        assert bdi("a@b.ma") == '<bdi dir="ltr">a@b.ma</bdi>'
        assert bdi("<x>") == '<bdi dir="ltr">&lt;x&gt;</bdi>'  # still escaped
        assert ltr("09:00–09:30") == f"{LRI}09:00–09:30{PDI}"
        assert arrow() == "←"
        assert bdi("") == "" and bdi(None) is None
    with translation.override("fr"):
        assert bdi("a@b.ma") == "a@b.ma" and ltr("09:00–09:30") == "09:00–09:30"
        assert arrow() == "→"


def test_bdi_auto_follows_the_first_strong_letter_in_every_language():
    for language in ("fr", "ar"):
        with translation.override(language):
            assert bdi("محمد (CEO)", "auto") == '<bdi dir="rtl">محمد (CEO)</bdi>'
            assert bdi("Atlas S.A.", "auto") == '<bdi dir="ltr">Atlas S.A.</bdi>'
    assert text_direction("2027 أطلس") == "rtl" and text_direction("12 34") == "ltr"


def test_time_ranges_in_templates_stay_left_to_right_in_arabic():
    template = Template(
        '{% load bidi %}{% filter bdi %}{{ a|time:"H:i" }}–{{ b|time:"H:i" }}{% endfilter %}'
    )
    context = Context({"a": datetime.time(9), "b": datetime.time(9, 30)})
    with translation.override("ar"):
        assert template.render(context) == '<bdi dir="ltr">09:00–09:30</bdi>'
    with translation.override("fr"):
        assert template.render(context) == "09:00–09:30"


# Formats ----------------------------------------------------------------------------------


def test_arabic_dates_and_times_use_western_digits_and_a_24_hour_clock():
    moment = datetime.datetime(2027, 3, 7, 14, 30)
    with translation.override("ar"):
        assert formats.date_format(moment, "DATE_FORMAT") == "7 مارس، 2027"
        assert formats.time_format(moment) == "14:30"
        assert formats.date_format(moment, "SHORT_DATE_FORMAT") == "07\u200f/03\u200f/2027"
        assert formats.number_format(12500.5, 2, force_grouping=True) == "12\xa0500,50"
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1
        assert not re.search("[\u0660-\u0669]", formats.date_format(moment, "l j F Y"))


# Pages ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_visitor_who_chooses_arabic_reads_the_site_right_to_left(client):
    MissionFactory(status="open", title="Mission TIC Nouakchott")
    french = client.get("/").content.decode()
    assert '<html lang="fr" dir="ltr">' in french and "bootstrap.min.css" in french
    # The language switch offers Arabic, named in Arabic.
    assert 'value="ar" lang="ar"' in french and "العربيّة" in french

    response = client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    assert response.cookies["django_language"].value == "ar"

    body = client.get("/").content.decode()
    assert '<html lang="ar" dir="rtl">' in body
    assert "bootstrap.rtl.min.css" in body and "bootstrap.min.css" not in body
    assert "البعثات القادمة" in body and "Mission TIC Nouakchott" in body
    assert "Upcoming missions" not in body and "Missions à venir" not in body


@pytest.mark.django_db
def test_a_member_who_chose_arabic_sees_values_left_to_right(client, member):
    member.language = "ar"
    member.save(update_fields=["language"])
    client.force_login(member)

    body = client.get(reverse("portal:home")).content.decode()

    assert '<html lang="ar" dir="rtl">' in body
    assert f'<bdi dir="ltr">{member.email}</bdi>' in body  # the navbar
    assert f'ICE <bdi dir="ltr">{member.company.ice}</bdi>' in body
    assert "مقاولتي" in body and "تسجيل الخروج" in body


@pytest.mark.django_db
def test_an_operator_books_and_reads_the_agenda_in_arabic(client):
    session = MeetingSessionFactory(tables=2)
    owner, contact = participants(session.mission)
    contact.language = "ar"
    contact.save(update_fields=["language"])
    client.force_login(contact)
    slug = session.mission.slug

    page = client.get(reverse("matchmaking:party", args=[slug, owner.company.pk])).content.decode()

    assert '<html lang="ar" dir="rtl">' in page and "احجز لقاءً" in page
    # A slot's hours read left to right on its button, not 09:30–09:00.
    first = session.slots.order_by("starts_at").first()
    assert re.search(rf'<button dir="ltr" [^>]*value="{first.pk}">09:00–09:30</button>', page)

    response = client.post(
        reverse("matchmaking:book", args=[slug, owner.company.pk]), {"slot": first.pk}, follow=True
    )
    agenda = response.content.decode()
    assert "تم حجز اللقاء" in agenda
    assert '<span class="fw-semibold"><bdi dir="ltr">09:00–09:30</bdi></span>' in agenda


@pytest.mark.django_db
def test_the_profile_offers_arabic_and_keeps_it(client, member):
    client.force_login(member)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert '<option value="ar"' in page
    response = client.post(
        reverse("accounts:profile"),
        {"full_name": "Amina", "phone": "", "language": "ar"},
        follow=True,
    )
    assert User.objects.get(pk=member.pk).language == "ar"
    assert 'dir="rtl"' in response.content.decode()


@pytest.mark.django_db
def test_the_cockpit_in_arabic(client):
    mission, _people, _slots = seed()
    staff = StaffFactory(language="ar")
    client.force_login(staff)

    body = client.get(reverse("dashboard:cockpit", args=[mission.slug])).content.decode()

    assert '<html lang="ar" dir="rtl">' in body and "شبكة اللقاءات" in body
    # The grid's heading and rows: hours in left-to-right isolates.
    assert re.search(r'<bdi dir="ltr">\d\d:\d\d–\d\d:\d\d</bdi>', body)
    assert f"{LRI}Africa/Abidjan (GMT){PDI}" in body


@pytest.mark.django_db
def test_a_pointing_icon_is_mirrored_right_to_left(client, staff):
    mission, _people, _slots = seed()
    meeting = mission.meetings.exclude(status="cancelled").first()
    client.force_login(staff)
    url = reverse("dashboard:cockpit_meeting", args=[mission.slug, meeting.pk])
    assert 'class="bi bi-flip"' in client.get(url).content.decode()
    css = (ROOT / "static" / "css" / "site.css").read_text()
    assert '[dir="rtl"] .bi-flip { transform: scaleX(-1); }' in css


@pytest.mark.django_db
def test_an_operator_list_may_name_arabic_as_the_contacts_language():
    mission = MissionFactory()
    content = (
        "Organisation;Type;Pays;Ville;Nom du contact;E-mail;Langue\n"
        "Sahel Telecom;telecom;MR;Nouakchott;Sidi Ould Ahmed;sidi@sahel.mr;ar\n"
        "بنك الساحل;بنك / أداء إلكتروني;موريتانيا;نواكشوط;سيدي ولد أحمد;bank@sahel.mr;ar\n"
    )
    first, second = import_preview(mission=mission, name="liste.csv", content=content.encode())
    assert not first.errors and first.values["language"] == "ar"
    # A list written in Arabic: the kind and the country in Arabic are understood.
    assert not second.errors, second.errors
    assert (second.values["kind"], second.values["country"]) == ("bank", "MR")
    assert second.values["name"] == "بنك الساحل"


# The project's own CSS --------------------------------------------------------------------

PHYSICAL = re.compile(
    r"\b(margin|padding|border)-(left|right)\b|(?<![-\w])(left|right)\s*:|"
    r"text-align:\s*(left|right)|float:\s*(left|right)"
)


def test_own_css_uses_logical_properties():
    """The project's style sheets say start and end, not left and right, so that they hold from
    right to left; a physical side is allowed only in a rule for one direction."""
    sheets = [*(ROOT / "static").glob("css/*.css"), *(ROOT / "static").glob("onsite/*.css")]
    assert sheets
    for sheet in sheets:
        for number, line in enumerate(sheet.read_text().splitlines(), start=1):
            code = re.sub(r"/\*.*?\*/", "", line)
            if PHYSICAL.search(code) and "[dir=" not in code:
                raise AssertionError(f"{sheet.name}:{number}: {line.strip()}")


def test_arabic_is_a_language_of_the_site():
    assert [code for code, _name in settings.LANGUAGES] == ["fr", "en", "ar"]
    assert User._meta.get_field("language").choices[-1][0] == "ar"
