"""The mission report (page and PDF) against counts made directly in the database, its fixed
number of queries, and the cockpit's "held or no-show" action that feeds it."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from pypdf import PdfReader

from feedback.models import MeetingFeedback
from feedback.report import mission_report
from feedback.services import feedback_figures
from matchmaking import services
from matchmaking.models import Meeting, MeetingStatus, Slot
from missions.models import Mission
from outbox.models import Email
from tests.factories import (
    CompanyMemberFactory,
    MeetingSessionFactory,
    MissionFactory,
    OperatorContactFactory,
    SectorFactory,
    StaffFactory,
    participants,
)

pytestmark = pytest.mark.django_db

AFTER, M3, M6 = "after", "3_months", "6_months"
STAGES = (AFTER, M3, M6)
COUNTRIES = ("CI", "SN", "CI", "GH")


@pytest.fixture
def staff_en(db):
    return StaffFactory(email="report@example.org", language="en")


def _to_the_past(mission):
    """The mission's B2B days are over: every slot moves 100 days back."""
    back = timedelta(days=100)
    Slot.objects.filter(mission=mission).update(
        starts_at=F("starts_at") - back, ends_at=F("ends_at") - back
    )


def seed(*, firms=6, title="Mission TIC Abidjan"):
    """A mission whose meetings are over: held, no-shows, not recorded and cancelled meetings,
    attendance confirmed by both sides on some, and feedback at the three stages (deals told by
    both sides and at two stages, with and without a value). Firms are in no, one or two
    sectors; operators in Côte d'Ivoire, Senegal or Ghana."""
    mission = MissionFactory(status=Mission.Status.SCHEDULING, capacity=20, title=title)
    session = MeetingSessionFactory(mission=mission, tables=3)
    slots = list(session.slots.order_by("starts_at"))
    sectors = [SectorFactory(), SectorFactory()]
    people = [participants(mission) for _ in range(firms)]
    for i, (owner, contact) in enumerate(people):
        owner.company.sectors.set(sectors[: i % 3])
        contact.operator.country = COUNTRIES[i % len(COUNTRIES)]
        contact.operator.save()
    meetings = []
    for i, (owner, _contact) in enumerate(people):
        for j, slot in ((i, slots[i % len(slots)]), (i + 1, slots[(i + 3) % len(slots)])):
            operator = people[j % firms][1].operator
            if j > i and j % firms == i:
                continue  # a single firm would meet its own operator twice
            meetings.append(
                services.meeting_book(
                    mission=mission, company=owner.company, operator=operator, slot=slot, by=owner
                )
            )
    staff = StaffFactory()
    services.meeting_cancel(meeting=meetings[-1], by=staff, reason="Vol annulé", staff=True)
    Meeting.objects.filter(pk__in=[m.pk for m in meetings[::3]]).update(
        company_confirmed_at=timezone.now(), operator_confirmed_at=timezone.now()
    )
    _to_the_past(mission)
    Mission.objects.filter(pk=mission.pk).update(status=Mission.Status.CLOSED)
    mission.refresh_from_db()
    active = meetings[:-1]
    for k, meeting in enumerate(active):
        status = [MeetingStatus.HELD, MeetingStatus.HELD, MeetingStatus.NO_SHOW, None][k % 4]
        if status:
            services.meeting_outcome_set(meeting=meeting, status=status, by=staff)
    took_place = [m for k, m in enumerate(active) if k % 4 != 2]
    for k, meeting in enumerate(took_place):
        outcome = ["deal", "follow_up", "proposal", "no_interest"][k % 4]
        value = Decimal(250_000 * (k + 1)) if outcome == "deal" else None
        MeetingFeedback.objects.create(
            meeting=meeting, side="company", stage=AFTER, rating=1 + k % 5, outcome=outcome,
            estimated_value=value,
        )  # fmt: skip
        if outcome == "deal":
            # The operator tells the same deal, smaller; 3 months later it has grown.
            MeetingFeedback.objects.create(
                meeting=meeting, side="operator", stage=AFTER, rating=4, outcome="deal",
                estimated_value=Decimal(100_000),
            )  # fmt: skip
            MeetingFeedback.objects.create(
                meeting=meeting, side="company", stage=M3, outcome="deal",
                estimated_value=value + Decimal("50000.50"),
            )  # fmt: skip
        elif outcome == "proposal":
            # A deal without a value, 6 months later: one deal more, no dirham more.
            MeetingFeedback.objects.create(
                meeting=meeting, side="operator", stage=M6, outcome="deal"
            )
    return mission, meetings


