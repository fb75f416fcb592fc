"""The mission flow of the optimiser: instance from the database, proposal, review, publication."""

from datetime import time, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from accounts.models import User
from matchmaking.models import (
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Unavailability,
)
from matchmaking.services import meeting_book
from missions.models import Mission
from proposals import services as proposals
from proposals.instance import (
    MUTUAL_BONUS,
    firm_key,
    mission_instance,
    operator_key,
    request_weight,
    slot_key,
)
from proposals.models import ProposalStatus, ScheduleProposal
from scheduling import solver
from scheduling.problem import Solution, pair_key
from tests.factories import (
    MeetingSessionFactory,
    OperatorContactFactory,
    participants,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _ask(mission, owner, contact, *, side, priority=2, status="pending"):
    return MeetingRequest.objects.create(
        mission=mission,
        company=owner.company,
        operator=contact.operator,
        side=side,
        priority=priority,
        status=status,
    )


def _slots(session):
    return list(session.slots.order_by("starts_at"))


def _book(session, owner, contact, slot, **changes):
    meeting = meeting_book(
        mission=session.mission,
        company=owner.company,
        operator=contact.operator,
        slot=slot,
        by=owner,
    )
    if changes:
        Meeting.objects.filter(pk=meeting.pk).update(**changes)
        meeting.refresh_from_db()
    return meeting


def _compute(mission, time_limit=10):
    proposal = proposals.proposal_start(mission=mission, by=None, time_limit=time_limit)
    return proposals.proposal_compute(proposal_id=proposal.pk)


# --- The instance -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("company", "operator", "company_accepted", "operator_accepted", "expected"),
    [
        (1, None, False, False, 1),  # one side, nice to have
        (3, None, False, False, 3),  # one side, essential
        (None, 2, False, False, 2),
        (1, 1, False, False, 1 + 1 + MUTUAL_BONUS),  # both asked: weakest mutual wish
        (3, 3, False, False, 3 + 3 + MUTUAL_BONUS),
        (2, None, False, True, 2 + 1 + MUTUAL_BONUS),  # the operator accepted the firm's wish
        (None, None, False, False, 0),
    ],
)
def test_request_weight_formula(company, operator, company_accepted, operator_accepted, expected):
    assert (
        request_weight(
            company_priority=company,
            operator_priority=operator,
            company_accepted=company_accepted,
            operator_accepted=operator_accepted,
        )
        == expected
    )


def test_request_weight_mutual_always_beats_one_sided():
    weakest_mutual = request_weight(company_priority=1, operator_priority=1)
    strongest_single = request_weight(company_priority=3, operator_priority=None)
    assert weakest_mutual > strongest_single


