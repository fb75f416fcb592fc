"""The read API: its schema, who may call what, pagination and "changed since", the fields of
each scope, the writes, the rate limit and the log of uses."""

from datetime import timedelta

import pytest
from django.utils import timezone
from openapi_spec_validator import validate

from api.models import ApiToken, ApiTokenUse
from companies.models import Operator
from matchmaking.models import Meeting, MeetingRequest, Slot
from matchmaking.services import Participant, meeting_cancel, request_create, request_withdraw
from missions.models import OperatorRegistration
from outbox.models import Email
from tests.factories import (
    ApplicationFactory,
    MeetingFactory,
    MeetingSessionFactory,
    MissionFactory,
    ProgrammeItemFactory,
    participants,
)

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
MISSIONS, CONTACTS, OUTCOMES = "missions:read", "contacts:read", "outcomes:read"
ATTENDANCE, OPERATORS = "attendance:write", "operators:write"


@pytest.fixture
def world(db):
    """A mission in scheduling with a firm and an operator who meet once."""
    meeting = MeetingFactory()
    ProgrammeItemFactory(mission=meeting.mission)
    return meeting


def _reads(mission):
    slug = mission.slug
    return [
        (f"{V1}/missions", MISSIONS),
        (f"{V1}/missions/{slug}", MISSIONS),
        (f"{V1}/missions/{slug}/programme", MISSIONS),
        (f"{V1}/firms", MISSIONS),
        (f"{V1}/operators", MISSIONS),
        (f"{V1}/meetings", MISSIONS),
        (f"{V1}/requests", MISSIONS),
        (f"{V1}/feedback", OUTCOMES),
        (f"{V1}/missions/{slug}/report", OUTCOMES),
    ]


# --- The schema and its page ------------------------------------------------------------------