def _direct(meetings) -> dict:
    """The report's figures of these meetings, counted one by one."""
    active = [m for m in meetings if m.status != "cancelled"]
    deals, value = 0, Decimal(0)
    answers = dict.fromkeys(STAGES, 0)
    for m in meetings:
        rows = list(MeetingFeedback.objects.filter(meeting=m))
        for row in rows:
            answers[row.stage] += 1
        told = [row.estimated_value or Decimal(0) for row in rows if row.outcome == "deal"]
        if told:
            deals, value = deals + 1, value + max(told)
    return {
        "planned": len(active),
        "held": sum(m.status == "held" for m in meetings),
        "no_show": sum(m.status == "no_show" for m in meetings),
        "cancelled": len(meetings) - len(active),
        "confirmed": sum(bool(m.company_confirmed_at and m.operator_confirmed_at) for m in active),
        "deals": deals,
        "deal_value": value,
        "answers": answers,
    }


def _shown(figures) -> dict:
    return {
        "planned": figures.planned,
        "held": figures.held,
        "no_show": figures.no_show,
        "cancelled": figures.cancelled,
        "confirmed": figures.confirmed,
        "deals": figures.deals,
        "deal_value": figures.deal_value,
        "answers": {s: figures.answers.get(s, 0) for s in STAGES},
    }


# --- Figures ------------------------------------------------------------------------------------


def test_report_figures_equal_direct_counts(django_assert_num_queries):
    mission, _meetings = seed(firms=6)
    seed(firms=2, title="Another mission")  # counts nowhere here
    with django_assert_num_queries(8):
        report = mission_report(mission=mission)
    meetings = list(Meeting.objects.filter(mission=mission).select_related("company", "operator"))
    expected = _direct(meetings)
    assert _shown(report.totals) == expected
    # Not trivially zero: every kind of figure is there.
    assert all(expected[k] for k in ("held", "no_show", "cancelled", "confirmed", "deals"))
    assert expected["deal_value"] > 0 and all(expected["answers"].values())
    # The same deals as the feedback's own figures (each deal once, at its largest value).
    figures = feedback_figures(mission=mission)
    assert (report.feedback.deals, report.feedback.deal_value) == (
        expected["deals"],
        expected["deal_value"],
    )
    assert (figures.deals, figures.deal_value) == (expected["deals"], expected["deal_value"])


def test_report_by_sector_counts_a_firm_in_each_of_its_sectors():
    mission, _meetings = seed(firms=6)
    report = mission_report(mission=mission)
    meetings = list(Meeting.objects.filter(mission=mission).prefetch_related("company__sectors"))
    by_sector: dict = {}
    for m in meetings:
        for pk in [s.pk for s in m.company.sectors.all()] or [None]:
            by_sector.setdefault(pk, []).append(m)
    shown = {g.key: _shown(g.figures) for g in report.sectors}
    assert shown == {pk: _direct(ms) for pk, ms in by_sector.items()}
    assert None in shown and len(shown) == 3  # two sectors and "no sector given"
    # A firm in two sectors counts twice: the rows add up to more than the mission.
    assert sum(g.figures.planned for g in report.sectors) > report.totals.planned


def test_report_by_country_adds_up_to_the_mission():
    mission, _meetings = seed(firms=6)
    report = mission_report(mission=mission)
    meetings = list(Meeting.objects.filter(mission=mission).select_related("operator"))
    by_country: dict = {}
    for m in meetings:
        by_country.setdefault(m.operator.country.code, []).append(m)
    shown = {g.key: _shown(g.figures) for g in report.countries}
    assert shown == {code: _direct(ms) for code, ms in by_country.items()}
    assert set(shown) == {"CI", "SN", "GH"}
    for field in ("planned", "held", "no_show", "cancelled", "confirmed", "deals", "deal_value"):
        assert sum(getattr(g.figures, field) for g in report.countries) == getattr(
            report.totals, field
        )


