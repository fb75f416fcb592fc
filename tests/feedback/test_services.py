"""Feedback on each meeting after the mission: the e-mails (at closing, the reminder, the 3- and
6-month surveys), the signed link and its page, the database's rules, the cockpit's figures."""

import base64
import hashlib
import re
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Sum
from django.urls import reverse
from django.utils import timezone

from feedback import services as fb
from feedback.models import MeetingFeedback
from feedback.tasks import feedback_requests_task
from matchmaking.models import MeetingStatus
from matchmaking.services import meeting_book
from missions.models import Mission, MissionStatus, MissionTransition
from outbox.models import Email
from tests.factories import (
    CompanyMemberFactory,
    MeetingSessionFactory,
    MissionFactory,
    OperatorContactFactory,
    participants,
)

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/feedback/[^/\s]+/)")
AFTER, M3, M6 = "after", "3_months", "6_months"


def _book(session, index):
    owner, contact = participants(session.mission)
    meeting = meeting_book(
        mission=session.mission,
        company=owner.company,
        operator=contact.operator,
        slot=session.slots.order_by("starts_at")[index],
        by=owner,
    )
    return meeting, owner, contact


def _close(mission):
    Mission.objects.filter(pk=mission.pk).update(status=MissionStatus.CLOSED)
    return MissionTransition.objects.create(
        mission=mission, from_status=MissionStatus.RUNNING, to_status=MissionStatus.CLOSED
    ).at


@pytest.fixture
def world(mailoutbox):
    """A mission in Los Angeles with two meetings held, one cancelled and one no-show; the first
    firm has a second member and an inactive one. Everybody reads English."""
    mission = MissionFactory(status=MissionStatus.SCHEDULING, timezone="America/Los_Angeles")
    session = MeetingSessionFactory(mission=mission)
    held, owner, contact = _book(session, 0)
    other, other_owner, other_contact = _book(session, 1)
    cancelled, *_cancelled_people = _book(session, 2)
    no_show, *_no_show_people = _book(session, 3)
    cancelled.status = MeetingStatus.CANCELLED
    cancelled.save()
    no_show.status = MeetingStatus.NO_SHOW
    no_show.save()
    colleague = CompanyMemberFactory(company=owner.company, company_role="member")
    CompanyMemberFactory(company=owner.company, company_role="member", is_active=False)
    type(owner).objects.update(language="en")
    mailoutbox.clear()
    return {
        "mission": mission,
        "held": held,
        "other": other,
        "cancelled": cancelled,
        "no_show": no_show,
        "owner": owner,
        "colleague": colleague,
        "contact": contact,
        "other_owner": other_owner,
        "other_contact": other_contact,
    }


@pytest.fixture
def closed(world):
    world["closed_at"] = _close(world["mission"])
    world["mission"].refresh_from_db()
    return world


def _send(capture, now):
    with capture(execute=True):
        return fb.feedback_requests_send(now=now)


def _readers(world):
    return sorted(
        world[k].email for k in ("owner", "colleague", "contact", "other_owner", "other_contact")
    )


def _links(mailoutbox):
    return {m.to[0]: LINK.search(m.body).group(1) for m in mailoutbox}


# --- The e-mails ---------------------------------------------------------------------------------


def test_requests_wait_for_the_mission_to_close(world, django_capture_on_commit_callbacks):
    assert _send(django_capture_on_commit_callbacks, timezone.now() + timedelta(days=200)) == 0
    assert not Email.objects.filter(template="meeting_feedback").exists()


