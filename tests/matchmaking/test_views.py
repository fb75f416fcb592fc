"""The participants' pages: directory, booking, requests, agenda, calendars, and what a
participant can never do to another's meetings."""

import re
from datetime import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from companies.models import Sector
from matchmaking import services
from matchmaking.models import CalendarFeed, Meeting, MeetingRequest
from tests.factories import (
    ApplicationFactory,
    MeetingSessionFactory,
    OperatorContactFactory,
    RegistrationFactory,
    participants,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def session():
    return MeetingSessionFactory(tables=2)


def test_directory_ranks_operators_with_reasons(client, session):
    owner, _ = participants(session.mission)
    application = owner.company.applications.get()
    application.objectives = ["distributors"]
    application.save()
    payment = Sector.objects.get(slug="e-payment-banking")
    owner.company.sectors.set([payment])
    best = OperatorContactFactory(
        operator__name="Distri Lagune", operator__kind="distributor"
    ).operator
    best.sectors.set([payment])
    RegistrationFactory(mission=session.mission, operator=best, status="confirmed")
    RegistrationFactory(
        mission=session.mission, operator__name="Opérateur en attente", status="pending"
    )
    client.force_login(owner)
    body = client.get(
        reverse("matchmaking:directory", args=[session.mission.slug])
    ).content.decode()
    assert (
        body.index("Distri Lagune") < body.index("Opérateur 0") if "Opérateur 0" in body else True
    )
    assert "Secteur commun : Paiement électronique et banque" in body
    assert (
        "Vous cherchez des distributeurs : leur profil y répond (Distributeur / importateur)"
        in body
    )
    assert "Opérateur en attente" not in body  # only confirmed operators
    filtered = client.get(
        reverse("matchmaking:directory", args=[session.mission.slug]), {"kind": "bank"}
    ).content.decode()
    assert "Distri Lagune" not in filtered


def test_directory_pages_keep_the_filters_and_show_every_party_once(client, session):
    """Past 50 parties the directory is paged, best matches first; the page links keep the
    cleaned filters (never the raw query), and every party shows on exactly one page."""
    owner, _contact = participants(session.mission)
    for i in range(55):
        RegistrationFactory(
            mission=session.mission,
            operator__name=f"Banque {i:02}",
            operator__kind="bank",
            operator__city="Abidjan",
            status="confirmed",
        )
    client.force_login(owner)
    url = reverse("matchmaking:directory", args=[session.mission.slug])
    first = client.get(url, {"kind": "bank", "q": "  banque ", "junk": "<x>"}).content.decode()
    assert "55 résultats" in first and "1 / 2" in first
    pages = first[first.index('class="pagination') :]
    assert 'href="?q=banque&amp;kind=bank&amp;page=2"' in pages and "junk" not in pages
    second = client.get(url, {"kind": "bank", "q": "banque", "page": "2"}).content.decode()
    names = re.findall(r"Banque \d\d", first) + re.findall(r"Banque \d\d", second)
    assert sorted(names) == [f"Banque {i:02}" for i in range(55)]
    assert client.get(url, {"page": "999"}).status_code == 200  # past the end: the last page


def test_an_invalid_filter_shows_its_own_value_to_its_reader_only(client, session):
    owner, contact = participants(session.mission)
    url = reverse("matchmaking:directory", args=[session.mission.slug])
    client.force_login(owner)
    response = client.get(url, {"q": "x" * 101, "country": "ZZ"})
    odd = response.content.decode()
    assert response.status_code == 400
    assert "x" * 101 in odd  # its reader sees what they typed, and why it was not applied
    assert "Ces filtres n’ont pas été appliqués" in odd and "ZZ" in odd
    client.force_login(contact)
    assert "x" * 101 not in client.get(url).content.decode()
    client.force_login(owner)
    assert "x" * 101 not in client.get(url).content.decode()


def test_operator_books_a_free_slot_from_the_firms_page(
    client, session, mailoutbox, django_capture_on_commit_callbacks
):
    owner, contact = participants(session.mission)
    client.force_login(contact)
    page = client.get(
        reverse("matchmaking:party", args=[session.mission.slug, owner.company.pk])
    ).content.decode()
    assert "Africa/Abidjan" in page and "09:00–09:30" in page
    slot = session.slots.get(index=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("matchmaking:book", args=[session.mission.slug, owner.company.pk]),
            {"slot": slot.pk},
        )
    assert response["Location"] == reverse("matchmaking:agenda", args=[session.mission.slug])
    meeting = Meeting.objects.get()
    assert (meeting.company, meeting.operator, meeting.slot) == (
        owner.company,
        contact.operator,
        slot,
    )
    assert len(mailoutbox) == 2
    agenda = client.get(response["Location"]).content.decode()
    assert owner.company.display_name in agenda and "09:30–10:00" in agenda and "Table 1" in agenda
    client.force_login(owner)
    firm_agenda = client.get(response["Location"]).content.decode()
    assert contact.operator.name in firm_agenda and "09:30–10:00" in firm_agenda


def test_slot_taken_meanwhile_says_so_and_shows_the_free_ones(client, session):
    owner, contact = participants(session.mission)
    rival_owner, _ = participants(session.mission)
    slot = session.slots.get(index=0)
    services.meeting_book(
        mission=session.mission,
        company=rival_owner.company,
        operator=contact.operator,
        slot=slot,
        by=rival_owner,
    )
    client.force_login(owner)
    response = client.post(
        reverse("matchmaking:book", args=[session.mission.slug, contact.operator.pk]),
        {"slot": slot.pk},
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "L’opérateur a déjà un rendez-vous à cette heure." in body
    assert f'name="slot" value="{slot.pk}"' not in body
    assert f'name="slot" value="{session.slots.get(index=1).pk}"' in body
    assert Meeting.objects.count() == 1


def test_requests_pages_show_mutual_wishes(client, session):
    owner, contact = participants(session.mission)
    client.force_login(owner)
    url = reverse("matchmaking:request", args=[session.mission.slug, contact.operator.pk])
    client.post(url, {"priority": "3", "message": "Solutions de paiement"})
    client.force_login(contact)
    page = client.get(reverse("matchmaking:requests", args=[session.mission.slug])).content.decode()
    assert (
        owner.company.display_name in page
        and "Solutions de paiement" in page
        and "Essentielle" in page
    )
    client.post(
        reverse("matchmaking:request", args=[session.mission.slug, owner.company.pk]),
        {"priority": "2"},
    )
    page = client.get(reverse("matchmaking:requests", args=[session.mission.slug])).content.decode()
    assert "Souhait réciproque" in page
    request = MeetingRequest.objects.get(side="company")
    client.post(
        reverse("matchmaking:request_action", args=[session.mission.slug, request.pk]),
        {"action": "accept"},
    )
    request.refresh_from_db()
    assert request.status == "accepted"


def test_participant_cannot_touch_another_partys_meeting(client, session):
    owner, contact = participants(session.mission)
    other_owner, other_contact = participants(session.mission)
    meeting = services.meeting_book(
        mission=session.mission,
        company=other_owner.company,
        operator=other_contact.operator,
        slot=session.slots.first(),
        by=other_owner,
    )
    for user in (owner, contact):
        client.force_login(user)
        cancel = client.post(
            reverse("matchmaking:meeting_cancel", args=[session.mission.slug, meeting.pk])
        )
        move = client.get(
            reverse("matchmaking:meeting_move", args=[session.mission.slug, meeting.pk])
        )
        assert (cancel.status_code, move.status_code) == (404, 404)
        agenda = client.get(
            reverse("matchmaking:agenda", args=[session.mission.slug])
        ).content.decode()
        assert other_owner.company.display_name not in agenda
    meeting.refresh_from_db()
    assert meeting.status == "confirmed"
    request = MeetingRequest.objects.create(
        mission=session.mission,
        company=other_owner.company,
        operator=other_contact.operator,
        side="company",
    )
    client.force_login(contact)
    assert (
        client.post(
            reverse("matchmaking:request_action", args=[session.mission.slug, request.pk]),
            {"action": "decline"},
        ).status_code
        == 404
    )
    request.refresh_from_db()
    assert request.status == "pending"


def test_non_participants_are_kept_out(client, session, member, operator_contact, staff):
    ApplicationFactory(mission=session.mission, company=member.company, status="waitlisted")
    RegistrationFactory(
        mission=session.mission, operator=operator_contact.operator, status="pending"
    )
    for user in (member, operator_contact, staff):
        client.force_login(user)
        assert (
            client.get(reverse("matchmaking:directory", args=[session.mission.slug])).status_code
            == 403
        )


def test_agenda_ics_and_private_feed(client, session):
    owner, contact = participants(session.mission)
    meeting = services.meeting_book(
        mission=session.mission,
        company=owner.company,
        operator=contact.operator,
        slot=session.slots.first(),
        by=owner,
    )
    client.force_login(contact)
    response = client.get(reverse("matchmaking:agenda_ics", args=[session.mission.slug]))
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [meeting.uid]
    client.post(reverse("matchmaking:calendar"))
    page = client.get(reverse("matchmaking:calendar")).content.decode()
    feed_path = re.search(r"(/calendar/[^\s\"]+\.ics)", page).group(1)
    client.logout()
    feed = client.get(feed_path)
    assert [str(e["UID"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")] == [meeting.uid]
    assert "private" in feed["Cache-Control"]  # no shared cache keeps a user's meetings
    client.force_login(contact)
    client.post(reverse("matchmaking:calendar"))  # revoke: a new address
    client.logout()
    assert client.get(feed_path).status_code == 404
    assert CalendarFeed.objects.count() == 1


def test_availability_page_saves_and_blocks_booking(client, session):
    owner, contact = participants(session.mission)
    client.force_login(owner)
    slot = session.slots.get(index=2)
    client.post(
        reverse("matchmaking:availability", args=[session.mission.slug]),
        {"unavailable": [str(slot.pk), "junk"]},
    )
    client.force_login(contact)
    page = client.get(
        reverse("matchmaking:party", args=[session.mission.slug, owner.company.pk])
    ).content.decode()
    assert f'name="slot" value="{slot.pk}"' not in page
    assert f'name="slot" value="{session.slots.get(index=1).pk}"' in page


def test_staff_session_pages(client, staff, session):
    client.force_login(staff)
    url = reverse("dashboard:sessions", args=[session.mission.slug])
    response = client.post(
        url,
        {
            "day": session.day.isoformat(),
            "start_time": "14:00",
            "end_time": "13:00",
            "slot_minutes": 30,
            "break_minutes": 5,
            "tables": 3,
        },
    )
    assert (
        response.status_code == 400
        and "La fin doit venir après le début." in response.content.decode()
    )
    response = client.post(
        url,
        {
            "day": session.day.isoformat(),
            "start_time": "14:00",
            "end_time": "16:00",
            "slot_minutes": 30,
            "break_minutes": 0,
            "tables": 3,
            "place_fr": "Salle B",
            "place_en": "Room B",
        },
    )
    assert response.status_code == 302
    assert session.mission.meeting_sessions.count() == 2
    assert "Salle B" in client.get(url).content.decode()
    with translation.override("en"):
        assert session.mission.meeting_sessions.get(place_fr="Salle B").place == "Room B"


def _meet_another_operator(session, owner, slot):
    """A meeting of the owner's firm with a new confirmed operator, in ``slot``."""
    services.meeting_book(
        mission=session.mission,
        company=owner.company,
        operator=participants(session.mission)[1].operator,
        slot=slot,
        by=owner,
    )


@pytest.mark.parametrize("page", ["matchmaking:directory", "matchmaking:agenda"])
def test_directory_and_agenda_query_counts_do_not_grow(client, queries, page):
    session = MeetingSessionFactory(
        tables=60,
        start_time=time(8, 0),
        end_time=time(20, 0),
    )
    owner, _contact = participants(session.mission, delegates=2)
    slots = list(session.slots.order_by("starts_at"))

    def add(i):
        _meet_another_operator(session, owner, slots[i // 2])
        RegistrationFactory(mission=session.mission)

    add(0)
    client.force_login(owner)
    url = reverse(page, args=[session.mission.slug])

    def cold():  # measured with an empty cache: the worst case
        cache.clear()
        return queries(lambda: client.get(url))

    one = cold()
    for i in range(1, 48):
        add(i)
    assert cold() == one
    response = client.get(url)
    # 48 meetings; the directory lists the 49 confirmed operators (the first one met nobody).
    if page.endswith("directory"):
        assert len(response.context["page"].object_list) == 49
    else:
        assert response.content.decode().count('<li class="list-group-item') == 48


def test_booking_page_query_count_does_not_grow(client, queries):
    """An operator opens the page of a firm that has 1 meeting, then 48: the free slots, the
    tables taken and both parties' busy slots are each read in one query."""
    session = MeetingSessionFactory(tables=60, start_time=time(8, 0), end_time=time(20, 0))
    owner, contact = participants(session.mission, delegates=2)
    slots = list(session.slots.order_by("starts_at"))
    client.force_login(contact)
    url = reverse("matchmaking:party", args=[session.mission.slug, owner.company.pk])

    def add(i):
        _meet_another_operator(session, owner, slots[i // 2])

    def cold():
        cache.clear()
        return queries(lambda: client.get(url))

    add(0)
    one = cold()
    for i in range(1, 48):
        add(i)
    assert cold() == one
    page = client.get(url).content.decode()
    assert page.count('name="slot"') == len(slots) - 24


def test_cached_pages_follow_every_change(
    client, session, staff, django_capture_on_commit_callbacks
):
    """The booking page and the agenda are cached per mission version: a booking, a profile
    change or a decision shows at once."""
    from companies.services import company_update
    from missions import services as mission_services

    owner, contact = participants(session.mission)
    rival_owner, _ = participants(session.mission)
    client.force_login(contact)
    page_url = reverse("matchmaking:party", args=[session.mission.slug, owner.company.pk])
    slot = session.slots.get(index=0)
    assert f'name="slot" value="{slot.pk}"' in client.get(page_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_book(
            mission=session.mission,
            company=rival_owner.company,
            operator=contact.operator,
            slot=slot,
            by=rival_owner,
        )
    page = client.get(page_url).content.decode()
    assert f'name="slot" value="{slot.pk}"' not in page  # the operator now meets the rival then
    agenda = client.get(reverse("matchmaking:agenda", args=[session.mission.slug])).content.decode()
    assert rival_owner.company.display_name in agenda
    with django_capture_on_commit_callbacks(execute=True):
        company_update(
            company=owner.company, by=owner, data={"offer": "Monétique nouvelle génération"}
        )
    assert "Monétique nouvelle génération" in client.get(page_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        mission_services.applications_decide(
            applications=list(owner.company.applications.all()), decision="rejected", by=staff
        )
    assert client.get(page_url).status_code == 404


def test_a_booking_expires_what_it_changes_and_nothing_else(
    client, session, queries, django_capture_on_commit_callbacks
):
    """A booking renews the tables taken per slot and its two parties' entries: a third party's
    booking page shows it at once (the last table of the slot is gone), and rebuilds only the
    tables taken (one query), not the viewer, the firm, their flags or their busy slots."""
    owner, contact = participants(session.mission)  # the viewer (contact) and the firm it opens
    first, second = (participants(session.mission) for _ in range(2))  # two other pairs
    slot = session.slots.get(index=0)  # two tables
    client.force_login(contact)
    url = reverse("matchmaking:party", args=[session.mission.slug, owner.company.pk])
    offered = f'name="slot" value="{slot.pk}"'
    assert offered in client.get(url).content.decode()
    client.get(url)  # every entry of the page cached
    warm = queries(lambda: client.get(url))
    assert warm == 2  # the signed-in user and the mission

    def book(pair):
        with django_capture_on_commit_callbacks(execute=True):
            services.meeting_book(
                mission=session.mission,
                company=pair[0].company,
                operator=pair[1].operator,
                slot=slot,
                by=pair[0],
            )

    book(first)
    assert offered in client.get(url).content.decode()  # one table left
    book(second)
    assert queries(lambda: client.get(url)) == warm + 1
    assert offered not in client.get(url).content.decode()  # both tables taken
    # The parties of a booking see it on their own pages at once.
    client.force_login(first[1])
    other_url = reverse("matchmaking:party", args=[session.mission.slug, first[0].company.pk])
    page = client.get(other_url).content.decode()
    local = slot.starts_at.astimezone(session.mission.tzinfo)
    assert 'name="slot"' not in page and f"{local:%H:%M}" in page  # "you meet on ..., 09:00"


def test_availability_and_requests_show_at_once_to_the_other_side(
    client, session, django_capture_on_commit_callbacks
):
    owner, contact = participants(session.mission)
    contact.language = "en"
    contact.save(update_fields=["language"])
    slot = session.slots.get(index=0)
    client.force_login(contact)
    url = reverse("matchmaking:party", args=[session.mission.slug, owner.company.pk])
    page = client.get(url).content.decode()
    assert f'name="slot" value="{slot.pk}"' in page and "Wants to meet you" not in page
    firm = services.Participant(
        mission=session.mission,
        side="company",
        company=owner.company,
        application=owner.company.applications.get(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.availability_set(participant=firm, unavailable_slot_ids={slot.pk})
        services.request_create(
            participant=firm, counterpart=contact.operator, priority=1, message="", by=owner
        )
    page = client.get(url).content.decode()
    assert f'name="slot" value="{slot.pk}"' not in page  # the firm is away then
    assert "Wants to meet you" in page


def test_an_admin_edit_of_the_mission_shows_at_once_on_cached_pages(
    client, session, staff, rf, django_capture_on_commit_callbacks
):
    """The participants' pages read the mission from the read cache: the admin renews it."""
    from django.contrib.admin.sites import site

    owner, contact = participants(session.mission)
    client.force_login(contact)
    url = reverse("matchmaking:party", args=[session.mission.slug, owner.company.pk])
    book_url = reverse("matchmaking:book", args=[session.mission.slug, owner.company.pk])
    for _ in range(2):  # cached
        assert book_url in client.get(url).content.decode()
    mission = session.mission
    mission_admin = site._registry[type(mission)]
    request = rf.post("/admin/")
    request.user = staff
    mission.status = "closed"
    with django_capture_on_commit_callbacks(execute=True):
        mission_admin.save_model(request, mission, form=None, change=True)
    assert book_url not in client.get(url).content.decode()  # booking closed, at once
    mission.status, mission.slug = "scheduling", "ouagadougou-2027-bis"
    with django_capture_on_commit_callbacks(execute=True):
        mission_admin.save_model(request, mission, form=None, change=True)
    assert client.get(url).status_code == 404  # the former address
    page = client.get(reverse("matchmaking:party", args=[mission.slug, owner.company.pk]))
    assert (
        reverse("matchmaking:book", args=[mission.slug, owner.company.pk]) in page.content.decode()
    )


def test_requests_page_query_count_does_not_grow(client, session, queries):
    owner, contact = participants(session.mission)
    client.force_login(owner)
    MeetingRequest.objects.create(
        mission=session.mission, company=owner.company, operator=contact.operator, side="company"
    )
    url = reverse("matchmaking:requests", args=[session.mission.slug])
    cache.clear()
    one = queries(lambda: client.get(url))
    for _ in range(49):
        other = participants(session.mission)[1]
        MeetingRequest.objects.create(
            mission=session.mission, company=owner.company, operator=other.operator, side="operator"
        )
    cache.clear()
    assert queries(lambda: client.get(url)) == one


def test_staff_sessions_page_query_count_does_not_grow(client, staff, queries):
    session = MeetingSessionFactory()
    client.force_login(staff)
    url = reverse("dashboard:sessions", args=[session.mission.slug])
    one = queries(lambda: client.get(url))
    for hour in range(13, 18):
        services.session_create(
            mission=session.mission,
            data={
                "day": session.day,
                "start_time": time(hour, 0),
                "end_time": time(hour, 30),
                "slot_minutes": 30,
                "break_minutes": 0,
                "tables": 2,
                "place": "",
            },
        )
    assert queries(lambda: client.get(url)) == one
