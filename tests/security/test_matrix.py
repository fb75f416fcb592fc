"""The security matrix: every URL of the project x every role x objects owned by someone else.

Each row names a URL, the objects of the world it points at (``tests/security/world.py``: a
mission, an application, a meeting of firm A with operator X...), the status each role gets on
GET and, for a page that takes a POST, on a POST with a valid CSRF token and no data. A POST (and
a GET, always) by a role that may not change the row leaves every table as it was. A URL without
a row makes ``test_every_url_has_a_row`` fail; a row whose name has ``[variant]`` checks the same
URL with other objects (a draft mission, a bad token...).

Expectations: a number is the status; ``LOGIN`` is a redirect to the login page (with ``next``).
Every GET answer also carries the strict Content-Security-Policy, and no HTML page holds an
inline script or style (which the policy would block). The admin is one namespace, checked in
``test_admin.py`` (it checks staff itself).
"""

import re
from dataclasses import dataclass

import pytest
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.generic import RedirectView

from .world import ROLES, changes, snapshot

OK, FOUND, BAD, FORBIDDEN, NOT_FOUND, NOT_ALLOWED, CONFLICT = 200, 302, 400, 403, 404, 405, 409
UNAUTHORIZED = 401
GONE = 410
STRICT_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
LOGIN = "login"  # 302 to the login page, with the page asked for in ``next``
REAUTH = "reauth"  # 302 to "confirm your password", with the page asked for in ``next``
PARTICIPANTS = ("firm", "other_firm", "operator", "other_operator")


@dataclass(frozen=True)
class Row:
    kwargs: dict
    get: dict
    post: dict | None = None  # None: any answer below 500, and no change unless in ``changes``
    changes: tuple = ()  # roles whose POST (with no data) may write: it is theirs to make


def every(status):
    return dict.fromkeys(ROLES, status)


def signed_in(status=OK):
    return {**every(status), "anonymous": LOGIN}


def anonymous_only(status=OK, others=FOUND):
    return {**every(others), "anonymous": status}


def firms(firm=OK, other_firm=None):
    """Firm pages: company members only."""
    return {
        **every(FORBIDDEN),
        "anonymous": LOGIN,
        "firm": firm,
        "other_firm": firm if other_firm is None else other_firm,
    }


def operators(status=OK):
    return {**every(FORBIDDEN), "anonymous": LOGIN, "operator": status, "other_operator": status}


def staff_only(status=OK):
    return {**every(FORBIDDEN), "anonymous": LOGIN, "staff": status}


def mfa_users(status, others=REAUTH):
    """Pages about a second factor the user has: staff have an authenticator app."""
    return {**every(others), "anonymous": LOGIN, "staff": status}


def participants(firm=OK, other_firm=None, operator=None, other_operator=None):
    """Pages of a mission's matchmaking: its approved firms and confirmed operators; staff 403."""
    firm_b = firm if other_firm is None else other_firm
    op = firm if operator is None else operator
    op_y = op if other_operator is None else other_operator
    return {
        "anonymous": LOGIN,
        "firm": firm,
        "other_firm": firm_b,
        "operator": op,
        "other_operator": op_y,
        "staff": FORBIDDEN,
    }


def post_only(post, changes=(), **kwargs):
    return Row(kwargs, get=every(NOT_ALLOWED), post=post, changes=changes)


M, B2B = {"slug": "open"}, {"slug": "b2b"}
STOP_TOKEN = signing.dumps("+22670123456", salt="outbox.stop", compress=True)
OWNERS = ("firm", "operator")  # firm A and operator X own the meeting and the request

