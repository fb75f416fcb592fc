"""A request is met once an active meeting holds its pair (booked, scheduled by a published
proposal, placed by staff), and says so on every page; cancelling the meeting reopens it."""

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from matchmaking import services
from matchmaking.models import Meeting, MeetingRequest
from proposals import services as proposals
from tests.factories import MeetingSessionFactory, participants

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _participant(mission, user):
    if user.company_id:
        app = user.company.applications.get(mission=mission)
        return services.Participant(
            mission=mission, side="company", company=user.company, application=app
        )
    return services.Participant(mission=mission, side="operator", operator=user.operator)


def _ask(mission, user, counterpart, priority=2):
    return services.request_create(
        participant=_participant(mission, user),
        counterpart=counterpart,
        priority=priority,
        message="",
        by=user,
    )


def _book(session, owner, contact, index=0, by=None):
    return services.meeting_book(
        mission=session.mission,
        company=owner.company,
        operator=contact.operator,
        slot=session.slots.order_by("starts_at")[index],
        by=by or owner,
    )


def _statuses(mission):
    return sorted(MeetingRequest.objects.filter(mission=mission).values_list("side", "status"))


def _english_user(user):
    User.objects.filter(pk=user.pk).update(language="en")


def test_booking_meets_both_requests_of_the_pair_and_cancelling_reopens_them():
    session = MeetingSessionFactory()
    mission = session.mission
    owner, contact = participants(mission)
    asked_by_firm = _ask(mission, owner, contact.operator)
    _ask(mission, contact, owner.company)
    services.request_respond(
        request=asked_by_firm, participant=_participant(mission, contact), accept=True
    )
    other_owner, other_contact = participants(mission)
    untouched = _ask(mission, other_owner, other_contact.operator)

    meeting = _book(session, owner, contact)
    assert _statuses(mission) == [("company", "met"), ("company", "pending"), ("operator", "met")]
    untouched.refresh_from_db()
    assert untouched.status == "pending"  # another pair's request stays open

    services.meeting_cancel(meeting=meeting, by=owner)
    # The accepted one is accepted again, the one never answered is pending again.
    assert sorted(MeetingRequest.objects.values_list("side", "status", "company_id")) == sorted(
        [
            ("company", "accepted", owner.company_id),
            ("operator", "pending", owner.company_id),
            ("company", "pending", other_owner.company_id),
        ]
    )


def test_a_met_request_cannot_be_answered_withdrawn_or_asked_again():
    session = MeetingSessionFactory()
    mission = session.mission
    owner, contact = participants(mission)
    request = _ask(mission, owner, contact.operator)
    _book(session, owner, contact, by=contact)
    with pytest.raises(services.MatchmakingError, match="already have a meeting"):
        services.request_respond(
            request=request, participant=_participant(mission, contact), accept=False
        )
    with pytest.raises(services.MatchmakingError, match="cancel the meeting"):
        services.request_withdraw(request=request, participant=_participant(mission, owner))
    with pytest.raises(services.MatchmakingError, match="already have a meeting"):
        _ask(mission, contact, owner.company)
    assert _statuses(mission) == [("company", "met")]


def test_a_staff_move_keeps_the_request_met_and_a_departure_reopens_it():
    session = MeetingSessionFactory()
    mission = session.mission
    owner, contact = participants(mission)
    staff_user = User.objects.create_user(email="agent@example.org", is_staff=True)
    _ask(mission, owner, contact.operator)
    meeting = _book(session, owner, contact)
    services.meeting_staff_move(
        meeting=meeting, slot=session.slots.order_by("starts_at")[2], by=staff_user
    )
    assert _statuses(mission) == [("company", "met")]
    services.meetings_cancel_for_departure(
        mission=mission, reason="operator-left", operator=contact.operator
    )
    assert _statuses(mission) == [("company", "pending")]


def test_the_requests_page_shows_a_met_request_without_its_buttons(client):
    session = MeetingSessionFactory()
    mission = session.mission
    owner, contact = participants(mission)
    _english_user(contact)
    _ask(mission, owner, contact.operator)
    client.force_login(contact)
    url = reverse("matchmaking:requests", args=[mission.slug])
    assert 'value="accept"' in client.get(url).content.decode()
    _book(session, owner, contact)
    page = client.get(url).content.decode()
    assert "Meeting arranged" in page and "You meet on" in page
    assert 'value="accept"' not in page and 'value="decline"' not in page
    assert ">Pending<" not in page
    # The firm's page of the operator: the meeting, not "Requested", and no second request.
    client.force_login(owner)
    _english_user(owner)
    party = client.get(reverse("matchmaking:party", args=[mission.slug, contact.operator_id]))
    text = party.content.decode()
    assert "Meeting booked" in text and ">Requested<" not in text
    assert "Send the request" not in text


def test_publishing_a_proposal_meets_its_requests_and_the_counts_follow(client, staff):
    session = MeetingSessionFactory(tables=2)
    mission = session.mission
    pairs = [participants(mission) for _ in range(3)]
    for owner, contact in pairs:
        _ask(mission, owner, contact.operator, priority=3)
    _english_user(staff)
    client.force_login(staff)
    schedule = reverse("dashboard:schedule", args=[mission.slug])
    assert "3 open meeting requests" in client.get(schedule).content.decode()
    proposal = proposals.proposal_start(mission=mission, by=None, time_limit=10)
    proposal = proposals.proposal_compute(proposal_id=proposal.pk)
    proposals.proposal_publish(proposal=proposal, by=staff)
    assert Meeting.objects.filter(mission=mission).count() == 3
    assert set(MeetingRequest.objects.values_list("status", flat=True)) == {"met"}
    assert "0 open meeting requests" in client.get(schedule).content.decode()
    # The firm's requests page says so.
    owner = pairs[0][0]
    _english_user(owner)
    client.force_login(owner)
    page = client.get(reverse("matchmaking:requests", args=[mission.slug])).content.decode()
    assert "Meeting arranged" in page and 'value="withdraw"' not in page
    # Cancelling one of them reopens its request only, and the count follows.
    services.meeting_cancel(meeting=Meeting.objects.first(), by=staff, staff=True)
    client.force_login(staff)
    assert "1 open meeting request" in client.get(schedule).content.decode()


def test_the_data_migration_marks_the_requests_already_met():
    session = MeetingSessionFactory()
    mission = session.mission
    owner, contact = participants(mission)
    request = _ask(mission, owner, contact.operator)
    _book(session, owner, contact)
    # As the rows were before this change: a meeting that left its request pending.
    MeetingRequest.objects.update(status="pending")
    migration = __import__("matchmaking.migrations.0010_meetingrequest_met", fromlist=["mark_met"])
    migration.mark_met(apps, None)
    request.refresh_from_db()
    assert request.status == "met"
    migration.unmark_met(apps, None)
    request.refresh_from_db()
    assert request.status == "pending"