def test_openapi_schema_validates_and_lists_every_operation(client):
    response = client.get(f"{V1}/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    validate(spec)  # raises on an invalid OpenAPI document
    assert set(spec["paths"]) == {
        "/api/v1/missions", "/api/v1/missions/{slug}", "/api/v1/missions/{slug}/programme",
        "/api/v1/firms", "/api/v1/operators", "/api/v1/meetings", "/api/v1/requests",
        "/api/v1/feedback", "/api/v1/missions/{slug}/report",
        "/api/v1/meetings/{meeting_id}/outcome", "/api/v1/missions/{slug}/operators",
    }  # fmt: skip
    assert spec["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    scopes = {
        (path, method): operation["security"][0]["TokenAuth"]
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    }
    assert scopes[("/api/v1/firms", "get")] == [MISSIONS]
    assert scopes[("/api/v1/feedback", "get")] == [OUTCOMES]
    assert scopes[("/api/v1/meetings/{meeting_id}/outcome", "post")] == [ATTENDANCE]
    assert all(len(s) == 1 for s in scopes.values())
    firm = spec["components"]["schemas"]["FirmOut"]["properties"]
    assert "contacts:read" in firm["contacts"]["description"]


def test_docs_page_is_served_from_our_static_files(client):
    response = client.get(f"{V1}/docs")
    body = response.content.decode()
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in body and "/static/ninja/swagger-ui.css" in body
    assert "cdn" not in body.lower() and "http" not in body.replace("http-equiv", "")


# --- Access -----------------------------------------------------------------------------------


def test_every_read_needs_a_token_and_its_scope(world, api_get, make_token):
    everything = make_token(MISSIONS, CONTACTS, OUTCOMES)
    writer = make_token(ATTENDANCE, OPERATORS)
    for url, scope in _reads(world.mission):
        none = api_get(url)
        assert none.status_code == 401, url
        assert none["WWW-Authenticate"] == "Bearer"
        assert "Bearer" in none.json()["detail"]
        assert api_get(url, "mxp_12345678_forged").status_code == 401, url
        assert api_get(url, writer).status_code == 403, url
        other = make_token(OUTCOMES if scope == MISSIONS else MISSIONS)
        refused = api_get(url, other)
        assert refused.status_code == 403 and scope in refused.json()["detail"], url
        assert api_get(url, make_token(scope)).status_code == 200, url
        assert api_get(url, everything).status_code == 200, url


def test_writes_need_their_scope(world, api_post, make_token):
    outcome = f"{V1}/meetings/{world.pk}/outcome"
    operators = f"{V1}/missions/{world.mission.slug}/operators"
    reader = make_token(MISSIONS, CONTACTS, OUTCOMES)
    for url, scope, body in (
        (outcome, ATTENDANCE, {"status": "held"}),
        (operators, OPERATORS, {"operators": []}),
    ):
        assert api_post(url, body).status_code == 401
        assert api_post(url, body, reader).status_code == 403
        other = make_token(OPERATORS if scope == ATTENDANCE else ATTENDANCE)
        assert api_post(url, body, other).status_code == 403
    world.refresh_from_db()
    assert world.status == "confirmed"


def test_an_expired_or_revoked_token_is_refused_and_its_use_logged(world, api_get, make_token):
    raw = make_token(MISSIONS)
    token = ApiToken.objects.get()
    assert api_get(f"{V1}/missions", raw).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=timezone.now() - timedelta(days=2), expires_at=timezone.now() - timedelta(1)
    )
    assert api_get(f"{V1}/missions", raw).status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() + timedelta(days=1), revoked_at=timezone.now()
    )
    assert api_get(f"{V1}/missions?limit=1", raw).status_code == 401
    uses = list(ApiTokenUse.objects.filter(token=token).order_by("pk"))
    assert [(u.method, u.path, u.status) for u in uses] == [
        ("GET", "/api/v1/missions", 200),
        ("GET", "/api/v1/missions", 401),
        ("GET", "/api/v1/missions?limit=1", 401),
    ]
    assert uses[0].ip == "127.0.0.1"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_tokens_are_stored_as_digests_only(make_token):
    raw = make_token(MISSIONS)
    token = ApiToken.objects.get()
    assert raw.startswith(f"mxp_{token.prefix}_") and len(raw) > 40
    assert raw not in (token.digest, token.prefix, token.name)
    assert len(token.digest) == 64 and token.digest != raw


def test_the_rate_limit_is_per_token(world, api_get, make_token, settings):
    settings.API_RATE_LIMIT = 2
    first, second = make_token(MISSIONS), make_token(MISSIONS)
    assert [api_get(f"{V1}/missions", first).status_code for _ in range(3)] == [200, 200, 429]
    refused = api_get(f"{V1}/missions", first)
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60
    assert "Wait" in refused.json()["detail"] or "Attendez" in refused.json()["detail"]
    assert api_get(f"{V1}/missions", second).status_code == 200


# --- Lists ------------------------------------------------------------------------------------


def _all_pages(api_get, url, token, **params):
    seen, pages, cursor = [], 0, None
    while True:
        page = api_get(url, token, **params, **({"cursor": cursor} if cursor else {})).json()
        seen += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return seen, pages


def test_lists_are_paginated_by_cursor(api_get, make_token):
    missions = MissionFactory.create_batch(5)
    raw = make_token(MISSIONS)
    items, pages = _all_pages(api_get, f"{V1}/missions", raw, limit=2)
    assert pages == 3
    assert sorted(i["id"] for i in items) == sorted(m.pk for m in missions)
    bad = api_get(f"{V1}/missions", raw, cursor="not-a-cursor")
    assert bad.status_code == 400 and "cursor" in bad.json()["detail"]
    assert api_get(f"{V1}/missions", raw, limit=500).status_code == 422


