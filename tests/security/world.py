"""One world of objects owned by firm A and operator X, and the six roles that visit it.

Built once per test module (see ``conftest.py``): the roles' sessions are made once too, so a
check is one request. Firm B and operator Y take part in the same B2B mission as A and X: they
are the neighbours who must not see or change A's and X's things.
"""

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.test import Client

from companies.models import CompanyInvitation
from feedback.services import feedback_token
from matchmaking.attendance import attendance_token, calendar_feed_renew
from matchmaking.models import MeetingRequest
from matchmaking.services import meeting_book
from missions.models import Mission
from onsite.codes import badge_token, meeting_token
from outbox.models import Email
from proposals.models import ScheduleProposal
from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    CompanyMemberFactory,
    MeetingSessionFactory,
    MissionFactory,
    OperatorContactFactory,
    OperatorFactory,
    ProgrammeItemFactory,
    RegistrationFactory,
    StaffFactory,
)

ROLES = ("anonymous", "firm", "other_firm", "operator", "other_operator", "staff")

# Fixed ids far from the sequences, so that a firm's id is never also an operator's: a page that
# takes "the other side's id" must answer for the object the test means.
FIRM_A, FIRM_B, OPERATOR_X, OPERATOR_Y = 7101, 7102, 8101, 8102


class World:
    def __init__(self, *, objects: dict, users: dict, cookies: dict, baseline: dict):
        self.objects, self.users, self.cookies = objects, users, cookies
        self.baseline = baseline  # every table, as built

    def __repr__(self):
        return "World()"  # hypothesis prints the arguments of a failing example

    def __getitem__(self, key):
        return self.objects[key]

    def client(self, role: str, **options) -> Client:
        """A client signed in as ``role`` (a session made once for the module)."""
        client = Client(**options)
        if role != "anonymous":
            client.cookies.update(self.cookies[role])
        return client


def _booked(mission, company, operator, by):
    session = MeetingSessionFactory(mission=mission)
    return meeting_book(
        mission=mission,
        company=company,
        operator=operator,
        slot=session.slots.order_by("starts_at").first(),
        by=by,
    )


def build_world() -> World:
    staff = StaffFactory(email="staff@agency.test")  # with an authenticator app
    # Staff who have not set up a second factor yet: sent to do it wherever they go.
    staff_without_mfa = StaffFactory(email="new-staff@agency.test", second_factor=False)
    firm_a = CompanyFactory(id=FIRM_A, legal_name="Atlas A SARL")
    firm_b = CompanyFactory(id=FIRM_B, legal_name="Berbere B SARL")
    operator_x = OperatorFactory(id=OPERATOR_X, name="Xenon Bank")
    operator_y = OperatorFactory(id=OPERATOR_Y, name="Yaounde Telecom")
    owner_a = CompanyMemberFactory(email="owner@firm-a.test", company=firm_a)
    member_a = CompanyMemberFactory(
        email="member@firm-a.test", company=firm_a, company_role="member"
    )
    owner_b = CompanyMemberFactory(email="owner@firm-b.test", company=firm_b)
    contact_x = OperatorContactFactory(email="contact@operator-x.test", operator=operator_x)
    contact_y = OperatorContactFactory(email="contact@operator-y.test", operator=operator_y)

    # A mission open for applications: A has applied; the staff's things hang off it.
    open_mission = MissionFactory(slug="open-mission")
    application = ApplicationFactory(mission=open_mission, company=firm_a)
    # A draft: nobody but staff knows it exists.
    draft = MissionFactory(slug="draft-mission", status=Mission.Status.DRAFT)

    # The B2B mission: A and B approved, X and Y confirmed; a meeting and a request of A with X.
    b2b = MissionFactory(slug="b2b-mission", status=Mission.Status.SCHEDULING)
    for firm in (firm_a, firm_b):
        ApplicationFactory(mission=b2b, company=firm, status="approved")
    for operator in (operator_x, operator_y):
        RegistrationFactory(mission=b2b, operator=operator, status="confirmed")
    meeting = _booked(b2b, firm_a, operator_x, owner_a)
    meeting_request = MeetingRequest.objects.create(
        mission=b2b, company=firm_a, operator=operator_x, side="company", message="Rencontrons-nous"
    )

    # A closed mission where A met X: the feedback link.
    closed = MissionFactory(slug="closed-mission", status=Mission.Status.SCHEDULING)
    ApplicationFactory(mission=closed, company=firm_a, status="approved")
    RegistrationFactory(mission=closed, operator=operator_x, status="confirmed")
    past = _booked(closed, firm_a, operator_x, owner_a)
    Mission.objects.filter(pk=closed.pk).update(status=Mission.Status.CLOSED)

    invitation = CompanyInvitation.objects.create(
        company=firm_a, email="newcomer@firm-a.test", token="tok-" + "a" * 40
    )
    objects = {
        "open": open_mission.slug,
        "draft": draft.slug,
        "b2b": b2b.slug,
        "closed": closed.slug,
        "firm_a": firm_a.pk,
        "firm_b": firm_b.pk,
        "operator_x": operator_x.pk,
        "operator_y": operator_y.pk,
        "member_a": member_a.pk,
        "application": application.pk,
        "invitation": invitation.pk,
        "invitation_token": invitation.token,
        "programme_item": ProgrammeItemFactory(mission=open_mission).pk,
        "session": MeetingSessionFactory(mission=open_mission).pk,
        "b2b_session": meeting.slot.session_id,
        "proposal": ScheduleProposal.objects.create(mission=open_mission, status="discarded").pk,
        "meeting": meeting.pk,
        "past_meeting": past.pk,
        "meeting_request": meeting_request.pk,
        "feed": calendar_feed_renew(user=owner_a).token,
        "email": Email.objects.create(
            key="security:1",
            mission=open_mission,
            to_email="someone@firm-a.test",
            template="operator_invitation",
            status="failed",
            last_error="550 no such user",
        ).pk,
        "attend": attendance_token(meeting, owner_a.email),
        "feedback": feedback_token(past, contact_x.email, "after"),
        # The codes of the day (onsite): A's delegate's badge and the meeting's printed code.
        "onsite_badge": badge_token(
            mission_id=b2b.pk, delegate_id=firm_a.applications.get(mission=b2b).delegates.get().pk
        ),
        "onsite_code": meeting_token(meeting),
    }
    users = {
        "firm": owner_a,
        "other_firm": owner_b,
        "operator": contact_x,
        "other_operator": contact_y,
        "staff": staff,
        "staff_without_mfa": staff_without_mfa,
    }
    cookies = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        cookies[role] = client.cookies
    return World(objects=objects, users=users, cookies=cookies, baseline=snapshot())


# Tables a request may write without changing anything that matters (the session: login,
# messages), and the two that no request writes.
_IGNORED = {Session, Permission, ContentType}


def snapshot() -> dict:
    """Every row of every table of the project, to prove that a request changed nothing."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values_list())
        for model in apps.get_models()
        if model not in _IGNORED and model._meta.managed
    }


def changes(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]
