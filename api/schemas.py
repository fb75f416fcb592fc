"""What the API answers, as Pydantic schemas: they validate the answers and document them in
the OpenAPI schema. A field outside the token's scope is not sent at all (the operations answer
with ``exclude_unset``): it is absent, not empty."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from core.languages import SpokenLanguage


class Error(Schema):
    detail: str = Field(description="What went wrong, in the language asked (French first).")


class ProgrammeItemOut(Schema):
    id: int
    kind: str
    title: str
    starts_at: datetime = Field(description="UTC")
    ends_at: datetime = Field(description="UTC")
    starts_at_local: datetime = Field(description="In the mission's time zone, with its offset")
    ends_at_local: datetime
    place: str
    description: str
    translations: dict[str, dict[str, str]] = Field(
        description="Each translated text in every content language (fr, en, ar), empty where "
        "not written. The plain fields give the request's language (Accept-Language), or the "
        "first language written in the order fr, en, ar."
    )


class MissionOut(Schema):
    id: int
    slug: str
    title: str
    city: str
    country: str = Field(description="ISO 3166-1 alpha-2")
    timezone: str = Field(description="IANA time zone of the mission")
    start_date: date | None
    end_date: date | None
    status: str
    description: str
    partners: list[str]
    capacity: int | None
    updated_at: datetime
    programme: list[ProgrammeItemOut]
    translations: dict[str, dict[str, str]] = Field(
        description="Each translated text in every content language (fr, en, ar), empty where "
        "not written. The plain fields give the request's language (Accept-Language), or the "
        "first language written in the order fr, en, ar."
    )


class MissionPage(Schema):
    items: list[MissionOut]
    next_cursor: str | None = Field(description="Pass it as `cursor` for the next page; null: last")


SPOKEN = (
    "Languages the person can hold a meeting in: codes among "
    + ", ".join(SpokenLanguage.values)
    + "; other_languages: free text for a language missing from that list"
)


class ContactOut(Schema):
    full_name: str
    email: str
    phone: str
    language: str = Field(description="Language of the site and of the e-mails")
    role: str = Field("", description="The contact's role (job title)")
    languages_spoken: list[str] = Field(default_factory=list, description=SPOKEN)
    other_languages: str = ""


class DelegateOut(Schema):
    full_name: str
    role: str
    languages_spoken: list[str] = Field(default_factory=list, description=SPOKEN)
    other_languages: str = ""


class FirmOut(Schema):
    application_id: int
    mission: str = Field(description="The mission's slug")
    participating: bool = Field(description="Approved for the mission (false: it left)")
    status: str
    id: int = Field(description="The firm's id")
    legal_name: str
    trade_name: str
    ice: str
    city: str
    website: str
    size_band: str
    sectors: list[str] = Field(description="Sector codes")
    objectives: list[str]
    delegate_count: int | None = Field(None, description="Scope contacts:read")
    delegates: list[DelegateOut] | None = Field(None, description="Scope contacts:read")
    contacts: list[ContactOut] | None = Field(None, description="Scope contacts:read")
    updated_at: datetime = Field(description="Latest change of the application or the firm")


class FirmPage(Schema):
    items: list[FirmOut]
    next_cursor: str | None


class OperatorOut(Schema):
    registration_id: int
    mission: str
    participating: bool = Field(description="Confirmed for the mission (false: it left)")
    status: str
    id: int = Field(description="The operator's id")
    name: str
    kind: str
    country: str
    city: str
    website: str
    sectors: list[str]
    needs: str
    contacts: list[ContactOut] | None = Field(None, description="Scope contacts:read")
    updated_at: datetime


class OperatorPage(Schema):
    items: list[OperatorOut]
    next_cursor: str | None


class MeetingOut(Schema):
    id: int
    mission: str
    firm_id: int
    operator_id: int
    status: str
    origin: str
    starts_at: datetime = Field(description="UTC")
    ends_at: datetime = Field(description="UTC")
    timezone: str = Field(description="The mission's IANA time zone")
    starts_at_local: datetime = Field(description="In the mission's time zone, with its offset")
    ends_at_local: datetime
    table: int
    place: str
    locked: bool
    firm_confirmed: bool
    operator_confirmed: bool
    cancel_reason: str
    updated_at: datetime


class MeetingPage(Schema):
    items: list[MeetingOut]
    next_cursor: str | None


class RequestOut(Schema):
    id: int
    mission: str
    firm_id: int
    operator_id: int
    asked_by: str = Field(description="company or operator")
    priority: int = Field(description="1 nice to have, 2 important, 3 essential")
    status: str
    created_at: datetime
    responded_at: datetime | None
    updated_at: datetime


class RequestPage(Schema):
    items: list[RequestOut]
    next_cursor: str | None


class FeedbackOut(Schema):
    id: int
    mission: str
    meeting_id: int
    side: str
    stage: str
    rating: int | None
    outcome: str
    estimated_value: Decimal | None = Field(description="Moroccan dirhams")
    comment: str
    created_at: datetime
    updated_at: datetime


class FeedbackPage(Schema):
    items: list[FeedbackOut]
    next_cursor: str | None


class FiguresOut(Schema):
    planned: int
    held: int
    no_show: int
    cancelled: int
    confirmed: int
    not_recorded: int
    deals: int
    deal_value: Decimal
    answers: dict[str, int] = Field(description="Answers per stage, both sides")


class GroupOut(Schema):
    key: str
    label: str
    figures: FiguresOut


class StageOut(Schema):
    answers: int
    outcomes: dict[str, int]
    average_rating: float | None
    deal_value: Decimal


class ReportOut(Schema):
    mission: str
    generated_at: datetime
    totals: FiguresOut
    meetings_took_place: int
    answers: int
    average_rating: float | None
    deals: int
    deal_value: Decimal
    stages: dict[str, StageOut]
    sectors: list[GroupOut]
    countries: list[GroupOut]


class OutcomeIn(Schema):
    status: str = Field(description="held or no_show")


class OperatorIn(Schema):
    name: str
    kind: str = Field(description="A kind's code or its French or English name")
    country: str = Field(description="ISO code or name")
    city: str
    website: str = ""
    sectors: list[str] = Field(default_factory=list, description="Sector codes or names")
    needs: str = ""
    full_name: str = Field(description="The contact's name")
    email: str
    phone: str = ""
    language: str = "fr"


class OperatorsIn(Schema):
    operators: list[OperatorIn] = Field(max_length=500)


class RowErrorOut(Schema):
    index: int = Field(description="Position in `operators`, from 0")
    errors: list[str]


class OperatorsImportOut(Schema):
    created: int
    registered: int
    skipped: int
    rows: list[dict[str, str]] = Field(description="What happened to each row: action and note")


class OperatorsRefusedOut(Schema):
    detail: str
    rows: list[RowErrorOut]