def test_a_row_changed_while_paging_is_met_again_not_lost(api_get, make_token):
    first, second, third = MissionFactory.create_batch(3)
    raw = make_token(MISSIONS)
    page = api_get(f"{V1}/missions", raw, limit=2).json()
    assert [i["id"] for i in page["items"]] == [first.pk, second.pk]
    first.title = "Renamed"
    first.save()
    rest = api_get(f"{V1}/missions", raw, limit=2, cursor=page["next_cursor"]).json()
    assert [i["id"] for i in rest["items"]] == [third.pk, first.pk]


def test_changed_since_sees_changes_that_do_not_name_updated_at(world, api_get, make_token):
    raw = make_token(MISSIONS, CONTACTS)
    mission = world.mission
    owner = world.company.members.get()
    contact = world.operator.contacts.get()
    since = timezone.now()

    def changed(kind):
        return [i["id"] for i in api_get(f"{V1}/{kind}", raw, changed_since=since.isoformat())
                .json()["items"]]  # fmt: skip

    assert changed("missions") == changed("meetings") == changed("firms") == []
    ProgrammeItemFactory(mission=mission, title="Visite du technopôle")
    assert changed("missions") == [mission.pk]
    owner.phone = "+212 600 000 000"
    owner.save(update_fields=["phone"])
    assert changed("firms") == [world.company.pk]
    contact.full_name = "Awa Traoré"
    contact.save()
    assert changed("operators") == [world.operator.pk]
    meeting_cancel(meeting=world, by=owner)
    assert changed("meetings") == [world.pk]
    cancelled = api_get(f"{V1}/meetings", raw, changed_since=since.isoformat()).json()["items"]
    assert cancelled[0]["status"] == "cancelled"


def test_changed_since_sees_a_withdrawn_request(api_get, make_token):
    session = MeetingSessionFactory()
    owner, contact = participants(session.mission)
    firm = Participant(mission=session.mission, side="company", company=owner.company)
    request = request_create(
        participant=firm, counterpart=contact.operator, priority=3, message="", by=owner
    )
    raw = make_token(MISSIONS)
    since = timezone.now()
    assert api_get(f"{V1}/requests", raw, changed_since=since.isoformat()).json()["items"] == []
    request_withdraw(request=request, participant=firm)
    items = api_get(f"{V1}/requests", raw, changed_since=since.isoformat()).json()["items"]
    assert [(i["id"], i["status"]) for i in items] == [(request.pk, "withdrawn")]
    assert MeetingRequest.objects.get().updated_at >= since


def test_a_firm_that_leaves_is_listed_as_no_longer_participating(world, api_get, make_token):
    raw = make_token(MISSIONS)
    since = timezone.now()
    application = world.company.applications.get()
    application.status = "withdrawn"
    application.save(update_fields=["status"])
    assert api_get(f"{V1}/firms", raw).json()["items"] == []
    items = api_get(f"{V1}/firms", raw, changed_since=since.isoformat()).json()["items"]
    assert [(i["id"], i["participating"], i["status"]) for i in items] == [
        (world.company.pk, False, "withdrawn")
    ]


def test_lists_filter_by_mission(world, api_get, make_token):
    other = MeetingFactory()
    raw = make_token(MISSIONS)
    for kind in ("meetings", "firms", "operators"):
        items = api_get(f"{V1}/{kind}", raw, mission=world.mission.slug).json()["items"]
        assert {i["mission"] for i in items} == {world.mission.slug}, kind
        assert len(api_get(f"{V1}/{kind}", raw).json()["items"]) == 2, kind
    missing = api_get(f"{V1}/meetings", raw, mission="nowhere")
    assert missing.status_code == 404 and missing.json()["detail"]
    assert other.mission.slug != world.mission.slug


def test_meetings_give_utc_and_the_missions_time(api_get, make_token):
    mission = MissionFactory(timezone="America/Los_Angeles", status="scheduling")
    meeting = MeetingFactory(session=MeetingSessionFactory(mission=mission))
    item = api_get(f"{V1}/meetings", make_token(MISSIONS)).json()["items"][0]
    starts = meeting.slot.starts_at
    assert item["starts_at"] == starts.isoformat().replace("+00:00", "Z")
    local = timezone.localtime(starts, mission.tzinfo)
    assert item["starts_at_local"] == local.isoformat()
    assert item["starts_at_local"].endswith(("-08:00", "-07:00"))
    assert item["timezone"] == "America/Los_Angeles" and item["table"] == meeting.table.number


