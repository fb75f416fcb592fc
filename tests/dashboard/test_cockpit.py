"""The staff overview and the mission cockpit: figures against direct counts, the grid's changes
(move, swap, cancel, lock) checked like bookings and announced, staff only, fixed query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from dashboard import charts
from matchmaking import services
from matchmaking.models import Meeting, MeetingRequest
from missions.models import Application, Mission, OperatorRegistration
from outbox.models import Email
from proposals.models import ScheduleProposal
from tests.factories import (
    ApplicationFactory,
    MeetingSessionFactory,
    MissionFactory,
    RegistrationFactory,
    SectorFactory,
    StaffFactory,
    participants,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_en(db):
    return StaffFactory(email="cockpit@example.org", language="en")


def _book(mission, owner, contact, slot):
    return services.meeting_book(
        mission=mission, company=owner.company, operator=contact.operator, slot=slot, by=owner
    )


def seed(*, firms=3, sessions=1, title="Mission TIC"):
    """A mission in scheduling with firms, operators, meetings in every state, requests, a failed
    e-mail, a schedule proposal ready and decisions pending."""
    mission = MissionFactory(status=Mission.Status.SCHEDULING, capacity=10, title=title)
    grids = [
        MeetingSessionFactory(mission=mission, tables=3, day=mission.start_date + timedelta(days=i))
        for i in range(sessions)
    ]
    slots = [s for g in grids for s in g.slots.order_by("starts_at")]
    sectors = [SectorFactory(), SectorFactory()]
    people = [participants(mission, delegates=2) for _ in range(firms)]
    for i, (owner, contact) in enumerate(people):
        owner.company.sectors.set(sectors[: i % 3])  # none, one, both
        contact.operator.kind = ["bank", "telecom", "investor"][i % 3]
        contact.operator.country = ["CI", "SN", "CI"][i % 3]
        contact.operator.save()
    meetings = []
    for i, (owner, _contact) in enumerate(people):
        # Each firm meets its own operator and the next one, in two different slots.
        meetings.append(_book(mission, owner, people[i][1], slots[(2 * i) % len(slots)]))
        other = people[(i + 1) % firms][1]
        if other != people[i][1]:
            meetings.append(_book(mission, owner, other, slots[(2 * i + 1) % len(slots)]))
    services.meeting_cancel(meeting=meetings[-1], by=people[-1][0], reason="Vol annulé")
    Meeting.objects.filter(pk=meetings[0].pk).update(status="held")
    Meeting.objects.filter(pk=meetings[1].pk).update(
        company_confirmed_at=timezone.now(), operator_confirmed_at=timezone.now()
    )
    for owner, contact in people[:2]:
        MeetingRequest.objects.create(
            mission=mission, company=owner.company, operator=contact.operator, side="company"
        )
    MeetingRequest.objects.create(  # a wish not met
        mission=mission, company=people[0][0].company, operator=people[-1][1].operator,
        side="company", status="accepted",
    )  # fmt: skip
    MeetingRequest.objects.create(
        mission=mission, company=people[0][0].company, operator=people[1][1].operator,
        side="operator",
    )  # fmt: skip
    services.requests_settle(
        mission.pk
    )  # as the services leave them: the booked pairs' requests met
    ApplicationFactory.create_batch(2, mission=mission)  # to decide
    ApplicationFactory(mission=mission, status="rejected")
    RegistrationFactory(mission=mission)  # to vet
    Email.objects.create(
        key=f"test-failed:{mission.pk}", mission=mission, to_email="bad@example.org",
        template="operator_invitation", status="failed", last_error="550 no such user",
    )  # fmt: skip
    ScheduleProposal.objects.create(mission=mission, status="ready")
    return mission, people, slots


def _direct_figures(mission):
    meetings = Meeting.objects.filter(mission=mission).exclude(status="cancelled")
    return {
        "applications_total": Application.objects.filter(mission=mission).count(),
        "applications_pending": Application.objects.filter(
            mission=mission, status="submitted"
        ).count(),
        "firms_approved": Application.objects.filter(mission=mission, status="approved").count(),
        "operators_total": OperatorRegistration.objects.filter(mission=mission).count(),
        "operators_confirmed": OperatorRegistration.objects.filter(
            mission=mission, status="confirmed"
        ).count(),
        "operators_pending": OperatorRegistration.objects.filter(
            mission=mission, status="pending"
        ).count(),
        "requests_total": MeetingRequest.objects.filter(mission=mission).count(),
        "requests_met": MeetingRequest.objects.filter(mission=mission, status="met").count(),
        "meetings_booked": meetings.count(),
        "meetings_confirmed": meetings.filter(
            company_confirmed_at__isnull=False, operator_confirmed_at__isnull=False
        ).count(),
        "meetings_held": meetings.filter(status="held").count(),
        "emails_failed": Email.objects.filter(mission=mission, status="failed").count(),
    }


# --- Overview ---------------------------------------------------------------------------------


def test_overview_figures_equal_direct_counts(client, staff_en):
    mission, _people, _slots = seed()
    other, _p, _s = seed(firms=2, title="Autre mission")
    quiet = MissionFactory(status=Mission.Status.DRAFT, title="Brouillon")
    client.force_login(staff_en)
    response = client.get(reverse("dashboard:index"))
    shown = {m.pk: m for m in response.context["missions"]}
    assert set(shown) == {mission.pk, other.pk, quiet.pk}
    for m in (mission, other, quiet):
        expected = _direct_figures(m)
        assert {key: getattr(shown[m.pk], key) for key in expected} == expected
    # The seeded figures are not trivially zero.
    assert _direct_figures(mission) | {"applications_total": 0} != dict.fromkeys(
        _direct_figures(mission), 0
    )
    assert shown[mission.pk].meetings_held == 1 and shown[mission.pk].meetings_confirmed == 1


def test_overview_lists_what_needs_a_decision_with_links(client, staff_en):
    mission, _people, _slots = seed()
    proposal = ScheduleProposal.objects.get(mission=mission)
    client.force_login(staff_en)
    response = client.get(reverse("dashboard:index"))
    decisions = {(d.mission.pk, d.url): d.text for d in response.context["decisions"]}
    slug = mission.slug
    assert decisions == {
        (mission.pk, f"/staff/missions/{slug}/applications/?status=submitted"): (
            "2 applications to decide"
        ),
        (mission.pk, f"/staff/missions/{slug}/operators/?status=pending"): "1 operator to vet",
        (mission.pk, f"/staff/missions/{slug}/schedule/{proposal.pk}/"): (
            "A computed schedule waits to be published or discarded"
        ),
        (mission.pk, f"/staff/missions/{slug}/emails/?status=failed"): "1 e-mail failed",
    }
    body = response.content.decode()
    for url in [url for _pk, url in decisions]:
        assert f'href="{url}"' in body
    # Each link opens the page where the thing is decided.
    for url in [url for _pk, url in decisions]:
        assert client.get(url).status_code == 200


def test_overview_query_count_does_not_grow_with_missions(client, staff_en, queries):
    seed(firms=2)
    client.force_login(staff_en)
    url = reverse("dashboard:index")
    one = queries(lambda: client.get(url))
    for n in range(4):
        seed(firms=3, title=f"Mission {n}")
    assert len(client.get(url).context["missions"]) == 5
    assert queries(lambda: client.get(url)) == one


# --- Cockpit ----------------------------------------------------------------------------------


def test_cockpit_figures_and_charts_equal_direct_counts(client, staff_en):
    mission, people, _slots = seed()
    seed(firms=2, title="Autre mission")  # its figures must not leak in
    client.force_login(staff_en)
    response = client.get(reverse("dashboard:cockpit", args=[mission.slug]))
    cockpit = response.context["cockpit"]
    expected = _direct_figures(mission)
    assert {key: getattr(cockpit.figures, key) for key in expected} == expected
    assert dict(cockpit.funnel.rows) == {
        "Applications": expected["applications_total"],
        "Firms approved": expected["firms_approved"],
        "Operators registered": expected["operators_total"],
        "Operators confirmed": expected["operators_confirmed"],
        "Meeting requests": expected["requests_total"],
        "Requests met by a meeting": expected["requests_met"],
        "Meetings booked": expected["meetings_booked"],
        "Confirmed by both sides": expected["meetings_confirmed"],
        "Meetings held": expected["meetings_held"],
    }
    active = Meeting.objects.filter(mission=mission).exclude(status="cancelled")
    by_key = {chart.key: chart for chart in cockpit.charts}
    sectors = {str(s.name): s for owner, _c in people for s in owner.company.sectors.all()}
    sector_rows = dict(by_key["sector"].rows)
    for name, sector in sectors.items():
        assert sector_rows[name] == active.filter(company__sectors=sector).count()
    assert sector_rows["No sector given"] == active.filter(company__sectors=None).count()
    assert dict(by_key["kind"].rows) == {
        "Bank / e-payment": active.filter(operator__kind="bank").count(),
        "Telecom operator": active.filter(operator__kind="telecom").count(),
        "Investor": active.filter(operator__kind="investor").count(),
    }
    assert dict(by_key["country"].rows) == {
        "Côte d'Ivoire": active.filter(operator__country="CI").count(),
        "Senegal": active.filter(operator__country="SN").count(),
    }
    wishes = {row[0]: row[1:] for row in by_key["wishes"].rows}
    for owner, _contact in people:
        company = owner.company
        asked = MeetingRequest.objects.filter(
            mission=mission,
            company=company,
            side="company",
            status__in=["pending", "accepted", "met"],
        )
        met = sum(active.filter(company=company, operator=r.operator).exists() for r in asked)
        assert wishes[company.display_name] == (
            active.filter(company=company).count(),
            asked.count(),
            met,
        )
    assert wishes[people[0][0].company.display_name] == (2, 2, 1)
    # Each chart is SVG with no inline style, its numbers in a table beside it.
    body = response.content.decode()
    assert body.count('<svg class="chart ') == 5 and "style=" not in body
    assert body.count("<caption") >= 5 + 1  # five charts, one grid


def test_cockpit_grid_places_each_meeting_at_its_slot_and_table(client, staff_en):
    mission, _people, _slots = seed(sessions=2)
    client.force_login(staff_en)
    response = client.get(reverse("dashboard:cockpit", args=[mission.slug]))
    placed = {
        (row.slot.pk, cell.table.pk): cell.meeting.pk
        for grid in response.context["cockpit"].grids
        for row in grid.rows
        for cell in row.cells
        if cell.meeting
    }
    active = Meeting.objects.filter(mission=mission).exclude(status="cancelled")
    assert placed == {(m.slot_id, m.table_id): m.pk for m in active}
    body = response.content.decode()
    first = active.select_related("slot").order_by("slot__starts_at").first()
    local = timezone.localtime(first.slot.starts_at, mission.tzinfo)
    assert f">{local:%H:%M}–" in body and "Africa/Abidjan (GMT)" in body
    assert reverse("dashboard:cockpit_meeting", args=[mission.slug, first.pk]) in body
    # The cancelled meeting is in the history with its reason, not in the grid.
    cancelled = Meeting.objects.get(mission=mission, status="cancelled")
    assert cancelled.pk not in placed.values() and "Vol annulé" in body


def test_cockpit_query_count_does_not_grow_with_firms_meetings_or_missions(
    client, staff_en, queries
):
    small, _p, _s = seed(firms=2)
    big, _p, _s = seed(firms=6, sessions=2, title="Grande mission")
    for n in range(3):
        seed(firms=2, title=f"Mission {n}")
    client.force_login(staff_en)
    counts = [
        queries(lambda m=m: client.get(reverse("dashboard:cockpit", args=[m.slug])))
        for m in (small, big)
    ]
    sizes = [Meeting.objects.filter(mission=m).count() for m in (small, big)]
    assert sizes[1] >= 3 * sizes[0]
    assert counts[0] == counts[1]


# --- Changes on the grid ----------------------------------------------------------------------


@pytest.fixture
def grid(db):
    """Two firms, two operators, three tables: A (f0-o0) at slot 0, B (f1-o1) at slot 1 table 1,
    C (f1-o0) at slot 2."""
    mission = MissionFactory(status=Mission.Status.SCHEDULING)
    session = MeetingSessionFactory(mission=mission, tables=3)
    slots = list(session.slots.order_by("starts_at"))
    (f0, o0), (f1, o1) = participants(mission), participants(mission)
    a = _book(mission, f0, o0, slots[0])
    b = _book(mission, f1, o1, slots[1])
    c = _book(mission, f1, o0, slots[2])
    return {
        "mission": mission, "session": session, "slots": slots,
        "people": (f0, o0, f1, o1), "a": a, "b": b, "c": c,
    }  # fmt: skip


def _post(client, meeting, data):
    url = reverse("dashboard:cockpit_meeting", args=[meeting.mission.slug, meeting.pk])
    return client.post(url, data)


def _state(*meetings):
    return [
        Meeting.objects.values_list(
            "slot_id", "table_id", "delegate_id", "status", "sequence", "locked"
        ).get(pk=m.pk)
        for m in meetings
    ]


def _refused(response, reason, before, meetings, emails):
    assert response.status_code == 409
    body = response.content.decode()
    assert reason in body and "Nothing has changed." in body
    assert _state(*meetings) == before
    assert Email.objects.count() == emails


def test_move_that_double_books_the_operator_is_refused_with_the_reason(
    client, staff_en, grid, mailoutbox, django_capture_on_commit_callbacks
):
    a, c = grid["a"], grid["c"]
    before, emails = _state(a, c), Email.objects.count()
    client.force_login(staff_en)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, a, {"action": "move", "move-slot": grid["slots"][2].pk})
    _refused(response, "The operator already has a meeting at this time.", before, [a, c], emails)
    assert mailoutbox == []


def test_move_to_a_taken_table_is_refused(client, staff_en, grid):
    a, b = grid["a"], grid["b"]
    before, emails = _state(a, b), Email.objects.count()
    client.force_login(staff_en)
    response = _post(
        client, a, {"action": "move", "move-slot": b.slot_id, "move-table": b.table.number}
    )
    _refused(response, f"Table {b.table.number} is taken at this time.", before, [a, b], emails)


def test_move_to_a_slot_where_the_firm_is_unavailable_is_refused(client, staff_en, grid):
    from matchmaking.models import Unavailability

    a = grid["a"]
    Unavailability.objects.create(slot=grid["slots"][4], company=a.company)
    before, emails = _state(a), Email.objects.count()
    client.force_login(staff_en)
    response = _post(client, a, {"action": "move", "move-slot": grid["slots"][4].pk})
    _refused(response, "The firm is not available at this time.", before, [a], emails)


def test_legal_move_to_a_chosen_table_sends_the_update_with_a_higher_sequence(
    client, staff_en, grid, mailoutbox, django_capture_on_commit_callbacks
):
    a = grid["a"]
    f0, o0, _f1, _o1 = grid["people"]
    target = grid["slots"][3]
    client.force_login(staff_en)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, a, {"action": "move", "move-slot": target.pk, "move-table": 3})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/cockpit/#session-{grid['session'].pk}")
    a.refresh_from_db()
    assert (a.slot, a.table.number, a.sequence, a.status) == (target, 3, 1, "confirmed")
    assert sorted(m.to[0] for m in mailoutbox) == sorted([f0.email, o0.email])
    for message in mailoutbox:
        calendar = Calendar.from_ical(message.attachments[0][1])
        event = calendar.walk("VEVENT")[0]
        assert str(calendar["METHOD"]) == "REQUEST"
        assert (str(event["UID"]), int(event["SEQUENCE"])) == (a.uid, 1)
        assert event.decoded("DTSTART") == target.starts_at
    assert Email.objects.filter(template="meeting_moved", mission=a.mission).count() == 2


def test_move_within_its_slot_to_another_table(client, staff_en, grid):
    a = grid["a"]
    client.force_login(staff_en)
    response = _post(client, a, {"action": "move", "move-slot": a.slot_id, "move-table": 2})
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.slot_id, a.table.number, a.sequence) == (grid["slots"][0].pk, 2, 1)


def test_move_to_any_free_table_uses_the_booking_rules(client, staff_en, grid):
    a, b = grid["a"], grid["b"]
    client.force_login(staff_en)
    response = _post(client, a, {"action": "move", "move-slot": b.slot_id})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.slot_id == b.slot_id and a.table_id != b.table_id and a.sequence == 1


def test_swap_exchanges_slots_and_tables_and_tells_both_meetings(
    client, staff_en, grid, mailoutbox, django_capture_on_commit_callbacks
):
    a, b = grid["a"], grid["b"]
    f0, o0, f1, o1 = grid["people"]
    Meeting.objects.filter(pk=b.pk).update(table=grid["session"].table_set.get(number=2))
    b.refresh_from_db()
    places = {"a": (a.slot_id, a.table_id), "b": (b.slot_id, b.table_id)}
    client.force_login(staff_en)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, a, {"action": "swap", "swap-other": b.pk})
    assert response.status_code == 302
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.slot_id, a.table_id) == places["b"] and (b.slot_id, b.table_id) == places["a"]
    assert (a.status, b.status, a.sequence, b.sequence) == ("confirmed", "confirmed", 1, 1)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([f0.email, o0.email, f1.email, o1.email])
    for message in mailoutbox:
        event = Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")[0]
        assert int(event["SEQUENCE"]) == 1


def test_swap_that_would_double_book_is_refused(client, staff_en, grid):
    # D (f0-o1) at slot 2: swapping A (f0-o0, slot 0) with D would put o0 at slot 2, where
    # C (f1-o0) already holds it.
    f0, _o0, _f1, o1 = grid["people"]
    a, c = grid["a"], grid["c"]
    d = _book(grid["mission"], f0, o1, grid["slots"][2])
    before, emails = _state(a, c, d), Email.objects.count()
    client.force_login(staff_en)
    response = _post(client, a, {"action": "swap", "swap-other": d.pk})
    _refused(
        response, "The operator already has a meeting at this time.", before, [a, c, d], emails
    )


def test_lock_and_unlock_and_their_refusals(client, staff_en, grid):
    a = grid["a"]
    client.force_login(staff_en)
    assert _post(client, a, {"action": "lock"}).status_code == 302
    a.refresh_from_db()
    assert a.locked and a.sequence == 0  # nobody is told: the meeting itself did not change
    before, emails = _state(a), Email.objects.count()
    _refused(_post(client, a, {"action": "lock"}), "already locked", before, [a], emails)
    # Staff still move a locked meeting; participants may not.
    with pytest.raises(services.MatchmakingError, match="locked"):
        services.meeting_move(meeting=a, slot=grid["slots"][4], by=grid["people"][0])
    assert _post(client, a, {"action": "unlock"}).status_code == 302
    a.refresh_from_db()
    assert not a.locked
    services.meeting_cancel(meeting=a, by=staff_en, staff=True)
    before, emails = _state(a), Email.objects.count()
    _refused(
        _post(client, a, {"action": "lock"}), "This meeting is cancelled.", before, [a], emails
    )


def test_cancel_from_the_grid_needs_a_reason_and_tells_both_sides(
    client, staff_en, grid, mailoutbox, django_capture_on_commit_callbacks
):
    a = grid["a"]
    client.force_login(staff_en)
    response = _post(client, a, {"action": "cancel", "cancel-reason": ""})
    assert response.status_code == 400
    a.refresh_from_db()
    assert a.status == "confirmed"
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, a, {"action": "cancel", "cancel-reason": "Délégué malade"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.status, a.cancel_reason, a.sequence) == ("cancelled", "Délégué malade", 1)
    assert len(mailoutbox) == 2 and all("Délégué malade" in m.body for m in mailoutbox)
    calendar = Calendar.from_ical(mailoutbox[0].attachments[0][1])
    assert str(calendar["METHOD"]) == "CANCEL"


def test_changes_are_refused_when_the_mission_is_not_scheduling(client, staff_en, grid):
    a = grid["a"]
    Mission.objects.filter(pk=a.mission_id).update(status=Mission.Status.CLOSED)
    before, emails = _state(a), Email.objects.count()
    client.force_login(staff_en)
    response = _post(client, a, {"action": "move", "move-slot": grid["slots"][4].pk})
    _refused(response, "cannot be booked or changed now", before, [a], emails)


def test_meeting_page_offers_the_slots_with_why_they_do_not_fit(client, staff_en, grid):
    a = grid["a"]
    client.force_login(staff_en)
    body = client.get(
        reverse("dashboard:cockpit_meeting", args=[a.mission.slug, a.pk])
    ).content.decode()
    assert "the operator is busy" in body  # slot 2, where C holds o0
    assert "its present time" in body and "3 tables free" in body


def test_a_meeting_of_another_mission_is_not_found(client, staff_en, grid):
    other = MissionFactory(status=Mission.Status.SCHEDULING)
    client.force_login(staff_en)
    url = reverse("dashboard:cockpit_meeting", args=[other.slug, grid["a"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "lock"}).status_code == 404
    assert not Meeting.objects.get(pk=grid["a"].pk).locked


@pytest.mark.parametrize("role", ["anonymous", "company", "operator"])
def test_only_staff_change_the_grid(client, grid, role):
    f0, o0, _f1, _o1 = grid["people"]
    a = grid["a"]
    if role != "anonymous":
        client.force_login(f0 if role == "company" else o0)
    before, emails = _state(a), Email.objects.count()
    for data in (
        {"action": "lock"},
        {"action": "cancel", "cancel-reason": "x"},
        {"action": "move", "move-slot": grid["slots"][4].pk},
    ):
        response = _post(client, a, data)
        assert response.status_code == (302 if role == "anonymous" else 403)
    assert _state(a) == before and Email.objects.count() == emails
    cockpit = client.get(reverse("dashboard:cockpit", args=[a.mission.slug]))
    assert cockpit.status_code == (302 if role == "anonymous" else 403)


# --- Charts (pure) ----------------------------------------------------------------------------


def test_charts_escape_labels_and_scale_bars():
    svg = charts.bar_chart([charts.Bar("<b>A & B</b>", 4), charts.Bar("C", 2)])
    assert "<b>" not in svg and "&lt;b&gt;A &amp; B&lt;/b&gt;" in svg
    assert "style" not in svg and 'aria-hidden="true"' in svg
    widths = [
        float(w) for w in __import__("re").findall(r'class="chart-bar" [^>]*width="([\d.]+)"', svg)
    ]
    assert widths[0] == 2 * widths[1]
    assert charts.bar_chart([]) == "" and charts.funnel([]) == ""
    assert "(50%)" in charts.funnel([[charts.Bar("x", 4), charts.Bar("y", 2)]])
