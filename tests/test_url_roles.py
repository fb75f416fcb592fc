"""Every URL of the project answers each role with the expected status.

The table grows with every new page: a URL without a row makes ``test_every_url_has_a_row`` fail.
Admin pages are covered as one namespace (the admin checks staff itself), in the last test.
"""

from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from companies.models import CompanyInvitation
from matchmaking.feedback import feedback_token
from matchmaking.models import MeetingRequest, ScheduleProposal
from matchmaking.services import attendance_token, calendar_feed_renew
from outbox.models import Email
from tests.factories import (
    ApplicationFactory,
    CompanyMemberFactory,
    MeetingFactory,
    MeetingSessionFactory,
    MissionFactory,
    OperatorContactFactory,
    ProgrammeItemFactory,
    StaffFactory,
)

ROLES = ("anonymous", "company", "operator", "staff")
OK, FOUND, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 403, 404, 405


def every(status):
    return dict.fromkeys(ROLES, status)


def signed_in(status, anonymous=FOUND):
    return {"anonymous": anonymous, **dict.fromkeys(ROLES[1:], status)}


def anonymous_only(status=OK):
    return {"anonymous": status, **dict.fromkeys(ROLES[1:], FOUND)}


def portal(status=OK):
    """Firm pages: company members only."""
    return {"anonymous": FOUND, "company": status, "operator": FORBIDDEN, "staff": FORBIDDEN}


def operator_area(status=OK):
    return {"anonymous": FOUND, "company": FORBIDDEN, "operator": status, "staff": FORBIDDEN}


def participants_only():
    return {"anonymous": FOUND, **dict.fromkeys(ROLES[1:], FORBIDDEN)}


def staff_only(status=OK):
    return {"anonymous": FOUND, "company": FORBIDDEN, "operator": FORBIDDEN, "staff": status}