# --- Scopes and fields ------------------------------------------------------------------------


def test_no_contact_data_without_the_contacts_scope(world, api_get, make_token):
    owner = world.company.members.get()
    bare = api_get(f"{V1}/firms", make_token(MISSIONS)).content.decode()
    assert owner.email not in bare
    firm = api_get(f"{V1}/firms", make_token(MISSIONS)).json()["items"][0]
    assert not {"contacts", "delegates", "delegate_count"} & set(firm)
    operator = api_get(f"{V1}/operators", make_token(MISSIONS)).json()["items"][0]
    assert "contacts" not in operator
    assert world.operator.contacts.get().email not in str(operator)

    full = api_get(f"{V1}/firms", make_token(MISSIONS, CONTACTS)).json()["items"][0]
    assert [c["email"] for c in full["contacts"]] == [owner.email]
    assert full["delegate_count"] == 1 and full["delegates"][0]["role"] == "CEO"
    operator = api_get(f"{V1}/operators", make_token(MISSIONS, CONTACTS)).json()["items"][0]
    assert [c["email"] for c in operator["contacts"]] == [world.operator.contacts.get().email]


def test_lists_take_the_same_queries_for_one_row_and_many(api_get, make_token, queries):
    session = MeetingSessionFactory(tables=10)
    raw = make_token(MISSIONS, CONTACTS)
    MeetingFactory(session=session)
    counts = {k: queries(lambda k=k: api_get(f"{V1}/{k}", raw)) for k in ("firms", "meetings")}
    for _ in range(4):
        MeetingFactory(session=session)
    for kind, count in counts.items():
        assert queries(lambda k=kind: api_get(f"{V1}/{k}", raw)) == count, kind


def test_report_gives_the_dashboards_figures(world, api_get, make_token):
    Slot.objects.filter(pk=world.slot_id).update(
        starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now()
    )
    Meeting.objects.filter(pk=world.pk).update(status="held")
    report = api_get(f"{V1}/missions/{world.mission.slug}/report", make_token(OUTCOMES)).json()
    assert report["totals"]["planned"] == 1 and report["totals"]["held"] == 1
    assert report["meetings_took_place"] == 1 and report["deals"] == 0
    assert set(report["stages"]) == {"after", "3_months", "6_months"}


# --- Writes -----------------------------------------------------------------------------------


def test_a_check_in_system_marks_a_meeting_held(world, api_post, make_token):
    raw = make_token(ATTENDANCE)
    url = f"{V1}/meetings/{world.pk}/outcome"
    early = api_post(url, {"status": "held"}, raw)
    assert early.status_code == 409 and early.json()["detail"]
    Slot.objects.filter(pk=world.slot_id).update(
        starts_at=timezone.now() - timedelta(minutes=5), ends_at=timezone.now() + timedelta(1)
    )
    response = api_post(url, {"status": "no_show"}, raw)
    assert response.status_code == 200 and response.json()["status"] == "no_show"
    world.refresh_from_db()
    assert world.status == "no_show"
    assert api_post(url, {"status": "exploded"}, raw).status_code == 400
    assert api_post(f"{V1}/meetings/999999/outcome", {"status": "held"}, raw).status_code == 404


def _operator(**extra):
    return {
        "name": "Banque Atlantique", "kind": "bank", "country": "CI", "city": "Abidjan",
        "full_name": "Awa Koné", "email": "awa.kone@banque.example", **extra,
    }  # fmt: skip


