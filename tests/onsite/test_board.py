"""The floor board: its figures against direct counts, the staff actions (seat a meeting on the
spot under the booking's rules, move a late one), the suspected no-shows and their one click."""

import pytest
from django.urls import reverse
from django.utils import timezone

from matchmaking.models import Meeting, MeetingStatus, Origin
from matchmaking.services import MatchmakingError
from onsite import selectors, services
from onsite.codes import badge_token
from onsite.models import MeetingStart, Presence
from outbox.models import Email

pytestmark = pytest.mark.django_db


def _check_in(day, meeting, *, firm=True, operator=True):
    if firm:
        services.presence_record(
            mission=day.mission,
            token=badge_token(mission_id=day.mission.pk, delegate_id=meeting.delegate_id),
            by=day.staff,
        )
    if operator:
        contact = meeting.operator.contacts.get()
        services.presence_record(
            mission=day.mission,
            token=badge_token(mission_id=day.mission.pk, contact_id=contact.pk),
            by=day.staff,
        )


def _start(meeting):
    return services.meeting_start(meeting=meeting, at=timezone.now(), via="staff", by=None)


def test_board_figures_match_direct_counts(day):
    now_meetings = [day.book(1) for _ in range(3)]  # slot 1 is 20 minutes in: late unless started
    next_meeting = day.book(2)
    _start(now_meetings[0])
    _check_in(day, now_meetings[0])
    _check_in(day, now_meetings[1], operator=False)
    board = selectors.board(session=day.session)

    current = day.slots[1]
    started = set(MeetingStart.objects.values_list("meeting_id", flat=True))
    active_now = Meeting.objects.filter(slot=current).exclude(status=MeetingStatus.CANCELLED)
    assert len(board.running) == active_now.filter(pk__in=started).count() == 1
    assert len(board.late) == active_now.exclude(pk__in=started).count() == 2
    assert len(board.free_now) == day.session.tables - active_now.count() == 1
    active_next = Meeting.objects.filter(slot=day.slots[2])
    assert len(board.free_next) == day.session.tables - active_next.count() == 3
    # Not yet present: every delegate and operator due now or next without a check-in.
    due = [*now_meetings, next_meeting]
    delegates_in = set(Presence.objects.values_list("delegate_id", flat=True))
    operators_in = set(Presence.objects.values_list("operator_id", flat=True))
    expected = {("company", m.delegate_id) for m in due if m.delegate_id not in delegates_in}
    expected |= {("operator", m.operator_id) for m in due if m.operator_id not in operators_in}
    assert {(p.kind, p.pk) for p in board.absent} == expected
    assert len(expected) == 5  # meeting 1: operator; meeting 2: both; next meeting: both
    assert board.current.slot == current and board.following.slot == day.slots[2]


def test_board_page_and_its_live_part(client, day):
    meeting = day.book(1)
    client.force_login(day.staff)
    url = reverse("onsite:board", args=[day.mission.slug, day.session.pk])
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert meeting.company.display_name in text and 'hx-trigger="every 10s"' in text
    assert '<span class="n" data-figure="late">1</span>' in text
    live = client.get(url, headers={"HX-Request": "true"})
    assert live.status_code == 200
    assert "<html" not in live.content.decode()
    assert '<span class="n" data-figure="late">1</span>' in live.content.decode()


def test_board_queries_do_not_grow_with_meetings(client, day, queries):
    client.force_login(day.staff)
    url = reverse("onsite:board", args=[day.mission.slug, day.session.pk])
    day.book(1)
    one = queries(lambda: client.get(url))
    for index in (1, 1, 2, 2, 2, 3):
        day.book(index)
    many = queries(lambda: client.get(url))
    assert many == one


def test_absent_participant_with_phone_gets_call_and_message_links(client, day):
    meeting = day.book(1)
    owner = meeting.company.members.get()
    owner.phone = "+212600000001"
    owner.save()
    client.force_login(day.staff)
    text = client.get(reverse("onsite:board", args=[day.mission.slug, day.session.pk])).content
    assert b'href="tel:+212600000001"' in text and b'href="sms:+212600000001"' in text


# --- Seating on the spot ------------------------------------------------------------------------


