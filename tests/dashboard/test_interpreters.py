"""Meetings whose two sides share no language: listed and marked on the cockpit, counted on
the staff overview, left out of the optimiser's instance when the mission asks for it."""

import re

import pytest
from django.urls import reverse

from matchmaking import services
from matchmaking.models import MeetingRequest
from matchmaking.selectors import language_gaps
from proposals.instance import firm_key, mission_instance, operator_key
from scheduling.problem import pair_key
from tests.factories import MeetingSessionFactory, StaffFactory, participants

pytestmark = pytest.mark.django_db


def _speak(owner, contact, firm: list[str], operator: list[str], other: str = ""):
    owner.company.applications.get().delegates.update(languages=firm, other_languages=other)
    contact.languages = operator
    contact.save()


@pytest.fixture
def mission_with_three_meetings():
    """Three booked meetings: French on both sides; Arabic against English (an interpreter is
    needed); a firm whose delegate gave no language (unknown: not counted)."""
    session = MeetingSessionFactory(tables=3)
    mission = session.mission
    slot = session.slots.order_by("starts_at").first()
    pairs = [participants(mission) for _ in range(3)]
    _speak(*pairs[0], ["fr"], ["fr", "en"])
    _speak(*pairs[1], ["ar"], ["en"], other="Soninké")
    _speak(*pairs[2], [], ["en"])
    meetings = [
        services.meeting_book(
            mission=mission, company=o.company, operator=c.operator, slot=slot, by=o
        )
        for o, c in pairs
    ]
    return mission, pairs, meetings


def test_language_gaps_are_the_meetings_without_a_shared_language(mission_with_three_meetings):
    mission, _pairs, meetings = mission_with_three_meetings
    gaps = language_gaps(missions=[mission.pk])
    assert [(g.meeting_id, g.firm_languages, g.operator_languages) for g in gaps] == [
        (meetings[1].pk, frozenset({"ar", "soninké"}), frozenset({"en"}))
    ]
    services.meeting_cancel(meeting=meetings[1], by=None, reason="Interprète introuvable")
    assert language_gaps(missions=[mission.pk]) == []


def test_cockpit_flags_the_meeting_that_needs_an_interpreter(client, mission_with_three_meetings):
    mission, pairs, meetings = mission_with_three_meetings
    client.force_login(StaffFactory())
    body = client.get(reverse("dashboard:cockpit", args=[mission.slug])).content.decode()
    assert "1 rendez-vous à venir demande un interprète" in body
    listed = re.search(r'id="interpreter-list">(.*?)</ul>', body, re.S).group(1)
    rows = re.findall(r'<li class="list-group-item">(.*?)</li>', listed, re.S)
    assert len(rows) == 1
    owner, contact = pairs[1]
    assert owner.company.display_name in rows[0] and contact.operator.name in rows[0]
    assert "parle Arabe, Soninké" in rows[0] and "parle Anglais" in rows[0]
    assert reverse("dashboard:cockpit_meeting", args=[mission.slug, meetings[1].pk]) in rows[0]
    # On the grid, that meeting alone carries the mark.
    marked = re.findall(r'<td class="grid-meeting[^"]*grid-interpreter">\s*<a href="([^"]+)"', body)
    assert marked == [reverse("dashboard:cockpit_meeting", args=[mission.slug, meetings[1].pk])]


def test_cockpit_says_when_no_meeting_needs_an_interpreter(client):
    session = MeetingSessionFactory()
    client.force_login(StaffFactory())
    body = client.get(reverse("dashboard:cockpit", args=[session.mission.slug])).content.decode()
    assert 'id="interpreter-none"' in body and "interpreter-alert" not in body


def test_staff_overview_counts_interpreters_needed(client, mission_with_three_meetings):
    mission, _pairs, _meetings = mission_with_three_meetings
    client.force_login(StaffFactory())
    body = client.get(reverse("dashboard:index")).content.decode()
    assert "1 rendez-vous demande un interprète : aucune langue commune" in body
    assert reverse("dashboard:cockpit", args=[mission.slug]) + "#interpreters" in body


def test_instance_keeps_apart_pairs_without_a_shared_language_when_asked():
    session = MeetingSessionFactory(tables=3)
    mission = session.mission
    pairs = [participants(mission) for _ in range(3)]
    _speak(*pairs[0], ["fr"], ["fr"])
    _speak(*pairs[1], ["ar"], ["en"])
    _speak(*pairs[2], [], ["en"])
    for owner, contact in pairs:
        MeetingRequest.objects.create(
            mission=mission, company=owner.company, operator=contact.operator, side="company"
        )
    keys = [pair_key(firm_key(o.company.pk), operator_key(c.operator.pk)) for o, c in pairs]

    def requested():
        return {r.pair for r in mission_instance(mission).instance.requests}

    assert requested() == set(keys)  # the option is off: every wish is scheduled
    assert mission_instance(mission).kept_apart == 0
    mission.keep_apart_without_shared_language = True
    mission.save()
    assert requested() == {keys[0], keys[2]}  # unknown languages are not kept apart
    assert mission_instance(mission).kept_apart == 1
    # A meeting already booked between them stays where it is (a movable one is requested).
    owner, contact = pairs[1]
    services.meeting_book(
        mission=mission,
        company=owner.company,
        operator=contact.operator,
        slot=session.slots.order_by("starts_at").first(),
        by=owner,
    )
    mi = mission_instance(mission)
    assert keys[1] in mi.fixed and mi.kept_apart == 0
