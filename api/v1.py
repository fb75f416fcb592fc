"""The read API, version 1 (``/api/v1/``), with django-ninja: each operation declares its scope
(``TokenAuth``), its answer (``schemas``) and its parameters, from which come the OpenAPI schema
(``/api/v1/openapi.json``) and the browsable page (``/api/v1/docs``: Swagger UI from ninja's own
static files, no CDN, no inline script)."""

import functools
from datetime import UTC, datetime

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Router, Schema, Status
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle
from pydantic import Field

from matchmaking.services import MatchmakingError, meeting_outcome_set
from missions.models import Mission

from . import selectors, serializers, services
from .models import Scope
from .schemas import (
    Error,
    FeedbackPage,
    FirmPage,
    MeetingOut,
    MeetingPage,
    MissionOut,
    MissionPage,
    OperatorPage,
    OperatorsImportOut,
    OperatorsIn,
    OperatorsRefusedOut,
    OutcomeIn,
    ProgrammeItemOut,
    ReportOut,
    RequestPage,
)

DESCRIPTION = """
Read access to the missions of Maroc Export for the agency's own systems (CRM, reporting,
check-in), and two writes.

**Access.** Every request carries a token made by staff in the dashboard
(`Authorization: Bearer mxp_...`). Each operation names the scope it needs: without a valid
token the answer is 401, with a token lacking the scope 403. A token is limited to a number of
requests per minute (429 with `Retry-After` beyond).

**Lists** are paginated by cursor: pass `next_cursor` back as `cursor` until it is null.
`changed_since` (ISO 8601) keeps the rows changed at or after that moment; ask again from the
largest `updated_at` you received, minus a few seconds (a transaction that commits late may
carry a slightly earlier time), and deduplicate by id. With `changed_since`, firms and operators
that left a mission are listed too, with `participating: false`.

**Times** are given in UTC and in the mission's time zone (`*_local`, with the offset).
"""


class TokenAuth(HttpBearer):
    """A token of ``api.models.ApiToken`` that holds ``scope``."""

    def __init__(self, scope: str):
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str):
        found = services.token_find(token)
        request.api_token = found  # logged with the answer, even when refused
        if found is None or not found.is_active:
            return None
        if not found.has_scope(self.scope):
            raise AuthorizationError(
                message=_("This token does not have the scope %(scope)s.") % {"scope": self.scope}
            )
        return found


class TokenThrottle(BaseThrottle):
    def allow_request(self, request: HttpRequest) -> bool:
        allowed, self.remaining = services.rate_allow(token=request.auth)
        return allowed

    def wait(self) -> float:
        return float(self.remaining)