def test_instance_from_database():
    session = MeetingSessionFactory(tables=3)  # 09:00-12:00, six 30-minute slots
    mission = session.mission
    slots = _slots(session)
    firm, op1 = participants(mission, delegates=2)
    firm2, op2 = participants(mission)
    op3 = OperatorContactFactory()
    mission.operator_registrations.create(operator=op3.operator, status="confirmed")
    outsider = OperatorContactFactory()  # not registered: its wishes are ignored
    mission.operator_registrations.create(operator=outsider.operator, status="pending")

    _ask(mission, firm, op1, side="company", priority=3)  # one-sided: 3
    _ask(mission, firm, op2, side="company", priority=1)  # mutual: 1 + 2 + 3
    _ask(mission, firm, op2, side="operator", priority=2)
    _ask(mission, firm2, op3, side="operator", priority=2, status="accepted")  # 2 + 1 + 3
    _ask(mission, firm2, op1, side="company", status="declined")
    _ask(mission, firm2, outsider, side="company")
    Unavailability.objects.create(slot=slots[0], company=firm.company)
    Unavailability.objects.create(slot=slots[5], operator=op2.operator)
    confirmed = _book(session, firm2, op2, slots[2])
    locked = _book(session, firm, op3, slots[1], status=MeetingStatus.PROPOSED, locked=True)
    cancelled = _book(session, firm2, op1, slots[3], status=MeetingStatus.CANCELLED)

    mi = mission_instance(mission)
    inst = mi.instance
    assert [s.id for s in inst.slots] == [slot_key(s.pk) for s in slots]
    assert {s.tables for s in inst.slots} == {3}
    assert inst.slots[0].day == mission.start_date.isoformat()
    parts = {p.id: p for p in inst.participants}
    assert parts[firm_key(firm.company.pk)].capacity == 2  # two delegates
    assert parts[firm_key(firm2.company.pk)].capacity == 1
    assert parts[operator_key(op1.operator.pk)].capacity == 1
    assert operator_key(outsider.operator.pk) not in parts
    assert parts[firm_key(firm.company.pk)].unavailable == (slot_key(slots[0].pk),)
    assert parts[operator_key(op2.operator.pk)].unavailable == (slot_key(slots[5].pk),)
    weights = {r.pair: r.weight for r in inst.requests}

    def pair(owner, contact):
        return pair_key(firm_key(owner.company.pk), operator_key(contact.operator.pk))

    assert weights == {
        pair(firm, op1): 3,
        pair(firm, op2): 1 + 2 + MUTUAL_BONUS,
        pair(firm2, op3): 2 + 1 + MUTUAL_BONUS,
    }
    # The confirmed and the locked meetings are fixed where they are; the cancelled one is gone.
    assert {(f.pair, f.slot) for f in inst.fixed} == {
        (pair(firm2, op2), slot_key(confirmed.slot_id)),
        (pair(firm, op3), slot_key(locked.slot_id)),
    }
    assert pair(firm2, op1) not in {f.pair for f in inst.fixed} | set(weights)
    assert cancelled.status == "cancelled"
    assert not mi.movable


def test_each_meeting_session_is_a_session_and_lunch_is_no_break():
    morning = MeetingSessionFactory(tables=2, start_time=time(9), end_time=time(10, 30))
    mission = morning.mission
    afternoon = MeetingSessionFactory(
        mission=mission, tables=2, start_time=time(14), end_time=time(15, 30)
    )
    firm, op1 = participants(mission)
    mi = mission_instance(mission)
    inst = mi.instance
    assert [s.session for s in inst.slots] == [f"B{morning.pk}"] * 3 + [f"B{afternoon.pk}"] * 3
    assert {s.day for s in inst.slots} == {mission.start_date.isoformat()}
    am, pm = _slots(morning), _slots(afternoon)
    f, o = firm_key(firm.company.pk), operator_key(op1.operator.pk)
    # Last morning slot then first afternoon slot: lunch between, no break.
    from scheduling.problem import Meeting as ProblemMeeting
    from scheduling.validate import count_breaks

    lunch = [ProblemMeeting(f, o, slot_key(am[2].pk)), ProblemMeeting(f, "X", slot_key(pm[0].pk))]
    assert count_breaks(inst, lunch) == 0
    gap = [ProblemMeeting(f, o, slot_key(pm[0].pk)), ProblemMeeting(f, "X", slot_key(pm[2].pk))]
    assert count_breaks(inst, gap) == 1


def test_instance_movable_meeting_must_be_kept_and_past_slots_left_out():
    session = MeetingSessionFactory(tables=2)
    mission = session.mission
    slots = _slots(session)
    firm, op = participants(mission)
    _ask(mission, firm, op, side="company", priority=2)
    proposed = _book(session, firm, op, slots[1], status=MeetingStatus.PROPOSED)
    mi = mission_instance(mission)
    (request,) = mi.instance.requests
    assert mi.movable == {request.pair: proposed}
    assert mi.base_weights == {request.pair: 2}
    assert request.weight == 2 + mi.keep_bonus and mi.keep_bonus > 2
    assert not mi.instance.fixed

    later = mission_instance(mission, now=slots[2].starts_at)
    assert [s.id for s in later.instance.slots] == [slot_key(s.pk) for s in slots[3:]]
    # The pair met in a slot that has started: it is not requested again.
    assert not later.instance.requests and not later.instance.fixed