URLS = {
    "home": Row({}, every(OK)),
    "healthz": Row({}, every(OK)),
    "healthz_live": Row({}, every(OK)),
    "healthz_ready": Row({}, every(OK)),
    "set_language": post_only(every(FOUND)),  # no language: nothing set, back to the page
    "missions:list": Row({}, every(OK)),
    "missions:detail": Row(M, every(OK)),
    "missions:detail[draft]": Row({"slug": "draft"}, {**every(NOT_FOUND), "staff": OK}),
    "missions:meet": Row(
        M,
        {**every(FORBIDDEN), "anonymous": OK, "operator": OK, "other_operator": OK},
        post={**every(FORBIDDEN), "anonymous": BAD, "operator": FOUND, "other_operator": FOUND},
        changes=("operator", "other_operator"),  # one click registers the signed-in operator
    ),
    "missions:meet[draft]": Row({"slug": "draft"}, {**every(NOT_FOUND), "staff": FOUND}),
    # Each role to its own space.
    "accounts:home": Row({}, {**every(FOUND), "anonymous": LOGIN}),
    "accounts:profile": Row({}, signed_in(OK), post=signed_in(OK)),
    # The phone part of the profile: a POST of its own (no data: "neither", nothing changes).
    "accounts:mobile": Row({}, {**every(NOT_ALLOWED), "anonymous": LOGIN}, post=signed_in(FOUND)),
    "portal:home": Row({}, firms()),
    "companies:create": Row({}, firms(FOUND)),  # both firms exist: to their edit page
    "companies:edit": Row({}, firms(), post=firms(BAD)),
    "companies:members": Row({}, firms(), post=firms(BAD)),
    "companies:member_remove": post_only(firms(FOUND, NOT_FOUND), changes=("firm",), pk="member_a"),
    "companies:invitation_cancel": post_only(
        firms(FOUND, NOT_FOUND), changes=("firm",), pk="invitation"
    ),
    # Anyone signed in may read an invitation; only its addressee may accept it.
    "companies:invitation_accept": Row(
        {"token": "invitation_token"}, signed_in(OK), post=signed_in(BAD)
    ),
    "portal:apply": Row(M, firms(FOUND, OK), post=firms(FOUND, BAD)),  # A has applied
    "portal:apply[b2b]": Row(B2B, firms(NOT_FOUND)),  # applications are closed
    "portal:application": Row(
        {"pk": "application"}, firms(OK, NOT_FOUND), post=firms(BAD, NOT_FOUND)
    ),
    "portal:withdraw": post_only(firms(FOUND, NOT_FOUND), changes=("firm",), pk="application"),
    "portal:operator_home": Row({}, operators()),
    "operators:profile": Row({}, operators(), post=operators(BAD)),
    "dashboard:index": Row({}, staff_only()),
    "dashboard:mission_create": Row({}, staff_only(), post=staff_only(BAD)),
    "dashboard:operator_duplicates": Row({}, staff_only(), post=staff_only(BAD)),
    "dashboard:mission": Row(M, staff_only()),
    "dashboard:mission[draft]": Row({"slug": "draft"}, staff_only()),
    "dashboard:mission_edit": Row(M, staff_only(), post=staff_only(BAD)),
    "dashboard:mission_transition": post_only(staff_only(BAD), **M),
    "dashboard:mission_cancel": post_only(staff_only(BAD), **M),
    "dashboard:programme_add": post_only(staff_only(BAD), **M),
    "dashboard:programme_edit": Row(
        {**M, "pk": "programme_item"}, staff_only(), post=staff_only(BAD)
    ),
    "dashboard:programme_delete": post_only(
        staff_only(FOUND), changes=("staff",), **M, pk="programme_item"
    ),
    "dashboard:applications": Row(M, staff_only(), post=staff_only(BAD)),
    "dashboard:application": Row({**M, "pk": "application"}, staff_only(), post=staff_only(BAD)),
    "dashboard:registrations": Row(M, staff_only(), post=staff_only(BAD)),
    "dashboard:operator_import": Row(M, staff_only(), post=staff_only(BAD)),
    "dashboard:sessions": Row(M, staff_only(), post=staff_only(BAD)),
    "dashboard:session_edit": Row({**M, "pk": "session"}, staff_only(), post=staff_only(BAD)),
    "dashboard:session_delete": post_only(staff_only(FOUND), changes=("staff",), **M, pk="session"),
    "dashboard:schedule": Row(M, staff_only(), post=staff_only(BAD)),
    "dashboard:schedule_proposal": Row({**M, "pk": "proposal"}, staff_only()),
    # The proposal was discarded: neither publishing nor discarding it again changes anything.
    "dashboard:schedule_publish": post_only(staff_only(CONFLICT), **M, pk="proposal"),
    "dashboard:schedule_discard": post_only(staff_only(CONFLICT), **M, pk="proposal"),
    "dashboard:cockpit": Row(B2B, staff_only()),
    "dashboard:cockpit_meeting": Row(
        {**B2B, "pk": "meeting"},
        staff_only(),
        post=staff_only(BAD),  # no action
    ),
    # A meeting of another mission is not on this mission's grid.
    "dashboard:cockpit_meeting[other]": Row({**B2B, "pk": "past_meeting"}, staff_only(NOT_FOUND)),
    "dashboard:exports": Row(B2B, staff_only()),
    "dashboard:export_csv": Row({**B2B, "kind": "schedule"}, staff_only()),
    "dashboard:export_csv[unknown]": Row({**B2B, "kind": "nothing"}, staff_only(NOT_FOUND)),
    "dashboard:export_xlsx": Row({**B2B, "kind": "participants"}, staff_only()),
    "dashboard:export_xlsx[all]": Row({**B2B, "kind": "all"}, staff_only()),
    "dashboard:print_agendas": Row({**B2B, "side": "company"}, staff_only()),
    "dashboard:print_agendas[operator]": Row({**B2B, "side": "operator"}, staff_only()),
    "dashboard:print_agendas[unknown]": Row({**B2B, "side": "nobody"}, staff_only(NOT_FOUND)),
    "dashboard:print_agenda": Row({**B2B, "side": "operator", "pk": "operator_x"}, staff_only()),
    "dashboard:print_plans": Row(B2B, staff_only()),
    "dashboard:print_plan": Row({**B2B, "pk": "b2b_session"}, staff_only()),
    # A session of another mission is not this mission's plan.
    "dashboard:print_plan[other]": Row({**B2B, "pk": "session"}, staff_only(NOT_FOUND)),
    "dashboard:print_badges": Row(B2B, staff_only()),
    # The mission report, page and PDF (read only).
    "dashboard:report": Row(B2B, staff_only()),
    "dashboard:report[draft]": Row({"slug": "draft"}, staff_only()),
    "dashboard:report_pdf": Row(B2B, staff_only()),
    # Matchmaking of the B2B mission, where A, B, X and Y all take part.
    "matchmaking:directory": Row(B2B, participants()),
    "matchmaking:directory[open]": Row(M, participants(FORBIDDEN)),  # not matchmaking yet
    # Firm A's page is for the operators; a firm looking up another firm finds nothing.
    "matchmaking:party": Row({**B2B, "pk": "firm_a"}, participants(NOT_FOUND, NOT_FOUND, OK, OK)),
    "matchmaking:party[operator]": Row(
        {**B2B, "pk": "operator_x"}, participants(OK, OK, NOT_FOUND, NOT_FOUND)
    ),
    "matchmaking:book": post_only(participants(NOT_FOUND, NOT_FOUND, BAD, BAD), **B2B, pk="firm_a"),
    "matchmaking:request": post_only(
        participants(NOT_FOUND, NOT_FOUND, BAD, BAD), **B2B, pk="firm_a"
    ),
    "matchmaking:requests": Row(B2B, participants()),
    # A's request to X: theirs to answer or withdraw (no action: 409), nobody else's to see.
    "matchmaking:request_action": post_only(
        participants(CONFLICT, NOT_FOUND, CONFLICT, NOT_FOUND), **B2B, pk="meeting_request"
    ),
    "matchmaking:agenda": Row(B2B, participants()),
    "matchmaking:agenda_ics": Row(B2B, participants()),
    # The page that asks first (GET), then the cancellation (POST): the meeting's owners only.
    "matchmaking:meeting_cancel": Row(
        {**B2B, "pk": "meeting"},
        participants(OK, NOT_FOUND, OK, NOT_FOUND),
        post=participants(FOUND, NOT_FOUND, FOUND, NOT_FOUND),
        changes=OWNERS,
    ),
    "matchmaking:meeting_move": Row(
        {**B2B, "pk": "meeting"},
        participants(OK, NOT_FOUND, OK, NOT_FOUND),
        post=participants(CONFLICT, NOT_FOUND, CONFLICT, NOT_FOUND),
    ),
    "matchmaking:availability": Row(
        B2B, participants(), post=participants(FOUND), changes=PARTICIPANTS
    ),
    "matchmaking:feed": Row({"token": "feed"}, every(OK)),  # the secret URL is the key
    "matchmaking:feed[bad]": Row({"token": "no-such-feed"}, every(NOT_FOUND)),
    # The signed link is the proof, whoever holds it: it confirms once.
    "matchmaking:attend": Row({"token": "attend"}, every(OK), post=every(OK), changes=ROLES),
    "matchmaking:attend[bad]": Row({"token": "forged"}, every(BAD), post=every(BAD)),
    "feedback:feedback": Row({"token": "feedback"}, every(OK), post=every(BAD)),
    "feedback:feedback[bad]": Row({"token": "forged"}, every(BAD), post=every(BAD)),
    # WhatsApp and SMS: the stop link is its own proof (GET shows a button, POST stops); the
    # providers' webhooks refuse whatever they have not signed.
    "outbox:stop": Row({"token": STOP_TOKEN}, every(OK), post=every(OK), changes=ROLES),
    "outbox:stop[bad]": Row({"token": "forged"}, every(NOT_FOUND), post=every(NOT_FOUND)),
    "outbox:whatsapp_webhook": Row({}, every(FORBIDDEN), post=every(FORBIDDEN)),
    "outbox:twilio_status": post_only(every(FORBIDDEN)),
    "outbox:twilio_inbound": post_only(every(FORBIDDEN)),
    "matchmaking:calendar": Row(
        {},
        participants(),
        post=participants(FOUND),
        changes=PARTICIPANTS,  # a new private address
    ),
    # The day of the mission (onsite). The app's shell is public; a code is its own proof, for
    # anyone holding it, but the B2B mission is not under way: every scan is refused (410).
    "onsite:home": Row({}, every(OK)),
    "onsite:service_worker": Row({}, every(OK)),
    "onsite:manifest": Row({}, every(OK)),
    "onsite:offline": Row({}, every(OK)),
    "onsite:csrf": Row({}, every(OK)),
    "onsite:badge": Row({**B2B, "token": "onsite_badge"}, every(GONE)),
    "onsite:badge[forged]": Row({**B2B, "token": "forged"}, every(BAD)),
    "onsite:badge[other]": Row({**M, "token": "onsite_badge"}, every(BAD)),  # another mission
    "onsite:meeting": Row({**B2B, "token": "onsite_code"}, every(GONE)),
    "onsite:meeting[forged]": Row({**B2B, "token": "forged"}, every(BAD)),
    "onsite:meeting[other]": Row({**M, "token": "onsite_code"}, every(BAD)),
    "onsite:sync": post_only(every(BAD), **B2B),  # nothing to send
    "onsite:agenda": Row(B2B, participants(FORBIDDEN)),  # not under way
    "onsite:floor": Row(B2B, staff_only(), post=staff_only(BAD)),
    "onsite:board": Row({**B2B, "pk": "b2b_session"}, staff_only()),
    "onsite:board[other]": Row({**B2B, "pk": "session"}, staff_only(NOT_FOUND)),
    "onsite:seat": post_only(staff_only(BAD), **B2B, pk="b2b_session"),
    "onsite:move": post_only(staff_only(FOUND), **B2B, pk="b2b_session", meeting_pk="meeting"),
    "onsite:suspects": Row(B2B, staff_only()),
    "onsite:suspect_settle": post_only(staff_only(FOUND), **B2B, pk="meeting"),
    "audit:trail": Row({}, staff_only()),
    "dashboard:mission_emails": Row(M, staff_only()),
    "dashboard:email_retry": Row(
        {"pk": "email"}, staff_only(NOT_ALLOWED), post=staff_only(FOUND), changes=("staff",)
    ),
    # The API answers a bearer token only (tests/api): a session is no key, whoever holds it.
    # Its schema and documentation page are public.
    "api:api-root": Row({}, every(NOT_FOUND)),  # ninja's root: the documentation is below
    "api:openapi-json": Row({}, every(OK)),
    "api:openapi-view": Row({}, every(OK)),
    "api:missions": Row({}, every(UNAUTHORIZED)),
    "api:mission": Row(M, every(UNAUTHORIZED)),
    "api:programme": Row(M, every(UNAUTHORIZED)),
    "api:firms": Row({}, every(UNAUTHORIZED)),
    "api:operators": Row({}, every(UNAUTHORIZED)),
    "api:meetings": Row({}, every(UNAUTHORIZED)),
    "api:requests": Row({}, every(UNAUTHORIZED)),
    "api:feedback": Row({}, every(UNAUTHORIZED)),
    "api:report": Row(B2B, every(UNAUTHORIZED)),
    "api:meeting_outcome": post_only(every(UNAUTHORIZED), meeting_id="meeting"),
    "api:operators_add": post_only(every(UNAUTHORIZED), **M),
    "api_tokens:list": Row({}, staff_only(), post=staff_only(BAD)),
    "api_tokens:detail": Row({"pk": 999999}, staff_only(NOT_FOUND)),
    "api_tokens:revoke": Row({"pk": 999999}, staff_only(NOT_ALLOWED), post=staff_only(NOT_FOUND)),
    "webhooks:endpoints": Row({}, staff_only(), post=staff_only(BAD)),
    "webhooks:endpoint": Row({"pk": 999999}, staff_only(NOT_FOUND)),
    "webhooks:endpoint_edit": Row(
        {"pk": 999999}, staff_only(NOT_FOUND), post=staff_only(NOT_FOUND)
    ),
    "webhooks:endpoint_secret_rotate": Row(
        {"pk": 999999}, staff_only(NOT_ALLOWED), post=staff_only(NOT_FOUND)
    ),
    "webhooks:endpoint_toggle": Row(
        {"pk": 999999}, staff_only(NOT_ALLOWED), post=staff_only(NOT_FOUND)
    ),
    "webhooks:delivery_retry": Row(
        {"pk": 999999}, staff_only(NOT_ALLOWED), post=staff_only(NOT_FOUND)
    ),
    # Two-factor authentication (allauth.mfa), open to everyone signed in. Changing a factor
    # asks for the password again first (REAUTH): these sessions have not given it lately.
    "mfa_index": Row({}, signed_in(OK), post=signed_in(NOT_ALLOWED)),
    "mfa_authenticate": Row({}, signed_in(FOUND), post=signed_in(FOUND)),  # no login pending
    "mfa_reauthenticate": Row({}, mfa_users(OK), post=mfa_users(OK)),
    "mfa_activate_totp": Row({}, signed_in(REAUTH), post=signed_in(REAUTH)),
    "mfa_deactivate_totp": Row({}, mfa_users(REAUTH, NOT_FOUND), post=mfa_users(REAUTH, NOT_FOUND)),
    "mfa_view_recovery_codes": Row({}, signed_in(NOT_FOUND), post=signed_in(NOT_ALLOWED)),
    "mfa_generate_recovery_codes": Row({}, signed_in(REAUTH), post=signed_in(REAUTH)),
    "mfa_download_recovery_codes": Row({}, signed_in(NOT_FOUND), post=signed_in(NOT_FOUND)),
    "mfa_list_webauthn": Row({}, signed_in(OK), post=signed_in(NOT_ALLOWED)),
    "mfa_add_webauthn": Row({}, signed_in(REAUTH), post=signed_in(REAUTH)),
    "mfa_edit_webauthn": Row({"pk": 999999}, signed_in(REAUTH), post=signed_in(REAUTH)),
    "mfa_remove_webauthn": Row({"pk": 999999}, signed_in(REAUTH), post=signed_in(REAUTH)),
    "mfa_reauthenticate_webauthn": Row({}, signed_in(REAUTH), post=signed_in(REAUTH)),
    # Single sign-on (OpenID Connect): off here, no provider is configured (see
    # tests/accounts/test_sso.py). The connections page only lists them.
    "openid_connect_login": Row({"provider_id": "agency"}, every(NOT_FOUND), post=every(NOT_FOUND)),
    "openid_connect_callback": Row(
        {"provider_id": "agency"}, every(NOT_FOUND), post=every(NOT_FOUND)
    ),
    "socialaccount_connections": Row({}, signed_in(OK), post=signed_in(OK)),
    "socialaccount_login_cancelled": Row({}, every(OK), post=every(NOT_ALLOWED)),
    "socialaccount_login_error": Row({}, every(401), post=every(NOT_ALLOWED)),
    "socialaccount_signup": Row({}, every(LOGIN), post=every(LOGIN)),  # nothing pending
    "account_login": Row({}, anonymous_only(), post=anonymous_only()),
    "account_signup": Row({}, anonymous_only(), post=anonymous_only()),
    "account_request_login_code": Row({}, anonymous_only(), post=anonymous_only()),
    "account_confirm_login_code": Row({}, every(FOUND)),  # nothing pending: back to the start
    "account_logout": Row({}, {**every(OK), "anonymous": FOUND}, post=every(FOUND)),
    "account_inactive": Row({}, every(OK)),
    "account_reauthenticate": Row({}, signed_in(OK), post=signed_in(OK)),
    "account_email": Row({}, signed_in(OK), post=signed_in(FOUND)),  # no action: back
    "account_email_verification_sent": Row({}, every(OK)),
    "account_confirm_email": Row({"key": "not-a-real-key"}, every(OK)),  # "invalid link" page
    "account_change_password": Row({}, signed_in(OK), post=signed_in(OK)),
    "account_set_password": Row({}, {**every(FOUND), "anonymous": LOGIN}),  # all have one
    "account_reset_password": Row({}, every(OK), post=every(OK)),
    "account_reset_password_done": Row({}, every(OK)),
    "account_reset_password_from_key": Row({"uidb36": "zz", "key": "bad-key"}, every(OK)),
    "account_reset_password_from_key_done": Row({}, every(OK)),
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
            if pattern.name is None and _is_legacy_redirect(pattern):
                continue
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def _is_legacy_redirect(pattern) -> bool:
    """allauth's old addresses (/accounts/social/...): permanent redirects to named pages."""
    view_class = getattr(pattern.callback, "view_class", None)
    return view_class is RedirectView and pattern.callback.view_initkwargs.get("pattern_name")


def test_every_url_has_a_row():
    names = list(_url_names())
    assert None not in names, "every URL pattern must have a name"
    rows = {name.split("[")[0] for name in URLS}
    missing, stale = sorted(set(names) - rows), sorted(rows - set(names))
    assert not missing and not stale, f"missing rows: {missing}; stale rows: {stale}"


def _url(world, name, kwargs):
    resolved = {key: world.objects.get(value, value) for key, value in kwargs.items()}
    return reverse(name.split("[")[0], kwargs=resolved)


def _answer(world, role, method, url):
    """One request as ``role``, in a savepoint rolled back afterwards, with what it changed."""
    client = world.client(role, raise_request_exception=True)
    with transaction.atomic():
        response = getattr(client, method)(url)
        changed = changes(world.baseline, snapshot())
        transaction.set_rollback(True)
    cache.clear()  # nothing read or counted in the rolled-back request outlives it
    return response, changed


# A script element without src runs inline, unless it is a JSON data block (never executed).
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", re.IGNORECASE
)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)