def test_seat_on_the_spot_in_a_free_table_now_announced_like_a_booking(client, day):
    owner, contact = day.pair()
    table = day.session.table_set.get(number=2)
    client.force_login(day.staff)
    emails = Email.objects.count()
    response = client.post(
        reverse("onsite:seat", args=[day.mission.slug, day.session.pk]),
        {
            "company": owner.company_id,
            "operator": contact.operator_id,
            "place": f"{day.slots[1].pk}:{table.pk}",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.slot, meeting.table, meeting.origin) == (day.slots[1], table, Origin.MANUAL)
    assert meeting.booked_by == day.staff
    assert Email.objects.count() > emails  # both sides get the booking's confirmation


def test_seat_refused_at_a_taken_table_and_for_a_pair_that_already_meets(client, day):
    taken = day.book(1)
    owner, contact = day.pair()
    with pytest.raises(MatchmakingError, match="La table 1 est prise"):
        services.meeting_seat(
            mission=day.mission,
            company=owner.company,
            operator=contact.operator,
            slot=day.slots[1],
            table=taken.table,
            by=day.staff,
        )
    with pytest.raises(MatchmakingError, match="se rencontrent déjà"):
        services.meeting_seat(
            mission=day.mission,
            company=taken.company,
            operator=taken.operator,
            slot=day.slots[2],
            table=day.session.table_set.get(number=3),
            by=day.staff,
        )
    with pytest.raises(MatchmakingError, match="terminé"):
        services.meeting_seat(
            mission=day.mission,
            company=owner.company,
            operator=contact.operator,
            slot=day.slots[0],
            table=day.session.table_set.get(number=3),
            by=day.staff,
        )
    assert Meeting.objects.count() == 1


def test_seat_of_a_place_taken_meanwhile_answers_the_board_with_a_message(client, day):
    owner, contact = day.pair()
    client.force_login(day.staff)
    # The board offered table 2 of the current slot; another desk seated someone there since.
    free = day.session.table_set.get(number=2)
    day.book(1, table=free)
    response = client.post(
        reverse("onsite:seat", args=[day.mission.slug, day.session.pk]),
        {
            "company": owner.company_id,
            "operator": contact.operator_id,
            "place": f"{day.slots[1].pk}:{free.pk}",
        },
    )
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Meeting.objects.filter(company=owner.company).exists()


def test_participants_cannot_book_a_started_slot_without_staff(day):
    from matchmaking.services import meeting_book

    owner, contact = day.pair()
    with pytest.raises(MatchmakingError, match="a déjà commencé"):
        meeting_book(
            mission=day.mission,
            company=owner.company,
            operator=contact.operator,
            slot=day.slots[1],
            by=owner,
        )


# --- Moving a late meeting ---------------------------------------------------------------------


def test_move_a_late_meeting_to_a_free_table_of_the_next_slot(client, day):
    meeting = day.book(1)
    target = day.session.table_set.get(number=4)
    client.force_login(day.staff)
    response = client.post(
        reverse("onsite:move", args=[day.mission.slug, day.session.pk, meeting.pk]),
        {"place": f"{day.slots[2].pk}:{target.pk}"},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.slot, meeting.table) == (day.slots[2], target)


def test_a_started_meeting_is_not_moved(day):
    meeting = day.book(1)
    _start(meeting)
    with pytest.raises(MatchmakingError, match="a commencé"):
        services.meeting_late_move(
            meeting=meeting,
            slot=day.slots[2],
            table=day.session.table_set.get(number=4),
            by=day.staff,
        )


# --- Suspected no-shows ------------------------------------------------------------------------


def test_no_show_suggested_then_confirmed_in_one_click(client, day):
    absent = day.book(0)  # over; nobody scanned; its operator never came
    _check_in(day, absent, operator=False)
    both_came = day.book(0)
    _check_in(day, both_came)
    scanned = day.book(0)
    MeetingStart.objects.create(meeting=scanned, scanned_at=day.slots[0].starts_at, via="badge")
    later = day.book(2)

    found = selectors.suspects(mission=day.mission)
    assert [(s.meeting, s.absent) for s in found] == [(absent, True), (both_came, False)]
    assert found[0].firm_present and not found[0].operator_present
    assert later not in [s.meeting for s in found]

    client.force_login(day.staff)
    page = client.get(reverse("onsite:suspects", args=[day.mission.slug])).content.decode()
    assert f"{absent.operator.name} pas arrivé(e)" in page
    url = reverse("onsite:suspect_settle", args=[day.mission.slug, absent.pk])
    assert client.post(url, {"status": "no_show"}).status_code == 302
    absent.refresh_from_db()
    assert absent.status == MeetingStatus.NO_SHOW
    # The other one was held, as staff know: corrected in one click.
    url = reverse("onsite:suspect_settle", args=[day.mission.slug, both_came.pk])
    client.post(url, {"status": "held"})
    both_came.refresh_from_db()
    assert both_came.status == MeetingStatus.HELD
    assert selectors.suspects(mission=day.mission) == []

    from feedback.report import mission_report

    totals = mission_report(mission=day.mission).totals
    assert (totals.held, totals.no_show) == (1, 1)  # nobody typed them


def test_settle_refuses_another_answer(client, day):
    meeting = day.book(0)
    client.force_login(day.staff)
    url = reverse("onsite:suspect_settle", args=[day.mission.slug, meeting.pk])
    response = client.post(url, {"status": "cancelled"}, follow=True)
    assert "Choisissez absence ou tenu." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CONFIRMED