def _world(firms: int, *, withdrawn: int):
    """A mission of ``firms`` firms and operators, each pair of neighbours with a mutual wish and
    a meeting, plus ``withdrawn`` firms no longer approved whose meetings stand."""
    session = MeetingSessionFactory(tables=firms + withdrawn)
    mission, slots = session.mission, _slots(session)
    pairs = [participants(mission, delegates=2) for _ in range(firms + withdrawn)]
    for index, (owner, contact) in enumerate(pairs):
        _ask(mission, owner, contact, side="company", priority=3)
        _ask(mission, owner, contact, side="operator", priority=1)
        _book(session, owner, contact, slots[index % len(slots)])
        Unavailability.objects.create(slot=slots[-1], operator=contact.operator)
    for owner, _contact in pairs[firms:]:
        owner.company.applications.update(status="withdrawn")
    return mission


def _instance_queries(mission) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        mi = mission_instance(mission)
    return len(captured.captured_queries), mi


def test_the_instance_is_read_in_the_same_queries_for_a_small_and_a_large_mission():
    small, small_mi = _instance_queries(_world(1, withdrawn=1))
    large, large_mi = _instance_queries(_world(12, withdrawn=5))
    assert small == large
    assert len(small_mi.instance.participants) == 4 and len(large_mi.instance.participants) == 34
    assert len(large_mi.instance.fixed) == 17 and len(large_mi.instance.requests) == 12
    # A withdrawn firm keeps its meeting and its capacity (two delegates), not its wishes.
    capacities = {p.capacity for p in large_mi.instance.participants if p.side == "firm"}
    assert capacities == {2}


# --- Computing and publishing -----------------------------------------------------------------


@pytest.fixture
def staff_client(client, staff):
    # Signed-in users see pages in their own language: English, whatever the translations.
    staff.language = "en"
    staff.save(update_fields=["language"])
    client.force_login(staff)
    return client


def _readers_in_english():
    """E-mails are written in each reader's language: English here, whatever the translations."""
    User.objects.update(language="en")