def _csp_problems(response) -> list[str]:
    """Every answer carries the strict policy; no page holds inline script or style."""
    problems = []
    policy = dict(
        d.strip().split(" ", 1) for d in response.get("Content-Security-Policy", "").split(";") if d
    )
    for directive, value in STRICT_POLICY.items():
        if policy.get(directive) != value:
            problems.append(f"{directive} is {policy.get(directive)!r}")
    if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
        body = response.content.decode()
        problems += [f"inline script: {m[:80]}" for m in INLINE_SCRIPT.findall(body)]
        problems += [f"inline style: {m!r}" for m in INLINE_STYLE.findall(body)]
    return problems


def _mismatch(expected, response, url):
    if expected in (LOGIN, REAUTH):
        page = reverse("account_login" if expected == LOGIN else "account_reauthenticate")
        location = response.get("Location", "")
        if response.status_code == FOUND and location.startswith(page):
            return None
        return f"{response.status_code} {location!r}, expected {page}"
    if response.status_code != expected:
        return f"{response.status_code}, expected {expected}"
    return None


STAFF_PAGES = sorted(
    name for name, row in URLS.items() if row.get["staff"] not in (FORBIDDEN, NOT_FOUND)
)


@pytest.mark.django_db
def test_staff_without_mfa_is_sent_to_set_it_up(world):
    """Every page of the dashboard and the admin, GET and POST: to the two-factor page, and
    nothing changes."""
    checked = 0
    for name in STAFF_PAGES:
        url = _url(world, name, URLS[name].kwargs)
        if not url.startswith(("/staff/", "/admin/")):
            continue
        for method in ("get", "post"):
            response, changed = _answer(world, "staff_without_mfa", method, url)
            assert (response.status_code, response.get("Location")) == (
                FOUND,
                reverse("mfa_index"),
            ), f"{method} {url}"
            assert not changed, f"{method} {url} changed {changed}"
        checked += 1
    for url in ("/admin/", "/admin/missions/mission/", "/admin/accounts/user/"):
        response, _changed = _answer(world, "staff_without_mfa", "get", url)
        assert response.get("Location") == reverse("mfa_index"), url
    assert checked > 30  # the dashboard's pages were all there


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(URLS))
def test_url_answers_each_role(world, name):
    row = URLS[name]
    url = _url(world, name, row.kwargs)
    problems = []
    for role in ROLES:
        response, changed = _answer(world, role, "get", url)
        if wrong := _mismatch(row.get[role], response, url):
            problems.append(f"GET as {role}: {wrong}")
        if changed:
            problems.append(f"GET as {role} changed {changed}")
        problems += [f"GET as {role}: {p}" for p in _csp_problems(response)]
        response, changed = _answer(world, role, "post", url)
        if row.post is not None and (wrong := _mismatch(row.post[role], response, url)):
            problems.append(f"POST as {role}: {wrong}")
        if response.status_code >= 500:
            problems.append(f"POST as {role}: {response.status_code}")
        if changed and role not in row.changes:
            problems.append(f"POST as {role} changed {changed}")
    assert not problems, f"{url}\n" + "\n".join(problems)