def test_report_stage_table_sets_the_three_stages_side_by_side():
    mission, _meetings = seed(firms=6)
    report = mission_report(mission=mission)
    rows = {row.key: row for row in report.stage_rows}
    answers = MeetingFeedback.objects.filter(meeting__mission=mission)
    assert rows["answers"].cells == [str(answers.filter(stage=s).count()) for s in STAGES]
    assert rows["answers"].total == str(answers.count())
    for outcome in ("no_interest", "follow_up", "proposal", "deal"):
        assert rows[f"outcome-{outcome}"].cells == [
            str(answers.filter(stage=s, outcome=outcome).count()) for s in STAGES
        ]
    # Deals per stage are meetings: the deal told by both sides after the mission counts once.
    assert rows["deals"].cells == [
        str(answers.filter(stage=s, outcome="deal").values("meeting").distinct().count())
        for s in STAGES
    ]


def test_report_on_a_mission_without_meetings_shows_zeros(client, staff_en):
    mission = MissionFactory(status=Mission.Status.OPEN)
    report = mission_report(mission=mission)
    assert (report.totals.planned, report.totals.deals, report.totals.deal_value) == (0, 0, 0)
    assert report.sectors == [] and report.countries == []
    client.force_login(staff_en)
    response = client.get(reverse("dashboard:report", args=[mission.slug]))
    assert response.status_code == 200 and "No meeting yet." in response.content.decode()


# --- The page and the PDF -----------------------------------------------------------------------