def test_mission_flow_requests_to_published_meetings_and_emails(
    staff_client, staff, django_capture_on_commit_callbacks, mailoutbox
):
    session = MeetingSessionFactory(tables=1, start_time=time(9), end_time=time(10, 30))
    mission = session.mission
    slots = _slots(session)  # three slots, one table each
    firm, op1 = participants(mission)
    firm2, op2 = participants(mission)
    second_contact = OperatorContactFactory(operator=op1.operator)
    _ask(mission, firm, op1, side="company", priority=3)
    _ask(mission, firm, op1, side="operator", priority=3)
    _ask(mission, firm2, op2, side="company", priority=1)
    _ask(mission, firm, op2, side="operator", priority=2, status="accepted")
    Unavailability.objects.create(slot=slots[0], operator=op2.operator)
    url = reverse("dashboard:schedule", args=[mission.slug])

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {"time_limit": "10"})
    proposal = ScheduleProposal.objects.get(mission=mission)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "dashboard:schedule_proposal", args=[mission.slug, proposal.pk]
    )
    assert (proposal.status, proposal.solver_status, proposal.requested_by) == (
        "ready",
        "optimal",
        staff,
    )
    # Three wishes, three slots, one table: all held, without gaps.
    assert proposal.objective == proposal.bound == (3 + 3 + 3) + 1 + (2 + 1 + 3)
    assert proposal.breaks == 0 and proposal.breaks_before == 0
    assert proposal.result["counts"] == {
        "added": 3,
        "moved": 0,
        "unchanged": 0,
        "requests": 3,
        "held": 3,
        "meetings": 3,
        "meetings_before": 0,
        "kept_apart": 0,
    }
    assert not Meeting.objects.filter(mission=mission).exists()  # nothing before publication

    page = staff_client.get(response["Location"]).content.decode()
    assert "proved optimal" in page and "Meetings added" in page
    assert firm.company.display_name in page and op2.operator.name in page
    assert 'http-equiv="refresh"' not in page

    _readers_in_english()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("dashboard:schedule_publish", args=[mission.slug, proposal.pk])
        )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == ("published", staff)
    meetings = list(Meeting.objects.filter(mission=mission).order_by("slot__starts_at"))
    assert [(m.company, m.operator, m.slot) for m in meetings] == [
        (firm.company, op1.operator, slots[0]),
        (firm.company, op2.operator, slots[1]),
        (firm2.company, op2.operator, slots[2]),
    ]  # the only schedule of weight 16 without a gap for the firm
    for m in meetings:
        assert (m.status, m.origin, m.booked_by, m.locked) == (
            "confirmed",
            "scheduled",
            staff,
            False,
        )
        assert m.table.session == session and m.delegate.application.company == m.company

    # One "agenda published" message per person, with the party's whole agenda attached.
    by_person = {message.to[0]: message for message in mailoutbox}
    assert sorted(by_person) == sorted(
        [firm.email, firm2.email, op1.email, second_contact.email, op2.email]
    )
    assert len(mailoutbox) == 5
    expected = {
        firm.email: {m.uid for m in meetings if m.company == firm.company},
        firm2.email: {m.uid for m in meetings if m.company == firm2.company},
        op1.email: {m.uid for m in meetings if m.operator == op1.operator},
        second_contact.email: {m.uid for m in meetings if m.operator == op1.operator},
        op2.email: {m.uid for m in meetings if m.operator == op2.operator},
    }
    for email, message in by_person.items():
        assert "published" in message.subject and mission.title in message.subject
        assert "Africa/Abidjan" in message.body
        # Each new meeting comes with the reader's own confirm-attendance link.
        assert message.body.count("/attend/") == len(expected[email])
        (name, content, mimetype) = message.attachments[0]
        assert name == f"agenda-{mission.slug}.ics" and mimetype.startswith("text/calendar")
        calendar = Calendar.from_ical(content)
        assert calendar["METHOD"] == "REQUEST"
        events = calendar.walk("VEVENT")
        assert {str(e["UID"]) for e in events} == expected[email]
        assert {e["DTSTART"].params["TZID"] for e in events} == {"Africa/Abidjan"}
    firm_body = by_person[firm.email].body
    assert op1.operator.name in firm_body and op2.operator.name in firm_body

    # Publishing twice is refused; nothing more is created or sent.
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("dashboard:schedule_publish", args=[mission.slug, proposal.pk])
        )
    assert response.status_code == 409
    assert "Only a proposal ready for review can be published." in response.content.decode()
    assert Meeting.objects.filter(mission=mission).count() == 3 and len(mailoutbox) == 5


def _blocked_world():
    """One table, three slots. The operator O2 can only meet in the first slot, which the
    meeting F1-O1 holds; F1-O1 could as well be in the second slot."""
    session = MeetingSessionFactory(tables=1, start_time=time(9), end_time=time(10, 30))
    mission = session.mission
    slots = _slots(session)
    f1, o1 = participants(mission)
    f2, o2 = participants(mission)
    _ask(mission, f2, o2, side="company", priority=3)
    _ask(mission, f2, o2, side="operator", priority=3)
    for slot in slots[1:]:
        Unavailability.objects.create(slot=slot, operator=o2.operator)
    return session, slots, (f1, o1, f2, o2)


@pytest.mark.parametrize(
    "changes",
    [
        {},  # confirmed
        {"status": MeetingStatus.PROPOSED, "locked": True},
        {"status": MeetingStatus.CONFIRMED, "locked": True},
    ],
)
def test_locked_and_confirmed_meetings_never_move(changes):
    session, slots, (f1, o1, f2, o2) = _blocked_world()
    held = _book(session, f1, o1, slots[0], **changes)
    proposal = _compute(session.mission)
    assert proposal.status == "ready"
    assert proposal.result["counts"]["moved"] == 0
    assert proposal.result["unmet"] == [
        {"company": f2.company.pk, "operator": o2.operator.pk, "weight": 9}
    ]
    # Nothing added, nothing moved: there is nothing to publish, and nothing changes.
    with pytest.raises(proposals.ProposalError, match="nothing to publish"):
        proposals.proposal_publish(proposal=proposal, by=None)
    moved = Meeting.objects.get(pk=held.pk)
    assert (moved.slot, moved.table, moved.sequence) == (held.slot, held.table, held.sequence)
    assert not Meeting.objects.filter(operator=o2.operator).exists()