def test_requests_go_at_closing_once_per_reader_for_meetings_held(
    closed, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        feedback_requests_task.delay()
        feedback_requests_task.delay()  # the next beat tick
    assert sorted(m.to[0] for m in mailoutbox) == _readers(closed)
    with django_capture_on_commit_callbacks(execute=True):
        again = fb.feedback_requests_send(now=closed["closed_at"] + timedelta(hours=1))
    assert again == 0 and len(mailoutbox) == 5

    # Nothing about the cancelled meeting or the no-show, to anyone.
    cancelled, no_show = closed["cancelled"], closed["no_show"]
    for meeting in (cancelled, no_show):
        assert not Email.objects.filter(key__startswith=f"meeting-feedback:{meeting.pk}:").exists()
    names = {cancelled.company.display_name, no_show.company.display_name}
    assert not any(name in m.body for m in mailoutbox for name in names)

    contact_mail = next(m for m in mailoutbox if m.to == [closed["contact"].email])
    held = closed["held"]
    assert contact_mail.subject == (
        f"[Maroc Export] Your feedback on your meeting with {held.company.display_name}"
    )
    text, html = contact_mail.body, contact_mail.alternatives[0][0]
    for part in (text, html):
        # The meeting in the mission's local time, with the zone named.
        assert "09:00–09:30" in part and "America/Los Angeles (P" in part
        assert "/feedback/" in part
    owner_mail = next(m for m in mailoutbox if m.to == [closed["owner"].email])
    assert held.operator.name in owner_mail.subject
    # Each reader has a link of their own.
    assert len(set(_links(mailoutbox).values())) == 5


def test_reminder_a_week_later_only_to_sides_that_have_not_answered(
    closed, client, django_capture_on_commit_callbacks, mailoutbox
):
    closed_at = closed["closed_at"]
    _send(django_capture_on_commit_callbacks, closed_at + timedelta(minutes=5))
    links = _links(mailoutbox)
    # The operator of the first meeting answers; its firm's two members do not.
    client.post(links[closed["contact"].email], {"rating": "4", "outcome": "follow_up"})
    mailoutbox.clear()

    assert _send(django_capture_on_commit_callbacks, closed_at + timedelta(days=6)) == 0
    week = closed_at + timedelta(days=7, hours=1)
    assert _send(django_capture_on_commit_callbacks, week) == 4
    assert _send(django_capture_on_commit_callbacks, week + timedelta(hours=1)) == 0
    expected = sorted(
        closed[k].email for k in ("owner", "colleague", "other_owner", "other_contact")
    )
    assert sorted(m.to[0] for m in mailoutbox) == expected
    assert all(m.subject.startswith("[Maroc Export] Reminder: ") for m in mailoutbox)
    assert all("not received your side's answer yet" in m.body for m in mailoutbox)
    # The reminder's link works like the first one.
    reminder_link = _links(mailoutbox)[closed["owner"].email]
    assert client.get(reminder_link).status_code == 200


def test_surveys_three_and_six_months_after_the_last_day(
    closed, django_capture_on_commit_callbacks, mailoutbox
):
    mission = closed["mission"]
    _send(django_capture_on_commit_callbacks, closed["closed_at"] + timedelta(minutes=5))
    mailoutbox.clear()

    end = mission.end_date
    assert fb.feedback_schedule(mission, closed["closed_at"])[M3].date() == fb._add_months(end, 3)
    due_3 = fb.feedback_schedule(mission, closed["closed_at"])[M3]
    due_6 = fb.feedback_schedule(mission, closed["closed_at"])[M6]
    assert timezone.localtime(due_3, mission.tzinfo).hour == 9
    assert (due_6.date() - end).days in range(181, 185)

    assert _send(django_capture_on_commit_callbacks, due_3 - timedelta(hours=1)) == 0
    assert _send(django_capture_on_commit_callbacks, due_3 + timedelta(hours=1)) == 5
    assert _send(django_capture_on_commit_callbacks, due_3 + timedelta(hours=2)) == 0
    assert sorted(m.to[0] for m in mailoutbox) == _readers(closed)
    assert all("Three months on" in m.subject for m in mailoutbox)
    assert all("Three months ago" in m.body for m in mailoutbox)
    links_3 = _links(mailoutbox)
    mailoutbox.clear()

    assert _send(django_capture_on_commit_callbacks, due_6 + timedelta(hours=1)) == 5
    assert all("Six months on" in m.subject for m in mailoutbox)
    links_6 = _links(mailoutbox)
    # Each survey has its own link, for its own stage.
    owner = closed["owner"].email
    token_3, token_6 = links_3[owner].split("/")[-2], links_6[owner].split("/")[-2]
    assert fb.feedback_check(token_3).stage == M3 and fb.feedback_check(token_6).stage == M6
    keys = Email.objects.filter(to_email=owner, template="meeting_feedback")
    assert sorted(k.split(":")[3] for k in keys.values_list("key", flat=True)) == [M3, M6, AFTER]


def test_a_mission_closed_long_ago_gets_no_burst_of_old_messages(
    world, django_capture_on_commit_callbacks
):
    closed_at = _close(world["mission"])
    assert _send(django_capture_on_commit_callbacks, closed_at + timedelta(days=60)) == 0


# --- The link and its page ----------------------------------------------------------------------


@pytest.fixture
def asked(closed, client, django_capture_on_commit_callbacks, mailoutbox):
    _send(django_capture_on_commit_callbacks, closed["closed_at"] + timedelta(minutes=5))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    closed["links"] = _links(mailoutbox)
    return closed


def test_the_link_shows_the_meeting_then_saves_and_updates_the_answer(client, asked):
    held, contact = asked["held"], asked["contact"]
    link = asked["links"][contact.email]
    page = client.get(link).content.decode()
    assert held.company.display_name in page and held.operator.name in page
    assert "09:00–09:30" in page and "America/Los Angeles" in page
    assert 'name="outcome"' in page and "<script>" not in page and "style=" not in page
    assert not MeetingFeedback.objects.exists()  # a mail scanner's visit saves nothing

    response = client.post(
        link,
        {"rating": "4", "outcome": "proposal", "estimated_value": "12500.50", "comment": "Good"},
        follow=True,
    )
    assert "Thank you: your answer is saved." in response.content.decode()
    saved = MeetingFeedback.objects.get()
    assert (saved.meeting, saved.side, saved.stage, saved.submitted_by) == (
        held,
        "operator",
        AFTER,
        contact,
    )
    assert (saved.rating, saved.outcome, saved.estimated_value, saved.comment) == (
        4,
        "proposal",
        Decimal("12500.50"),
        "Good",
    )

    again = client.get(link).content.decode()
    assert "Your answer was saved on" in again and "12500.50" in again and "Good" in again
    client.post(
        link,
        {"rating": "5", "outcome": "deal", "estimated_value": "80 000", "comment": "Signed!"},
    )
    saved = MeetingFeedback.objects.get()  # still one row: replaced, not added
    assert (saved.rating, saved.outcome, saved.estimated_value) == (5, "deal", Decimal("80000"))

    # A colleague of the same side answers from their own link: the side's answer is replaced.
    colleague = asked["colleague"]
    client.post(asked["links"][colleague.email], {"rating": "3", "outcome": "follow_up"})
    assert MeetingFeedback.objects.count() == 2
    firm = MeetingFeedback.objects.get(side="company")
    assert firm.submitted_by == colleague and firm.meeting == held
    page = client.get(asked["links"][asked["owner"].email]).content.decode()
    assert "answered for your side" in page


def test_bad_input_is_a_400_that_keeps_the_saved_answer(client, asked):
    link = asked["links"][asked["contact"].email]
    client.post(link, {"rating": "4", "outcome": "follow_up", "comment": "Keep me"})
    for data, message in [
        ({"rating": "9", "outcome": "deal"}, "Select a valid choice"),
        ({"rating": "3", "outcome": "bribe"}, "Select a valid choice"),
        ({"outcome": "deal"}, "This field is required"),
        ({"rating": "3", "outcome": "deal", "estimated_value": "-5"}, "greater than or equal"),
        ({"rating": "3", "outcome": "deal", "estimated_value": "lots"}, "Enter a number"),
        ({"rating": "3", "outcome": "deal", "comment": "x" * 2001}, "at most 2000"),
    ]:
        response = client.post(link, data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
    saved = MeetingFeedback.objects.get()
    assert (saved.rating, saved.outcome, saved.comment) == (4, "follow_up", "Keep me")
    assert client.put(link).status_code == 405


def test_the_service_refuses_bad_data_with_a_message(asked):
    token = asked["links"][asked["contact"].email].split("/")[-2]
    with pytest.raises(fb.FeedbackError, match="1 à 5"):
        fb.feedback_submit(token=token, data={"rating": 0, "outcome": "deal"})
    with pytest.raises(fb.FeedbackError, match="dirhams"):
        fb.feedback_submit(
            token=token, data={"rating": 2, "outcome": "deal", "estimated_value": -1}
        )
    with pytest.raises(fb.FeedbackError, match="Notez le rendez-vous"):
        fb.feedback_submit(token=token, data={"outcome": "deal"})
    assert not MeetingFeedback.objects.exists()


def test_a_survey_may_leave_the_rating_empty(asked):
    meeting, contact = asked["held"], asked["contact"]
    token = fb.feedback_token(meeting, contact.email, M3)
    saved = fb.feedback_submit(token=token, data={"outcome": "deal", "estimated_value": "1000"})
    assert (saved.stage, saved.rating, saved.estimated_value) == (M3, None, Decimal("1000"))


def test_forged_expired_and_outdated_links_are_refused_with_a_clear_page(client, asked):
    link = asked["links"][asked["contact"].email]
    forged = client.post(link[:-4] + "xyz/", {"rating": "4", "outcome": "deal"})
    assert forged.status_code == 400 and "This link is not valid" in forged.content.decode()

    with mock.patch.object(fb, "FEEDBACK_MAX_AGE", timedelta(seconds=-1)):
        expired = client.post(link, {"rating": "4", "outcome": "deal"})
    assert expired.status_code == 410 and "This link has expired." in expired.content.decode()

    stranger = fb.feedback_token(asked["held"], OperatorContactFactory().email, AFTER)
    response = client.get(reverse("feedback:feedback", args=[stranger]))
    assert response.status_code == 410 and "no longer valid" in response.content.decode()

    held = asked["held"]
    held.status = MeetingStatus.CANCELLED
    held.save()
    response = client.post(link, {"rating": "4", "outcome": "deal"})
    assert response.status_code == 410 and "has been cancelled" in response.content.decode()
    held.status = MeetingStatus.NO_SHOW
    held.save()
    response = client.get(link)
    assert response.status_code == 410 and "did not take place" in response.content.decode()
    assert not MeetingFeedback.objects.exists()


def test_a_link_before_the_mission_is_closed_is_refused(client, world):
    token = fb.feedback_token(world["held"], world["contact"].email, AFTER)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("feedback:feedback", args=[token]), {"rating": "4", "outcome": "deal"}
    )
    assert response.status_code == 409 and "once the mission is over" in response.content.decode()
    assert not MeetingFeedback.objects.exists()


# --- The database's rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        {"rating": 6},
        {"rating": 0},
        {"rating": None},  # required right after the mission
        {"estimated_value": Decimal("-1")},
        {"outcome": "bribe"},
        {"side": "staff"},
        {"stage": "1_year"},
    ],
)
def test_the_database_refuses_an_answer_out_of_range(closed, values):
    row = {"meeting": closed["held"], "side": "company", "stage": AFTER, "rating": 3}
    row |= {"outcome": "deal", **values}
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingFeedback.objects.create(**row)