# url name -> (kwargs from the world of objects owned by others, expected status per role)
URLS = {
    "home": ({}, every(OK)),
    "healthz": ({}, every(OK)),
    "set_language": ({}, every(NOT_ALLOWED)),  # POST only
    "missions:list": ({}, every(OK)),
    "missions:detail": ({"slug": "mission"}, every(OK)),
    "missions:meet": (
        {"slug": "mission"},
        {"anonymous": OK, "company": FORBIDDEN, "operator": OK, "staff": FORBIDDEN},
    ),
    "accounts:home": ({}, every(FOUND)),  # sends each role to its own space
    "accounts:profile": ({}, signed_in(OK)),
    "companies:portal": ({}, portal()),
    "companies:create": ({}, portal(FOUND)),  # the member already has a company: to its edit page
    "companies:edit": ({}, portal()),
    "companies:members": ({}, portal()),
    "companies:member_remove": ({"pk": "other_member"}, every(NOT_ALLOWED)),
    "companies:invitation_cancel": ({"pk": "invitation"}, every(NOT_ALLOWED)),
    "companies:invitation_accept": ({"token": "invitation"}, signed_in(OK)),
    "companies:apply": ({"slug": "mission"}, portal()),
    "companies:application": ({"pk": "application"}, portal(NOT_FOUND)),  # another firm's
    "companies:withdraw": ({"pk": "application"}, every(NOT_ALLOWED)),
    "operators:home": ({}, operator_area()),
    "operators:profile": ({}, operator_area()),
    "dashboard:index": ({}, staff_only()),
    "dashboard:mission_create": ({}, staff_only()),
    "dashboard:mission": ({"slug": "mission"}, staff_only()),
    "dashboard:mission_edit": ({"slug": "mission"}, staff_only()),
    "dashboard:mission_transition": ({"slug": "mission"}, every(NOT_ALLOWED)),
    "dashboard:mission_cancel": ({"slug": "mission"}, every(NOT_ALLOWED)),
    "dashboard:programme_add": ({"slug": "mission"}, every(NOT_ALLOWED)),
    "dashboard:programme_edit": ({"slug": "mission", "pk": "programme_item"}, staff_only()),
    "dashboard:programme_delete": ({"slug": "mission", "pk": "programme_item"}, every(NOT_ALLOWED)),
    "dashboard:applications": ({"slug": "mission"}, staff_only()),
    "dashboard:application": ({"slug": "mission", "pk": "application"}, staff_only()),
    "dashboard:registrations": ({"slug": "mission"}, staff_only()),
    "dashboard:operator_import": ({"slug": "mission"}, staff_only()),
    "dashboard:sessions": ({"slug": "mission"}, staff_only()),
    "dashboard:session_edit": ({"slug": "mission", "pk": "session"}, staff_only()),
    "dashboard:session_delete": ({"slug": "mission", "pk": "session"}, every(NOT_ALLOWED)),
    "dashboard:schedule": ({"slug": "mission"}, staff_only()),
    "dashboard:schedule_proposal": ({"slug": "mission", "pk": "proposal"}, staff_only()),
    "dashboard:schedule_publish": ({"slug": "mission", "pk": "proposal"}, every(NOT_ALLOWED)),
    "dashboard:schedule_discard": ({"slug": "mission", "pk": "proposal"}, every(NOT_ALLOWED)),
    "dashboard:cockpit": ({"slug": "b2b"}, staff_only()),
    "dashboard:cockpit_meeting": ({"slug": "b2b", "pk": "meeting"}, staff_only()),
    "dashboard:exports": ({"slug": "mission"}, staff_only()),
    "dashboard:export_csv": ({"slug": "b2b", "kind": "schedule"}, staff_only()),
    "dashboard:export_xlsx": ({"slug": "b2b", "kind": "all"}, staff_only()),
    "dashboard:print_agendas": ({"slug": "b2b", "side": "operator"}, staff_only()),
    "dashboard:print_agenda": (
        {"slug": "b2b", "side": "company", "pk": "other_firm"},
        staff_only(),
    ),
    "dashboard:print_plans": ({"slug": "b2b"}, staff_only()),
    "dashboard:print_plan": ({"slug": "mission", "pk": "session"}, staff_only()),
    "dashboard:print_badges": ({"slug": "b2b"}, staff_only()),
    # Matchmaking pages of a mission in which the role's user takes no part: 403.
    "matchmaking:directory": ({"slug": "b2b"}, participants_only()),
    "matchmaking:party": ({"slug": "b2b", "pk": "other_firm"}, participants_only()),
    "matchmaking:book": ({"slug": "b2b", "pk": "other_firm"}, every(NOT_ALLOWED)),
    "matchmaking:request": ({"slug": "b2b", "pk": "other_firm"}, every(NOT_ALLOWED)),
    "matchmaking:requests": ({"slug": "b2b"}, participants_only()),
    "matchmaking:request_action": ({"slug": "b2b", "pk": "meeting_request"}, every(NOT_ALLOWED)),
    "matchmaking:agenda": ({"slug": "b2b"}, participants_only()),
    "matchmaking:agenda_ics": ({"slug": "b2b"}, participants_only()),
    "matchmaking:meeting_cancel": ({"slug": "b2b", "pk": "meeting"}, every(NOT_ALLOWED)),
    "matchmaking:meeting_move": ({"slug": "b2b", "pk": "meeting"}, participants_only()),
    "matchmaking:availability": ({"slug": "b2b"}, participants_only()),
    "matchmaking:feed": ({"token": "feed"}, every(OK)),  # the secret URL is the key
    "outbox:mission_emails": ({"slug": "mission"}, staff_only()),
    "outbox:email_retry": ({"pk": "email"}, staff_only(NOT_ALLOWED)),
    "matchmaking:attend": ({"token": "attend"}, every(OK)),  # the signed link is the proof
    "matchmaking:feedback": ({"token": "feedback"}, every(OK)),  # the signed link is the proof
    "matchmaking:calendar": (
        {},
        {"anonymous": FOUND, "company": OK, "operator": OK, "staff": FORBIDDEN},
    ),
    "account_login": ({}, anonymous_only()),
    "account_signup": ({}, anonymous_only()),
    "account_request_login_code": ({}, anonymous_only()),
    "account_confirm_login_code": ({}, every(FOUND)),  # nothing pending: back to the start
    "account_logout": ({}, signed_in(OK)),
    "account_inactive": ({}, every(OK)),
    "account_reauthenticate": ({}, signed_in(OK)),
    "account_email": ({}, signed_in(OK)),
    "account_email_verification_sent": ({}, every(OK)),
    "account_confirm_email": ({"key": "not-a-real-key"}, every(OK)),  # "invalid link" page
    "account_change_password": ({}, signed_in(OK)),
    "account_set_password": ({}, every(FOUND)),  # users here always have a password
    "account_reset_password": ({}, every(OK)),
    "account_reset_password_done": ({}, every(OK)),
    "account_reset_password_from_key": ({"uidb36": "zz", "key": "bad-key"}, every(OK)),
    "account_reset_password_from_key_done": ({}, every(OK)),
}