def test_proposed_unlocked_meeting_moves_to_make_room(
    django_capture_on_commit_callbacks, mailoutbox
):
    session, slots, (f1, o1, f2, o2) = _blocked_world()
    held = _book(session, f1, o1, slots[0], status=MeetingStatus.PROPOSED)
    mailoutbox.clear()
    proposal = _compute(session.mission)
    counts = proposal.result["counts"]
    assert (counts["added"], counts["moved"], counts["unchanged"]) == (1, 1, 0)
    assert proposal.objective == 9  # the movable meeting's keeping bonus is not counted
    _readers_in_english()
    with django_capture_on_commit_callbacks(execute=True):
        proposals.proposal_publish(proposal=proposal, by=None)
    held.refresh_from_db()
    assert held.slot != slots[0] and held.status == "proposed" and held.sequence == 1
    new = Meeting.objects.get(operator=o2.operator)
    assert (new.slot, new.company, new.origin) == (slots[0], f2.company, "scheduled")
    # f1 and o1 hear of the move; the moved event keeps its UID with a higher SEQUENCE.
    message = next(m for m in mailoutbox if m.to == [f1.email])
    event = Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")[0]
    assert (str(event["UID"]), event["SEQUENCE"]) == (held.uid, 1)
    assert "new time" in message.body


def test_publishing_a_stale_proposal_is_refused(staff_client, mailoutbox):
    session = MeetingSessionFactory(tables=2)
    mission = session.mission
    slots = _slots(session)
    firm, op = participants(mission)
    firm2, op2 = participants(mission)
    _ask(mission, firm, op, side="company")
    proposal = _compute(mission)
    assert proposal.status == "ready"
    _book(session, firm2, op2, slots[0])  # booked meanwhile
    mailoutbox.clear()
    with pytest.raises(proposals.ProposalError, match="changed since this proposal"):
        proposals.proposal_publish(proposal=proposal, by=None)
    response = staff_client.post(
        reverse("dashboard:schedule_publish", args=[mission.slug, proposal.pk])
    )
    assert response.status_code == 409
    assert "Compute the schedule again" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "ready"
    assert not Meeting.objects.filter(operator=op.operator).exists()
    assert mailoutbox == []


def test_infeasible_fixed_meetings_are_shown_with_their_reason(staff_client):
    session = MeetingSessionFactory(tables=2)
    mission = session.mission
    slots = _slots(session)
    firm, op = participants(mission)
    _book(session, firm, op, slots[0])
    # Marked unavailable behind the service's back (the admin): the fixed meeting breaks rule 2.
    Unavailability.objects.create(slot=slots[0], operator=op.operator)
    proposal = _compute(mission)
    assert (proposal.status, proposal.solver_status) == ("failed", "infeasible")
    assert "rule 2" in proposal.error
    page = staff_client.get(reverse("dashboard:schedule", args=[mission.slug])).content.decode()
    assert "No valid schedule exists with the present fixed meetings." in page
    assert "rule 2" in page
    assert 'action="/staff/missions/' in page  # staff may compute again
    with pytest.raises(proposals.ProposalError):
        proposals.proposal_publish(proposal=proposal, by=None)


def test_optimiser_crash_marks_the_proposal_failed(monkeypatch):
    session = MeetingSessionFactory()
    participants(session.mission)

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(solver, "solve", broken)
    proposal = _compute(session.mission)
    assert proposal.status == "failed" and "out of memory" in proposal.error
    assert proposal.finished_at is not None


def test_progress_is_reported_when_the_optimiser_accepts_a_callback(monkeypatch):
    session = MeetingSessionFactory()
    mission = session.mission
    seen = {}

    def solve(instance, time_limit=30.0, workers=2, seed=0, on_progress=None):
        on_progress(
            {"phase": "weight", "fraction": 0.5, "objective": 4, "bound": 7, "breaks": None}
        )
        proposal = ScheduleProposal.objects.get(mission=mission)
        seen.update(proposals.proposal_progress(proposal))
        on_progress({"phase": "done", "fraction": 1.0, "objective": 5, "bound": 5, "breaks": 2})
        return Solution(status="optimal", objective=0, bound=0, breaks=0)

    monkeypatch.setattr(solver, "solve", solve)
    proposal = _compute(mission)
    assert (seen["objective"], seen["bound"], seen["breaks"]) == (4, 7, None)
    assert (seen["limit"], seen["value"]) == (10, 5)  # half the time used
    assert proposal.status == "ready"
    assert (proposal.progress["objective"], proposal.progress["breaks"]) == (5, 2)