def _log_use(view):
    """Every request that presented a known token is recorded with its answer's status."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        token = getattr(request, "api_token", None)
        if token is not None:
            services.token_use_record(
                token=token,
                method=request.method,
                path=request.get_full_path(),
                status=response.status_code,
                ip=request.META.get("REMOTE_ADDR"),
            )
        return response

    return wrapper


class Api(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Each operation names the scope its token needs, where OpenAPI puts it (the roles of
        its security requirement) and in its description."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for methods in schema["paths"].values():
            for operation in methods.values():
                name = operation.get("operationId", "").removeprefix("api_v1_")
                if scope := OPERATION_SCOPES.get(name):
                    operation["security"] = [{"TokenAuth": [scope]}]
                    note = _("Scope: %(scope)s.") % {"scope": scope}
                    operation["description"] = f"{operation.get('description', '')}\n\n{note}"
        return schema


api = Api(
    title="Maroc Export B2B",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    throttle=[TokenThrottle()],
)
api.add_decorator(_log_use, mode="view")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    response = api.create_response(
        request,
        {"detail": _("A valid API token is needed: Authorization: Bearer <token>.")},
        status=401,
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Throttled)
def _throttled(request, exc):
    return api.create_response(
        request,
        {"detail": _("Too many requests with this token. Wait, then try again.")},
        status=429,
    )


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc):
    return api.create_response(
        request, {"detail": _("Some parameters are not valid."), "errors": exc.errors}, status=422
    )


@api.exception_handler(selectors.CursorError)
def _bad_cursor(request, exc):
    return api.create_response(
        request,
        {"detail": _("This cursor is not valid: use the next_cursor of a page.")},
        status=400,
    )


class Filters(Schema):
    mission: str | None = Field(None, description="A mission's slug")
    changed_since: datetime | None = Field(None, description="ISO 8601; UTC if no offset")
    cursor: str | None = Field(None, description="The next_cursor of the previous page")
    limit: int = Field(50, ge=1, le=selectors.MAX_LIMIT)

    def since(self) -> datetime | None:
        if self.changed_since and timezone.is_naive(self.changed_since):
            return self.changed_since.replace(tzinfo=UTC)
        return self.changed_since


def _mission(slug: str | None) -> Mission | None:
    if slug is None:
        return None
    mission = selectors.mission_by_slug(slug)
    if mission is None:
        raise HttpError(404, _("No mission has this short name."))
    return mission


def _page(rows, filters: Filters, serialize) -> dict:
    page = selectors.paginate(rows, cursor=filters.cursor, limit=filters.limit)
    return {"items": [serialize(row) for row in page.items], "next_cursor": page.next_cursor}


READ = TokenAuth(Scope.READ_MISSIONS)
OUTCOMES = TokenAuth(Scope.READ_OUTCOMES)
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 429: Error}

missions_router = Router(tags=["missions"], auth=READ)


@missions_router.get(
    "/missions", response={200: MissionPage, **ERRORS}, url_name="missions", exclude_unset=True
)
def missions_list(request, filters: Query[Filters]):
    """Every mission, whatever its status (`mission` is ignored)."""
    return _page(selectors.missions(since=filters.since()), filters, serializers.mission)


@missions_router.get(
    "/missions/{slug:slug}", response={200: MissionOut, **ERRORS}, url_name="mission"
)
def mission_detail(request, slug: str):
    return serializers.mission(_mission(slug))


@missions_router.get(
    "/missions/{slug:slug}/programme",
    response={200: list[ProgrammeItemOut], **ERRORS},
    url_name="programme",
)
def mission_programme(request, slug: str):
    """The whole programme, in order (it is short: no pagination)."""
    mission = _mission(slug)
    return [serializers.programme_item(item, mission) for item in mission.programme.all()]


@missions_router.get(
    "/firms", response={200: FirmPage, **ERRORS}, url_name="firms", exclude_unset=True
)
def firms_list(request, filters: Query[Filters]):
    """The approved firms of the missions; their contacts and delegates with `contacts:read`."""
    contacts = request.auth.has_scope(Scope.READ_CONTACTS)
    rows = selectors.firms(
        mission=_mission(filters.mission), since=filters.since(), contacts=contacts
    )
    return _page(rows, filters, functools.partial(serializers.firm, contacts=contacts))


@missions_router.get(
    "/operators", response={200: OperatorPage, **ERRORS}, url_name="operators", exclude_unset=True
)
def operators_list(request, filters: Query[Filters]):
    """The confirmed operators of the missions; their contacts with `contacts:read`."""
    contacts = request.auth.has_scope(Scope.READ_CONTACTS)
    rows = selectors.operators(
        mission=_mission(filters.mission), since=filters.since(), contacts=contacts
    )
    return _page(rows, filters, functools.partial(serializers.operator, contacts=contacts))


@missions_router.get("/meetings", response={200: MeetingPage, **ERRORS}, url_name="meetings")
def meetings_list(request, filters: Query[Filters]):
    """Every meeting, cancelled ones included (their status says it)."""
    rows = selectors.meetings(mission=_mission(filters.mission), since=filters.since())
    return _page(rows, filters, serializers.meeting)


@missions_router.get("/requests", response={200: RequestPage, **ERRORS}, url_name="requests")
def requests_list(request, filters: Query[Filters]):
    """Meeting requests: who asked whom, with which priority, and the answer."""
    rows = selectors.requests(mission=_mission(filters.mission), since=filters.since())
    return _page(rows, filters, serializers.meeting_request)


outcomes_router = Router(tags=["outcomes"], auth=OUTCOMES)


@outcomes_router.get("/feedback", response={200: FeedbackPage, **ERRORS}, url_name="feedback")
def feedback_list(request, filters: Query[Filters]):
    """The participants' answers after the mission, 3 and 6 months later."""
    rows = selectors.feedback(mission=_mission(filters.mission), since=filters.since())
    return _page(rows, filters, serializers.feedback)