def _url_names(resolver=None, namespace=None):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = pattern.namespace
            ns = ":".join(filter(None, [namespace, inner])) if inner else namespace
            yield from _url_names(pattern, ns)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_has_a_row():
    names = list(_url_names())
    assert None not in names, "every URL pattern must have a name"
    missing, stale = sorted(set(names) - set(URLS)), sorted(set(URLS) - set(names))
    assert not missing and not stale, f"missing rows: {missing}; stale rows: {stale}"


def _login_as(client, role):
    factory = {
        "company": CompanyMemberFactory,
        "operator": OperatorContactFactory,
        "staff": StaffFactory,
    }
    if role != "anonymous":
        client.force_login(factory[role]())


@pytest.fixture
def world(db):
    """Objects that belong to somebody else than the user of the test."""
    mission = MissionFactory(slug="open-mission")
    meeting = MeetingFactory()
    # A meeting of a closed mission, for the feedback link.
    past = MeetingFactory()
    past.mission.status = "closed"
    past.mission.save()
    owner = CompanyMemberFactory(email="owner@other.ma")
    other_member = CompanyMemberFactory(
        email="member@other.ma", company=owner.company, company_role="member"
    )
    return {
        "mission": mission.slug,
        "application": ApplicationFactory(mission=mission, company=owner.company).pk,
        "other_member": other_member.pk,
        "invitation": CompanyInvitation.objects.create(
            company=owner.company, email="new@other.ma", token="tok-" + "x" * 40
        ),
        "programme_item": ProgrammeItemFactory(mission=mission).pk,
        "session": MeetingSessionFactory(mission=mission).pk,
        "proposal": ScheduleProposal.objects.create(mission=mission, status="discarded").pk,
        "b2b": meeting.mission.slug,
        "other_firm": meeting.company.pk,
        "meeting": meeting.pk,
        "meeting_request": MeetingRequest.objects.create(
            mission=meeting.mission,
            company=meeting.company,
            operator=meeting.operator,
            side="company",
        ).pk,
        "feed": calendar_feed_renew(user=owner),
        "email": Email.objects.create(
            key="test:1", mission=mission, to_email="x@other.ma", template="operator_invitation"
        ).pk,
        "attend": SimpleNamespace(
            token=attendance_token(
                meeting, CompanyMemberFactory(company=meeting.company, company_role="member").email
            )
        ),
        "feedback": SimpleNamespace(
            token=feedback_token(past, past.operator.contacts.get().email, "after")
        ),
    }


def _resolve(kwargs, world):
    resolved = {}
    for key, value in kwargs.items():
        target = world.get(value, value)
        resolved[key] = target.token if key == "token" else getattr(target, "pk", target)
    return resolved


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(URLS))
def test_url_answers_role(client, world, name, role):
    kwargs, expected = URLS[name]
    _login_as(client, role)
    response = client.get(reverse(name, kwargs=_resolve(kwargs, world)))
    assert response.status_code == expected[role], f"{name} as {role}"
    # Pages for signed-in users send visitors to the login page (logging out sends them home).
    if role == "anonymous" and expected == signed_in(OK) and name != "account_logout":
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", FOUND), ("company", FOUND), ("operator", FOUND), ("staff", OK)],
)
@pytest.mark.parametrize("path", ["/admin/", "/admin/missions/mission/", "/admin/accounts/user/"])
def test_admin_answers_staff_only(client, path, role, expected):
    _login_as(client, role)
    response = client.get(path)
    assert response.status_code == expected
    if role != "staff":
        # Non-staff are sent to the admin login, which allauth guards (403 for the signed in).
        follow = client.get(response["Location"])
        assert follow.status_code == (FOUND if role == "anonymous" else FORBIDDEN)


@pytest.mark.django_db
def test_every_admin_changelist_opens_for_staff(client, world):
    from django.contrib import admin

    from tests.factories import MeetingFactory

    MeetingFactory()
    staff = StaffFactory()
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
        assert str(model._meta.verbose_name).lower() in response.content.decode().lower(), url