def test_computing_page_refreshes_itself_and_shows_progress(staff_client):
    session = MeetingSessionFactory()
    mission = session.mission
    proposal = proposals.proposal_start(mission=mission, by=None, time_limit=20)
    page = staff_client.get(
        reverse("dashboard:schedule_proposal", args=[mission.slug, proposal.pk])
    ).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert 'max="20"' in page and "<progress" in page
    assert "<script" not in page.split("</header>")[-1].split("<footer")[0]


# --- Rules of starting and discarding ---------------------------------------------------------


def test_one_computation_at_a_time(staff_client):
    session = MeetingSessionFactory()
    mission = session.mission
    first = proposals.proposal_start(mission=mission, by=None, time_limit=20)
    with pytest.raises(proposals.ProposalError, match="already being computed"):
        proposals.proposal_start(mission=mission, by=None)
    response = staff_client.post(
        reverse("dashboard:schedule", args=[mission.slug]), {"time_limit": "30"}
    )
    assert response.status_code == 409
    assert "already being computed" in response.content.decode()
    assert ScheduleProposal.objects.filter(mission=mission).count() == 1
    # A computation whose worker died long ago no longer blocks the next one.
    ScheduleProposal.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    second = proposals.proposal_start(mission=mission, by=None)
    first.refresh_from_db()
    assert (first.status, second.status) == ("failed", "computing")
    assert "interrupted" in first.error


def test_a_new_computation_discards_the_proposal_under_review():
    session = MeetingSessionFactory()
    participants(session.mission)
    old = _compute(session.mission)
    assert old.status == "ready"
    new = _compute(session.mission)
    old.refresh_from_db()
    assert (old.status, new.status) == ("discarded", "ready")


@pytest.mark.parametrize("status", ["draft", "open", "selection", "running", "closed"])
def test_scheduling_refused_outside_scheduling_and_published(status, staff_client):
    session = MeetingSessionFactory()
    mission = session.mission
    Mission.objects.filter(pk=mission.pk).update(status=status)
    response = staff_client.post(
        reverse("dashboard:schedule", args=[mission.slug]), {"time_limit": "30"}
    )
    assert response.status_code == 409
    assert "only while the mission is in" in response.content.decode()
    assert not ScheduleProposal.objects.exists()


def test_scheduling_refused_without_slots_to_come():
    mission = MeetingSessionFactory().mission
    mission.meeting_sessions.all().delete()
    with pytest.raises(proposals.ProposalError, match="no B2B time slot"):
        proposals.proposal_start(mission=mission, by=None)


@pytest.mark.parametrize("value", ["", "abc", "0", "4", "241", "1e9"])
def test_bad_time_limit_is_a_400_with_a_message(staff_client, value):
    mission = MeetingSessionFactory().mission
    response = staff_client.post(
        reverse("dashboard:schedule", args=[mission.slug]), {"time_limit": value}
    )
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()
    assert not ScheduleProposal.objects.exists()


def test_discard_and_unknown_proposals(staff_client):
    session = MeetingSessionFactory()
    participants(session.mission)
    proposal = _compute(session.mission)
    other = MeetingSessionFactory().mission
    # Another mission's proposal, or none, is not found.
    assert (
        staff_client.get(
            reverse("dashboard:schedule_proposal", args=[other.slug, proposal.pk])
        ).status_code
        == 404
    )
    assert (
        staff_client.post(
            reverse("dashboard:schedule_discard", args=[session.mission.slug, 999999])
        ).status_code
        == 404
    )
    url = reverse("dashboard:schedule_discard", args=[session.mission.slug, proposal.pk])
    assert staff_client.post(url).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "discarded"
    response = staff_client.post(url)
    assert response.status_code == 409
    assert "already been published or discarded" in response.content.decode()
    response = staff_client.post(
        reverse("dashboard:schedule_publish", args=[session.mission.slug, proposal.pk])
    )
    assert response.status_code == 409