def test_the_database_keeps_one_answer_per_meeting_side_and_stage(closed):
    row = {"meeting": closed["held"], "side": "company", "stage": AFTER, "outcome": "deal"}
    MeetingFeedback.objects.create(rating=3, **row)
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingFeedback.objects.create(rating=4, **row)
    MeetingFeedback.objects.create(rating=None, **{**row, "stage": M3})  # optional later
    MeetingFeedback.objects.create(rating=2, **{**row, "side": "operator"})
    assert MeetingFeedback.objects.count() == 3


# --- Reads --------------------------------------------------------------------------------------


def test_figures_equal_counts_made_directly(closed, django_assert_max_num_queries):
    held, other = closed["held"], closed["other"]
    rows = [
        (held, "company", AFTER, 5, "deal", "1000"),
        (held, "operator", AFTER, 4, "deal", "1500"),  # the same deal, told by both sides
        (held, "company", M3, None, "deal", "2000"),
        (other, "company", AFTER, 2, "no_interest", None),
        (other, "operator", AFTER, 3, "proposal", "700"),
        (other, "operator", M6, 4, "deal", "300"),
    ]
    for meeting, side, stage, rating, outcome, value in rows:
        MeetingFeedback.objects.create(
            meeting=meeting,
            side=side,
            stage=stage,
            rating=rating,
            outcome=outcome,
            estimated_value=Decimal(value) if value else None,
        )
    # Another mission's answers count nowhere here.
    elsewhere = MeetingSessionFactory()
    stranger, *_people = _book(elsewhere, 0)
    MeetingFeedback.objects.create(
        meeting=stranger, side="company", stage=AFTER, rating=1, outcome="deal", estimated_value=9
    )

    with django_assert_max_num_queries(3):
        figures = fb.feedback_figures(mission=closed["mission"])
    mine = MeetingFeedback.objects.filter(meeting__mission=closed["mission"])
    assert figures.meetings == 2 and figures.answers == mine.count() == 6
    for stage in (AFTER, M3, M6):
        at_stage = mine.filter(stage=stage)
        direct = dict(at_stage.values_list("outcome").annotate(n=Count("pk")))
        assert figures.stages[stage].outcomes == {
            o: direct.get(o, 0) for o in ("no_interest", "follow_up", "proposal", "deal")
        }
        assert figures.stages[stage].answers == at_stage.count()
        average = at_stage.aggregate(a=Avg("rating"))["a"]
        assert figures.stages[stage].average_rating == pytest.approx(average)
        value = at_stage.filter(outcome="deal").aggregate(v=Sum("estimated_value"))["v"]
        assert figures.stages[stage].deal_value == (value or 0)
    assert figures.average_rating == pytest.approx(mine.aggregate(a=Avg("rating"))["a"])
    assert figures.stages[AFTER].deal_value == Decimal("2500")
    # Each meeting's deal counts once, at the largest value reported for it.
    assert figures.deals == mine.filter(outcome="deal").values("meeting").distinct().count() == 2
    assert figures.deal_value == Decimal("2000") + Decimal("300")

    with django_assert_max_num_queries(1):
        listed = list(fb.feedback_for_mission(mission=closed["mission"]))
        names = [(f.meeting.company.display_name, f.submitted_by) for f in listed]
    assert len(names) == 6
    assert [(f.meeting_id, f.stage, f.side) for f in listed] == [
        (held.pk, AFTER, "company"),
        (held.pk, AFTER, "operator"),
        (held.pk, M3, "company"),
        (other.pk, AFTER, "company"),
        (other.pk, AFTER, "operator"),
        (other.pk, M6, "operator"),
    ]