def test_report_page_shows_the_figures_in_the_staff_members_language(client, staff_en):
    mission, _meetings = seed()
    client.force_login(staff_en)
    response = client.get(reverse("dashboard:report", args=[mission.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    with translation.override("en"):
        report = mission_report(mission=mission)
        totals = report.totals
        assert f'id="figure-planned">{totals.planned}<' in body
        rate = f'<span class="fs-6 text-body-secondary">{totals.held_rate}<'
        assert f'id="figure-held">{totals.held} {rate}' in body
        assert f'id="figure-no-show">{totals.no_show} ' in body
        assert f'id="figure-cancelled">{totals.cancelled}<' in body
        assert f'id="figure-value">{totals.value}<' in body and "," in totals.value  # 1,234,567
        for group in report.sectors + report.countries:
            assert f'<th scope="row" class="fw-normal">{escape(group.label)}</th>' in body
    assert "Senegal" in body and "Sector" in body
    assert "A firm in several sectors counts in each of them" in body
    assert mission.city in body and "Figures as of" in body
    assert reverse("dashboard:report_pdf", args=[mission.slug]) in body


def test_report_pdf_is_a_pdf_holding_the_title_and_the_figures(client, staff_en):
    mission, _meetings = seed(title="Mission TIC Dakar 2026")
    client.force_login(staff_en)
    response = client.get(reverse("dashboard:report_pdf", args=[mission.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response.content.startswith(b"%PDF-")
    pdf = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in pdf.pages)
    flat = " ".join(text.split())
    assert "Mission TIC Dakar 2026" in flat and "Mission report" in flat
    with translation.override("en"):  # the staff member's language
        report = mission_report(mission=mission)
        totals = report.totals
        assert f"Meetings planned {totals.planned}" in flat
        assert f"Held {totals.held} {totals.held_rate}" in flat
        assert f"No-shows {totals.no_show}" in flat
        assert f"Cancelled {totals.cancelled}" in flat
        assert f"Deals signed {report.feedback.deals}" in flat
        assert f"Estimated value of the deals (MAD) {totals.value}" in flat
        for group in report.sectors + report.countries:
            assert group.label in flat
    assert "Senegal" in flat and "By sector" in flat and "By country" in flat


def test_report_query_count_does_not_grow_with_meetings(client, staff_en, queries):
    small, _m = seed(firms=2, title="Small")
    big, _m = seed(firms=8, title="Big")
    sizes = [Meeting.objects.filter(mission=m).count() for m in (small, big)]
    assert sizes[1] >= 3 * sizes[0]
    client.force_login(staff_en)
    counts = [
        queries(lambda m=m: client.get(reverse("dashboard:report", args=[m.slug])))
        for m in (small, big)
    ]
    assert counts[0] == counts[1]


@pytest.mark.parametrize("name", ["dashboard:report", "dashboard:report_pdf"])
def test_only_staff_read_the_report(client, name):
    mission, _meetings = seed(firms=2)
    url = reverse(name, args=[mission.slug])
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for user in (CompanyMemberFactory(), OperatorContactFactory()):
        client.force_login(user)
        assert client.get(url).status_code == 403


# --- Held or no-show, from the cockpit ----------------------------------------------------------


@pytest.fixture
def over(db):
    """Three meetings of a mission that is running: two have taken place (their slots are over),
    one is tomorrow."""
    mission = MissionFactory(status=Mission.Status.SCHEDULING)
    session = MeetingSessionFactory(mission=mission, tables=3)
    slots = list(session.slots.order_by("starts_at"))
    booked = []
    for slot in slots[:3]:
        owner, contact = participants(mission)
        booked.append(
            services.meeting_book(
                mission=mission, company=owner.company, operator=contact.operator, slot=slot,
                by=owner,
            )
        )  # fmt: skip
    past, other, future = booked
    for meeting in (past, other):
        Slot.objects.filter(pk=meeting.slot_id).update(
            starts_at=timezone.now() - timedelta(hours=2),
            ends_at=timezone.now() - timedelta(hours=1, minutes=30),
        )
    Slot.objects.filter(pk=future.slot_id).update(
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, minutes=30),
    )
    Mission.objects.filter(pk=mission.pk).update(status=Mission.Status.RUNNING)
    return {"mission": mission, "past": past, "other": other, "future": future}


def _outcome(client, meeting, status):
    url = reverse("dashboard:cockpit_meeting", args=[meeting.mission.slug, meeting.pk])
    return client.post(url, {"action": "outcome", "outcome-status": status})


def _status(meeting):
    return Meeting.objects.values_list("status", "sequence").get(pk=meeting.pk)


def test_outcome_is_recorded_corrected_and_taken_back_without_e_mail(
    client, staff_en, over, mailoutbox, django_capture_on_commit_callbacks
):
    past = over["past"]
    emails, sequence = Email.objects.count(), past.sequence
    client.force_login(staff_en)
    page = client.get(reverse("dashboard:cockpit_meeting", args=[past.mission.slug, past.pk]))
    assert 'name="outcome-status"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = _outcome(client, past, "held")
    assert response.status_code == 302
    assert _status(past) == ("held", sequence)
    # A correction, then the record taken back; a second click changes nothing.
    assert _outcome(client, past, "no_show").status_code == 302
    assert _status(past) == ("no_show", sequence)
    assert _outcome(client, past, "no_show").status_code == 302
    assert _status(past) == ("no_show", sequence)
    assert _outcome(client, past, "confirmed").status_code == 302
    assert _status(past) == ("confirmed", sequence)
    # Nobody is told: time and place have not changed.
    assert Email.objects.count() == emails and mailoutbox == []
    # The report counts what staff recorded.
    _outcome(client, over["other"], "no_show")
    _outcome(client, past, "held")
    totals = mission_report(mission=over["mission"]).totals
    assert (totals.planned, totals.held, totals.no_show, totals.not_recorded) == (3, 1, 1, 1)


def test_outcome_of_a_future_meeting_is_refused_with_the_reason(client, staff_en, over):
    future = over["future"]
    before = _status(future)
    client.force_login(staff_en)
    page = client.get(reverse("dashboard:cockpit_meeting", args=[future.mission.slug, future.pk]))
    assert 'name="outcome-status"' not in page.content.decode()
    response = _outcome(client, future, "held")
    assert response.status_code == 409
    body = response.content.decode()
    assert "This meeting has not started yet" in body and "Nothing has changed." in body
    assert _status(future) == before


def test_outcome_of_a_cancelled_meeting_is_refused_with_the_reason(client, staff_en, over):
    past = over["past"]
    Meeting.objects.filter(pk=past.pk).update(status=MeetingStatus.CANCELLED)
    client.force_login(staff_en)
    response = _outcome(client, past, "held")
    assert response.status_code == 409
    body = response.content.decode()
    assert "This meeting is cancelled: there is no outcome to record." in body
    assert _status(past)[0] == "cancelled"


def test_outcome_with_an_unknown_status_is_refused(client, staff_en, over):
    client.force_login(staff_en)
    response = _outcome(client, over["past"], "cancelled")
    assert response.status_code == 400
    assert _status(over["past"])[0] == "confirmed"
    with pytest.raises(services.MatchmakingError, match="Choose held, no-show or not recorded"):
        services.meeting_outcome_set(meeting=over["past"], status="cancelled", by=staff_en)


def test_only_staff_record_an_outcome(client, over):
    past = over["past"]
    owner = CompanyMemberFactory(company=past.company, company_role="member")
    client.force_login(owner)
    assert _outcome(client, past, "held").status_code == 403
    assert _status(past)[0] == "confirmed"