@outcomes_router.get(
    "/missions/{slug:slug}/report", response={200: ReportOut, **ERRORS}, url_name="report"
)
def mission_report(request, slug: str):
    """The figures of the mission report (as the staff dashboard's report page)."""
    from feedback.report import mission_report as build

    return serializers.report(build(mission=_mission(slug)))


writes_router = Router(tags=["writes"])


@writes_router.post(
    "/meetings/{int:meeting_id}/outcome",
    auth=TokenAuth(Scope.WRITE_ATTENDANCE),
    response={**ERRORS, 200: MeetingOut, 409: Error},
    url_name="meeting_outcome",
)
def meeting_outcome(request, meeting_id: int, data: OutcomeIn):
    """Mark a meeting held or a no-show (a check-in system), or `confirmed` to take it back."""
    meeting = selectors.meetings(mission=None, since=None).filter(pk=meeting_id).first()
    if meeting is None:
        raise HttpError(404, _("No meeting has this id."))
    if data.status not in ("held", "no_show", "confirmed"):
        raise HttpError(400, _("The status must be held, no_show or confirmed."))
    try:
        meeting = meeting_outcome_set(
            meeting=meeting, status=data.status, by=request.auth.created_by
        )
    except MatchmakingError as exc:
        raise HttpError(409, str(exc)) from exc
    return serializers.meeting(selectors.meetings(mission=None, since=None).get(pk=meeting.pk))


@writes_router.post(
    "/missions/{slug:slug}/operators",
    auth=TokenAuth(Scope.WRITE_OPERATORS),
    response={**ERRORS, 200: OperatorsImportOut, 400: OperatorsRefusedOut, 409: Error},
    url_name="operators_add",
)
def operators_add(request, slug: str, data: OperatorsIn):
    """Add operators to a mission by the rules of the spreadsheet import: each is created with
    its contact (or found by the contact's e-mail), registered as confirmed and invited by
    e-mail. All or nothing: a row that breaks a rule refuses the whole request (400)."""
    from missions.operator_import import ImportFileError
    from missions.services import MissionError

    mission = _mission(slug)
    if not data.operators:
        raise HttpError(400, _("Send at least one operator."))
    try:
        counts, rows = services.operators_add(
            mission=mission,
            operators=[o.dict() for o in data.operators],
            by=request.auth.created_by,
        )
    except services.OperatorRowsError as exc:
        return Status(
            400,
            {
                "detail": _("Some operators are not valid: nothing was imported."),
                "rows": [{"index": i, "errors": errors} for i, errors in exc.rows],
            },
        )
    except ImportFileError as exc:
        raise HttpError(400, str(exc)) from exc
    except MissionError as exc:
        raise HttpError(409, str(exc)) from exc
    return {**counts, "rows": rows}


# The scope of each operation, as its auth declares it (checked by the tests).
OPERATION_SCOPES = {
    "missions_list": Scope.READ_MISSIONS,
    "mission_detail": Scope.READ_MISSIONS,
    "mission_programme": Scope.READ_MISSIONS,
    "firms_list": Scope.READ_MISSIONS,
    "operators_list": Scope.READ_MISSIONS,
    "meetings_list": Scope.READ_MISSIONS,
    "requests_list": Scope.READ_MISSIONS,
    "feedback_list": Scope.READ_OUTCOMES,
    "mission_report": Scope.READ_OUTCOMES,
    "meeting_outcome": Scope.WRITE_ATTENDANCE,
    "operators_add": Scope.WRITE_OPERATORS,
}

api.add_router("/", missions_router)
api.add_router("/", outcomes_router)
api.add_router("/", writes_router)