def test_figures_of_a_mission_without_answers(closed):
    figures = fb.feedback_figures(mission=closed["mission"])
    assert (figures.answers, figures.deals, figures.deal_value) == (0, 0, 0)
    assert figures.average_rating is None
    assert figures.stages[AFTER].outcomes == dict.fromkeys(
        ["no_interest", "follow_up", "proposal", "deal"], 0
    )


def test_the_link_carries_no_address_and_links_sent_before_still_work(client, closed):
    meeting, contact = closed["held"], closed["contact"]
    token = fb.feedback_token(meeting, contact.email, AFTER)
    payload = token.split(":")[0].lstrip(".")
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert contact.email.encode() not in decoded and b'"e"' not in decoded
    assert fb.feedback_check(token).user == contact
    # A link mailed before the digest (the address in clear) keeps working until it expires.
    legacy = signing.dumps(
        {"m": meeting.pk, "e": contact.email.lower(), "s": AFTER}, salt=fb.FEEDBACK_SALT
    )
    assert fb.feedback_check(legacy).user == contact
    assert client.get(reverse("feedback:feedback", args=[legacy])).status_code == 200
    # The digest is keyed by the project's secret: a guessed address does not give it.
    data = signing.loads(token, salt=fb.FEEDBACK_SALT)
    plain = hashlib.sha256(contact.email.lower().encode()).hexdigest()[:20]
    assert len(data["r"]) == 20 and data["r"] != plain
    # A link mailed with the plain digest keeps working until it expires.
    plain_link = signing.dumps(
        {"m": meeting.pk, "r": plain, "s": str(AFTER)}, salt=fb.FEEDBACK_SALT
    )
    assert fb.feedback_check(plain_link).user == contact