def test_operators_are_added_by_the_rules_of_the_import(api_post, make_token):
    mission = MissionFactory(status="open")
    raw = make_token(OPERATORS)
    url = f"{V1}/missions/{mission.slug}/operators"
    response = api_post(url, {"operators": [_operator(sectors=[])]}, raw)
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1
    registration = OperatorRegistration.objects.get(mission=mission)
    assert registration.status == "confirmed" and registration.operator.name == "Banque Atlantique"
    assert Email.objects.filter(to_email="awa.kone@banque.example").count() == 1
    again = api_post(url, {"operators": [_operator()]}, raw).json()
    assert again["skipped"] == 1 and OperatorRegistration.objects.count() == 1


def test_one_bad_operator_refuses_the_whole_request(api_post, make_token):
    mission = MissionFactory(status="open")
    url = f"{V1}/missions/{mission.slug}/operators"
    body = {"operators": [_operator(), _operator(email="x@y.example", kind="spaceship")]}
    response = api_post(url, body, make_token(OPERATORS))
    assert response.status_code == 400, response.content
    assert response.json()["rows"][0]["index"] == 1, response.content
    assert "spaceship" in response.json()["rows"][0]["errors"][0]
    assert not Operator.objects.exists()
    closed = MissionFactory(status="closed")
    refused = api_post(
        f"{V1}/missions/{closed.slug}/operators", {"operators": [_operator()]},
        make_token(OPERATORS),
    )  # fmt: skip
    assert refused.status_code == 409 and not Operator.objects.exists()


def test_a_firm_of_another_mission_is_not_listed_there(world, api_get, make_token):
    ApplicationFactory(status="submitted")
    items = api_get(f"{V1}/firms", make_token(MISSIONS)).json()["items"]
    assert [i["id"] for i in items] == [world.company.pk]


def test_missions_give_the_readers_language_and_every_translation(client, make_token):
    mission = MissionFactory(
        title_fr="Mission TIC à Dakar",
        title_en="ICT mission to Dakar",
        title_ar="",
        city_fr="Dakar",
    )
    ProgrammeItemFactory(mission=mission, title_fr="Séminaire", title_en="", title_ar="ندوة")
    raw = make_token(MISSIONS)

    def get(language):
        headers = {"Authorization": f"Bearer {raw}", "Accept-Language": language}
        return client.get(f"{V1}/missions", headers=headers).json()["items"][0]

    french, english, arabic = get("fr"), get("en"), get("ar")
    assert (french["title"], english["title"]) == ("Mission TIC à Dakar", "ICT mission to Dakar")
    assert arabic["title"] == "Mission TIC à Dakar"  # not written in Arabic: French stands in
    assert english["city"] == "Dakar" and english["programme"][0]["title"] == "Séminaire"
    assert english["translations"]["title"] == {
        "fr": "Mission TIC à Dakar",
        "en": "ICT mission to Dakar",
        "ar": "",
    }
    assert english["programme"][0]["translations"]["title"]["ar"] == "ندوة"


def test_contacts_and_delegates_carry_their_role_and_languages(world, api_get, make_token):
    world.company.applications.get().delegates.update(
        languages=["fr", "ar"], other_languages="Tamazight"
    )
    contact = world.operator.contacts.get()
    contact.job_title, contact.languages = "DSI", ["en"]
    contact.save()
    firm = api_get(f"{V1}/firms", make_token(MISSIONS, CONTACTS)).json()["items"][0]
    assert firm["delegates"][0] | {"full_name": ""} == {
        "full_name": "",
        "role": "CEO",
        "languages_spoken": ["fr", "ar"],
        "other_languages": "Tamazight",
    }
    operator = api_get(f"{V1}/operators", make_token(MISSIONS, CONTACTS)).json()["items"][0]
    (found,) = operator["contacts"]
    assert (found["role"], found["languages_spoken"], found["other_languages"]) == (
        "DSI",
        ["en"],
        "",
    )
    bare = api_get(f"{V1}/operators", make_token(MISSIONS)).json()["items"][0]
    assert "DSI" not in str(bare)  # a contact's role is contact data too