def test_discarding_a_computation_drops_its_result():
    session = MeetingSessionFactory()
    participants(session.mission)
    proposal = proposals.proposal_start(mission=session.mission, by=None)
    proposals.proposal_discard(proposal=proposal, by=None)
    assert proposals.proposal_compute(proposal_id=proposal.pk).status == "discarded"
    proposal.refresh_from_db()
    assert proposal.result == {} and proposal.objective is None


@pytest.mark.parametrize("role", ["company", "operator"])
def test_only_staff_compute_publish_or_discard(client, role, django_capture_on_commit_callbacks):
    session = MeetingSessionFactory()
    mission = session.mission
    owner, contact = participants(mission)
    _ask(mission, owner, contact, side="company")
    proposal = _compute(mission)
    client.force_login(owner if role == "company" else contact)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(
                reverse("dashboard:schedule", args=[mission.slug]), {"time_limit": "5"}
            ).status_code
            == 403
        )
        for name in ("schedule_publish", "schedule_discard"):
            url = reverse(f"dashboard:{name}", args=[mission.slug, proposal.pk])
            assert client.post(url).status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "ready"
    assert ScheduleProposal.objects.count() == 1
    assert not Meeting.objects.exists()


def test_schedule_page_queries_do_not_grow_with_the_schedule(staff_client, queries):
    def world(firms):
        session = MeetingSessionFactory(tables=10)
        for _ in range(firms):
            owner, contact = participants(session.mission)
            _ask(session.mission, owner, contact, side="company")
        proposal = _compute(session.mission)
        return reverse("dashboard:schedule_proposal", args=[session.mission.slug, proposal.pk])

    small, large = world(1), world(8)
    assert queries(lambda: staff_client.get(small)) == queries(lambda: staff_client.get(large))


# --- The command ------------------------------------------------------------------------------


def test_schedule_mission_command_prints_then_publishes(capsys, mailoutbox):
    session = MeetingSessionFactory()
    mission = session.mission
    owner, contact = participants(mission)
    _ask(mission, owner, contact, side="company", priority=3)
    call_command("schedule_mission", mission.slug, "--time-limit", "5")
    out = capsys.readouterr().out
    assert "optimiser: optimal, weight 3 (bound 3, gap 0.00%)" in out
    assert "1 added, 0 moved, 0 unchanged; wishes held: 1 of 1" in out
    assert f"{owner.company.display_name} – {contact.operator.name}" in out
    assert "Not published" in out and not Meeting.objects.exists()

    call_command("schedule_mission", mission.slug, "--time-limit", "5", "--publish")
    assert "Published." in capsys.readouterr().out
    meeting = Meeting.objects.get()
    assert (meeting.company, meeting.origin) == (owner.company, "scheduled")
    assert ScheduleProposal.objects.filter(status=ProposalStatus.PUBLISHED).count() == 1


def test_schedule_mission_command_errors():
    with pytest.raises(CommandError, match="no mission"):
        call_command("schedule_mission", "nope")
    mission = MeetingSessionFactory().mission
    with pytest.raises(CommandError, match="time limit"):
        call_command("schedule_mission", mission.slug, "--time-limit", "0")
    # A mission without participants still computes: an empty schedule.
    call_command("schedule_mission", mission.slug, "--time-limit", "2")
    assert ScheduleProposal.objects.get().result["counts"]["meetings"] == 0


def test_database_allows_one_computing_proposal_per_mission():
    mission = MeetingSessionFactory().mission
    ScheduleProposal.objects.create(mission=mission)
    ScheduleProposal.objects.create(mission=mission, status="discarded")
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduleProposal.objects.create(mission=mission)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduleProposal.objects.create(mission=mission, status="bogus")
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduleProposal.objects.create(mission=mission, status="ready", objective=5, bound=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduleProposal.objects.create(mission=mission, status="discarded", time_limit=0)
