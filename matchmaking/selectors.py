"""Reads of matchmaking, each in a fixed number of queries whatever the size of the mission."""

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime

from django.db import connection
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from accounts.models import User
from companies.models import Company, Operator, OperatorKind, Sector
from core import cache
from core.languages import spoken
from core.translation import translated
from missions.models import (
    MATCHMAKING_VISIBLE_STATUSES,
    Application,
    Mission,
    OperatorRegistration,
)

from .models import (
    Meeting,
    MeetingRequest,
    MeetingStatus,
    RequestStatus,
    Side,
    Slot,
    Unavailability,
)
from .scoring import FirmProfile, Match, OperatorProfile, compatibility, shared_languages
from .services import Participant


def mission_by_slug(slug: str) -> Mission:
    """The mission of a participant's page (Http404 if there is none)."""
    return get_object_or_404(Mission, slug=slug)


def participant_for(*, user, mission: Mission) -> Participant | None:
    """The firm (approved) or operator (confirmed) that ``user`` represents in ``mission``."""
    if not user.is_authenticated or user.is_staff:
        return None
    found = cache.cached(
        f"participant:{user.company_id}:{user.operator_id}",
        lambda: _participant_for(user=user, mission=mission) or False,
        mission_id=mission.pk,
    )
    # The caller's mission, so that every part of the page sees the same one.
    return replace(found, mission=mission) if found else None


def not_participant_reason(*, user, mission: Mission) -> str:
    """Why ``user`` cannot see the directory, requests and agenda of ``mission`` yet, and what
    comes next, in the user's own terms (the page that refuses says it)."""
    open_now = mission.status in MATCHMAKING_VISIBLE_STATUSES
    later = _(
        "The directory of the mission opens when the agency starts scheduling the meetings, "
        "once the delegation is selected."
    )
    if user.is_staff:
        return _("Agency staff follow the meetings of a mission from the staff dashboard.")
    if user.operator_id:
        registration = OperatorRegistration.objects.filter(
            mission=mission, operator_id=user.operator_id
        ).first()
        status = registration.status if registration else None
        if status == OperatorRegistration.Status.PENDING:
            return _(
                "The agency is checking your organisation's registration for this mission. You "
                "will receive an e-mail once it is confirmed; you can then browse the delegation "
                "and book meetings."
            ) + ("" if open_now else " " + later)
        if status == OperatorRegistration.Status.CONFIRMED:
            return later
        if status is None:
            return _(
                "Your organisation is not registered for this mission: register it from the "
                "mission's page to meet the delegation."
            )
        return _(
            "Your organisation's registration for this mission was not confirmed. Contact the "
            "agency if you think this is a mistake."
        )
    if user.company_id:
        application = Application.objects.filter(
            mission=mission, company_id=user.company_id
        ).first()
        status = application.status if application else None
        if status == Application.Status.APPROVED:
            return later
        if status in (Application.Status.SUBMITTED, Application.Status.WAITLISTED):
            return _(
                "The agency has not selected your firm for this mission yet. You will receive an "
                "e-mail once it decides; the firms selected can then book their meetings."
            )
        if status is None:
            return _("Your firm has not applied to this mission.")
        return _("Your firm is not part of the delegation of this mission.")
    return _("Only the firms of the delegation and the confirmed operators meet in this mission.")


def _participant_for(*, user, mission: Mission) -> Participant | None:
    if user.company_id:
        application = (
            Application.objects.filter(
                mission=mission, company_id=user.company_id, status=Application.Status.APPROVED
            )
            .select_related("company")
            .prefetch_related("delegates", "company__sectors")
            .first()
        )
        if application:
            return Participant(
                mission=mission,
                side=Side.COMPANY,
                company=application.company,
                application=application,
            )
    if user.operator_id:
        registration = (
            OperatorRegistration.objects.filter(
                mission=mission,
                operator_id=user.operator_id,
                status=OperatorRegistration.Status.CONFIRMED,
            )
            .select_related("operator")
            .prefetch_related("operator__sectors", "operator__contacts")
            .first()
        )
        if registration:
            return Participant(mission=mission, side=Side.OPERATOR, operator=registration.operator)
    return None


def delegation(*, mission: Mission) -> QuerySet[Company]:
    return Company.objects.filter(
        applications__mission=mission, applications__status=Application.Status.APPROVED
    ).prefetch_related(
        "sectors",
        Prefetch(
            "applications",
            queryset=Application.objects.filter(mission=mission).prefetch_related("delegates"),
            to_attr="mission_applications",
        ),
    )


def confirmed_operators(*, mission: Mission) -> QuerySet[Operator]:
    return Operator.objects.filter(
        registrations__mission=mission,
        registrations__status=OperatorRegistration.Status.CONFIRMED,
    ).prefetch_related("sectors", "contacts")


def operator_countries(*, mission: Mission) -> list[tuple[str, str]]:
    """The countries of the mission's confirmed operators, for the directory's filter."""

    def build():
        codes = (
            confirmed_operators(mission=mission)
            .order_by()  # the default ordering would make every operator a distinct row
            .values_list("country", flat=True)
            .distinct()
        )
        return sorted(((c, countries.name(c)) for c in codes), key=lambda pair: pair[1])

    return cache.cached("operator-countries", build, mission_id=mission.pk, per_language=True)


def sector_names() -> dict[str, str]:
    """Sector names in the active language, by slug."""
    return cache.cached(
        "sector-names", lambda: {s.slug: s.name for s in Sector.objects.all()}, per_language=True
    )


def delegates_languages(application: Application | None) -> frozenset[str]:
    """What the firm's delegates to the mission speak, together (delegates prefetched)."""
    if application is None:
        return frozenset()
    return frozenset().union(
        *(spoken(d.languages, d.other_languages) for d in application.delegates.all())
    )


def active_contacts(operator: Operator) -> list:
    """The operator's contacts who can still log in (``contacts`` prefetched)."""
    return [c for c in operator.contacts.all() if c.is_active]


def contacts_languages(operator: Operator) -> frozenset[str]:
    """What the operator's contacts speak, together (contacts prefetched)."""
    return frozenset().union(
        *(spoken(c.languages, c.other_languages) for c in active_contacts(operator))
    )


def firm_profile(company: Company, application: Application | None) -> FirmProfile:
    return FirmProfile(
        sectors=frozenset(s.slug for s in company.sectors.all()),
        objectives=frozenset(application.objectives if application else []),
        offer=company.offer,
        languages=delegates_languages(application),
    )


def operator_profile(operator: Operator) -> OperatorProfile:
    return OperatorProfile(
        sectors=frozenset(s.slug for s in operator.sectors.all()),
        kind=operator.kind,
        needs=operator.needs,
        languages=contacts_languages(operator),
    )


@dataclass
class DirectoryEntry:
    party: object  # a Card in the directory; the Company or Operator on its own page
    match: Match
    asked: bool = False  # the viewer asked to meet them
    asked_by_them: bool = False
    meeting_start: datetime | None = None  # the start of their meeting, if they have one

    @property
    def mutual(self) -> bool:
        return self.asked and self.asked_by_them


def party_links(*, participant: Participant) -> dict:
    """Whom the viewer asked, who asked the viewer, and whom the viewer meets (and when)."""
    mission = participant.mission
    side, org = participant.side, participant.organisation

    def build():
        mine = Q(company=org) if side == Side.COMPANY else Q(operator=org)
        key = "operator_id" if side == Side.COMPANY else "company_id"
        requests = list(
            MeetingRequest.objects.filter(mine, mission=mission)
            .exclude(status=RequestStatus.WITHDRAWN)
            .values_list(key, "side")
        )
        return {
            "asked": {other for other, s in requests if s == side},
            "asked_by_them": {other for other, s in requests if s != side},
            "meetings": dict(
                Meeting.objects.filter(mine, mission=mission)
                .exclude(status=MeetingStatus.CANCELLED)
                .order_by()
                .values_list(key, "slot__starts_at")
            ),
        }

    return cache.cached(
        f"links:{side}:{org.pk}", build, mission_id=mission.pk, scopes=[cache.party(side, org.pk)]
    )


def participant_profile(participant: Participant) -> FirmProfile | OperatorProfile:
    """The viewer's own profile (sectors, contacts and delegates prefetched by
    ``participant_for``)."""
    if participant.side == Side.COMPANY:
        return firm_profile(participant.company, participant.application)
    return operator_profile(participant.operator)


def _entry(participant, viewer, links, party, profile) -> DirectoryEntry:
    firm_reads = participant.side == Side.COMPANY
    return DirectoryEntry(
        party=party,
        match=compatibility(viewer, profile) if firm_reads else compatibility(profile, viewer),
        asked=party.pk in links["asked"],
        asked_by_them=party.pk in links["asked_by_them"],
        meeting_start=links["meetings"].get(party.pk),
    )


@dataclass(frozen=True)
class Card:
    """A firm or operator as the directory lists it, the same for every reader of a side."""

    pk: int
    name: str
    detail: str  # the operator's kind and city, or the firm's city
    logo: str  # the logo's URL, or ""
    url: str  # its booking page
    profile: FirmProfile | OperatorProfile
    text: str  # what the search looks in (names, offer or needs), casefolded
    kind: str = ""
    country: str = ""
    city: str = ""

    def __str__(self):
        return self.name


def directory_cards(*, mission: Mission, side: str) -> list[Card]:
    """The other side of the mission for readers of ``side``, read once for all of them."""

    def build():
        party_url = reverse("matchmaking:party", args=[mission.slug, 0])
        if side == Side.OPERATOR:
            return [
                Card(
                    pk=firm.pk,
                    name=str(firm),
                    detail=firm.city,
                    logo=firm.logo.url if firm.logo else "",
                    url=with_pk(party_url, firm.pk),
                    profile=firm_profile(firm, firm.mission_applications[0]),
                    text=" ".join((firm.legal_name, firm.trade_name, firm.offer)).casefold(),
                    city=firm.city,
                )
                for firm in delegation(mission=mission).distinct()
            ]
        return [
            Card(
                pk=operator.pk,
                name=operator.name,
                detail=f"{operator.get_kind_display()} · {operator.city}",
                logo="",
                url=with_pk(party_url, operator.pk),
                profile=operator_profile(operator),
                text=" ".join((operator.name, operator.needs)).casefold(),
                kind=operator.kind,
                country=str(operator.country),
                city=operator.city,
            )
            for operator in confirmed_operators(mission=mission).distinct()
        ]

    return cache.cached(f"cards:{side}", build, mission_id=mission.pk, per_language=True)


def _shown(card: Card, filters: dict) -> bool:
    search = filters.get("q", "").strip().casefold()
    return (
        (not search or search in card.text)
        and (not filters.get("kind") or card.kind == filters["kind"])
        and (not filters.get("country") or card.country == filters["country"])
        and (not filters.get("city") or card.city.casefold() == filters["city"].casefold())
        and (not filters.get("sector") or filters["sector"] in card.profile.sectors)
    )


def directory(*, participant: Participant, filters: dict) -> list[DirectoryEntry]:
    """The other side of the mission that ``filters`` keep (search, sector, city; the firms
    also filter operators by kind and country), best matches first."""
    viewer, links = participant_profile(participant), party_links(participant=participant)
    entries = [
        _entry(participant, viewer, links, card, card.profile)
        for card in directory_cards(mission=participant.mission, side=participant.side)
        if _shown(card, filters)
    ]
    entries.sort(key=lambda e: (-e.match.score, e.party.name.casefold()))
    return entries


def directory_entry(*, participant: Participant, party) -> DirectoryEntry:
    """The directory line of one firm or operator (for its page)."""
    if participant.side == Side.COMPANY:
        profile = operator_profile(party)
    else:
        profile = firm_profile(party, party.mission_applications[0])
    links = party_links(participant=participant)
    return _entry(participant, participant_profile(participant), links, party, profile)


def counterpart(*, participant: Participant, pk: int):
    """The firm or operator of the other side if it takes part in the mission (else
    DoesNotExist)."""
    found = cache.cached(
        f"counterpart:{participant.side}:{pk}",
        lambda: _counterpart_or_false(participant, pk),
        mission_id=participant.mission.pk,
    )
    if found is False:
        raise Operator.DoesNotExist if participant.side == Side.COMPANY else Company.DoesNotExist
    return found


def _counterpart_or_false(participant: Participant, pk: int):
    try:
        return _counterpart(participant, pk)
    except (Application.DoesNotExist, Company.DoesNotExist, Operator.DoesNotExist):
        return False


def _counterpart(participant: Participant, pk: int):
    if participant.side == Side.OPERATOR:
        application = (
            Application.objects.select_related("company")
            .prefetch_related("delegates", "company__sectors")
            .get(mission=participant.mission, company_id=pk, status=Application.Status.APPROVED)
        )
        company = application.company
        company.mission_applications = [application]
        return company
    return confirmed_operators(mission=participant.mission).get(pk=pk)


@dataclass
class FreeSlot:
    pk: int
    starts_at: datetime
    day: date  # in the mission's time zone
    label: str  # "09:00–09:30", local time of the mission
    tables_left: int


def mission_slots(*, mission: Mission) -> list[dict]:
    """Every slot of the mission with its local label and its number of tables (these change
    with the sessions only, so this stays cached while meetings are booked)."""

    def build():
        zone = mission.tzinfo
        rows = Slot.objects.filter(mission=mission).order_by("starts_at")
        return [
            {
                "pk": pk,
                "starts_at": start,
                "tables": tables,
                "day": start.astimezone(zone).date(),
                "label": f"{start.astimezone(zone):%H:%M}–{end.astimezone(zone):%H:%M}",
            }
            for pk, start, end, tables in rows.values_list(
                "pk", "starts_at", "ends_at", "session__tables"
            )
        ]

    return cache.cached("slots", build, mission_id=mission.pk)


# The two reads that every booking renews, in SQL: Django took longer to build these queries
# than PostgreSQL to run them, on the page that a booking load keeps rebuilding.
TABLES_TAKEN_SQL = """
SELECT slot_id, COUNT(*) FROM {meeting}
WHERE mission_id = %(mission)s AND status <> %(cancelled)s
GROUP BY slot_id
"""
PARTY_BUSY_SQL = """
SELECT slot_id, 0 FROM {meeting}
WHERE mission_id = %(mission)s AND {party} = %(pk)s AND status <> %(cancelled)s
UNION ALL
SELECT u.slot_id, 1 FROM {unavailability} u JOIN {slot} s ON s.id = u.slot_id
WHERE s.mission_id = %(mission)s AND u.{party} = %(pk)s
"""
PARTY_COLUMNS = {Side.COMPANY: "company_id", Side.OPERATOR: "operator_id"}


def _rows(sql: str, params: dict, **names: str) -> list[tuple]:
    """The rows of one of the queries above; ``{meeting}``, ``{slot}``, ``{unavailability}``
    name the models' tables, ``names`` give columns (never user input)."""
    quote = connection.ops.quote_name
    tables = {
        "meeting": quote(Meeting._meta.db_table),
        "slot": quote(Slot._meta.db_table),
        "unavailability": quote(Unavailability._meta.db_table),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql.format(**tables, **names), params)
        return cursor.fetchall()


def tables_taken(*, mission: Mission) -> dict[int, int]:
    """How many tables are taken in each slot of the mission (renewed by every booking)."""

    def build():
        params = {"mission": mission.pk, "cancelled": MeetingStatus.CANCELLED.value}
        return dict(_rows(TABLES_TAKEN_SQL, params))

    return cache.cached("tables-taken", build, mission_id=mission.pk, scopes=[cache.ACTIVITY])


def party_busy(*, mission: Mission, side: str, pk: int) -> tuple[Counter, set]:
    """Meetings per slot of one firm or operator, and the slots it marked unavailable (one
    query; renewed when this party's meetings or availability change)."""

    def build():
        params = {"mission": mission.pk, "pk": pk, "cancelled": MeetingStatus.CANCELLED.value}
        busy, blocked = Counter(), set()
        for slot_id, away in _rows(PARTY_BUSY_SQL, params, party=PARTY_COLUMNS[side]):
            if away:
                blocked.add(slot_id)
            else:
                busy[slot_id] += 1
        return busy, blocked

    return cache.cached(
        f"busy:{side}:{pk}", build, mission_id=mission.pk, scopes=[cache.party(side, pk)]
    )


def free_slots(
    *, mission: Mission, company: Company, operator: Operator, application: Application
) -> list[FreeSlot]:
    """Future slots where the firm has a free delegate, the operator is free, neither side is
    unavailable, and a table is left. Made of cached pieces that many pages share: the slots,
    the tables taken, each party's busy slots."""
    firm_busy, firm_blocked = party_busy(mission=mission, side=Side.COMPANY, pk=company.pk)
    operator_busy, operator_blocked = party_busy(
        mission=mission, side=Side.OPERATOR, pk=operator.pk
    )
    delegates = len(application.delegates.all())
    taken = tables_taken(mission=mission)
    now = timezone.now()
    free = []
    for row in mission_slots(mission=mission):
        pk = row["pk"]
        left = row["tables"] - taken.get(pk, 0)
        if (
            row["starts_at"] <= now
            or left <= 0
            or operator_busy[pk]
            or firm_busy[pk] >= delegates
            or pk in firm_blocked
            or pk in operator_blocked
        ):
            continue
        free.append(
            FreeSlot(
                pk=pk,
                starts_at=row["starts_at"],
                day=row["day"],
                label=row["label"],
                tables_left=left,
            )
        )
    return free


def by_local_day(items, tz, moment=lambda item: item.starts_at):
    """``items`` grouped by the mission's local date, in order."""
    days = defaultdict(list)
    for item in items:
        days[moment(item).astimezone(tz).date()].append(item)
    return sorted(days.items())


@dataclass
class AgendaRow:
    """One meeting of an agenda, ready to print (the template only writes it out)."""

    pk: int
    starts_at: datetime
    day: date  # in the mission's time zone
    time: str
    counterpart: str
    detail: str
    status: str
    status_label: str
    locked: bool
    move_url: str
    cancel_url: str


AGENDA_FIELDS = (
    "pk", "status", "locked", "slot__starts_at", "slot__ends_at", "table__number",
    "operator__name", "operator__kind", "company__legal_name",
    "company__trade_name", "delegate__full_name", "delegate__role",
)  # fmt: skip


def with_pk(url_for_zero: str, pk: int) -> str:
    """The URL reversed once with pk 0, for another pk (the last path segment that is 0)."""
    head, _zero, tail = url_for_zero.rpartition("/0/")
    return f"{head}/{pk}/{tail}"


def agenda_rows(*, participant: Participant) -> list[AgendaRow]:
    """The participant's meetings as printable rows: plain values, no model instances, so that
    an agenda of a hundred meetings stays cheap (the page caches what it renders of them)."""
    zone = participant.mission.tzinfo
    slug = participant.mission.slug
    statuses = dict(MeetingStatus.choices)
    kinds = dict(OperatorKind.choices)
    table_label = _("Table %(number)s")
    with_label = _("with %(name)s (%(role)s)")
    move_url = reverse("matchmaking:meeting_move", args=[slug, 0])
    cancel_url = reverse("matchmaking:meeting_cancel", args=[slug, 0])
    rows = []
    place_in_language = translated("slot__session__place")
    for m in agenda(participant=participant).values(*AGENDA_FIELDS, place=place_in_language):
        start, end = m["slot__starts_at"].astimezone(zone), m["slot__ends_at"].astimezone(zone)
        place = [table_label % {"number": m["table__number"]}]
        if m["place"]:
            place.append(m["place"])
        if participant.side == Side.COMPANY:
            counterpart = f"{m['operator__name']} ({kinds[m['operator__kind']]})"
            place.append(m["delegate__full_name"])
        else:
            counterpart = m["company__trade_name"] or m["company__legal_name"]
            place.append(
                with_label % {"name": m["delegate__full_name"], "role": m["delegate__role"]}
            )
        rows.append(
            AgendaRow(
                pk=m["pk"],
                starts_at=m["slot__starts_at"],
                day=start.date(),
                time=f"{start:%H:%M}–{end:%H:%M}",
                counterpart=counterpart,
                detail=" · ".join(place),
                status=m["status"],
                status_label=str(statuses[m["status"]]),
                locked=m["locked"],
                move_url=with_pk(move_url, m["pk"]),
                cancel_url=with_pk(cancel_url, m["pk"]),
            )
        )
    return rows


def agenda(*, participant: Participant) -> QuerySet[Meeting]:
    mine = (
        Q(company=participant.company)
        if participant.side == Side.COMPANY
        else Q(operator=participant.operator)
    )
    return (
        Meeting.objects.filter(mine, mission=participant.mission)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("company", "operator", "delegate", "slot__session", "table")
        .order_by("slot__starts_at", "table__number")
    )


def meetings_for_calendar(*, meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return meetings.select_related(
        "company", "operator", "delegate", "slot__session", "table", "mission"
    ).prefetch_related("company__members", "operator__contacts")


def feed_meetings(*, user) -> QuerySet[Meeting]:
    """Every active meeting of the user's organisation, across missions."""
    if user.company_id:
        mine = Q(company_id=user.company_id)
    elif user.operator_id:
        mine = Q(operator_id=user.operator_id)
    else:
        return Meeting.objects.none()
    return meetings_for_calendar(
        meetings=Meeting.objects.filter(mine)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("slot__starts_at")
    )


def requests_for(*, participant: Participant) -> QuerySet[MeetingRequest]:
    mine = (
        Q(company=participant.company)
        if participant.side == Side.COMPANY
        else Q(operator=participant.operator)
    )
    meeting = (
        Meeting.objects.filter(
            mission=participant.mission,
            company=OuterRef("company_id"),
            operator=OuterRef("operator_id"),
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .values("slot__starts_at")[:1]
    )
    return (
        MeetingRequest.objects.filter(mine, mission=participant.mission)
        .select_related("company", "operator")
        .annotate(meeting_start=Subquery(meeting))  # shown beside a met request
        .order_by("-created_at")
    )


def unavailable_slot_ids(*, participant: Participant) -> set[int]:
    party = {participant.side: participant.organisation}
    return set(
        Unavailability.objects.filter(slot__mission=participant.mission, **party).values_list(
            "slot_id", flat=True
        )
    )


def busy_slot_ids(*, participant: Participant) -> set[int]:
    return set(agenda(participant=participant).values_list("slot_id", flat=True))


# Meetings still to be held: those staff can still give an interpreter or move.
COMING = (MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED)


@dataclass(frozen=True)
class LanguageGap:
    """A meeting whose two sides said which languages they speak and share none."""

    meeting_id: int
    mission_id: int
    firm_languages: frozenset[str]  # the delegate's
    operator_languages: frozenset[str]  # the operator's contacts', together


def operators_languages(operator_ids) -> dict[int, frozenset[str]]:
    """What each operator's active contacts speak, together (one query)."""
    found: dict[int, frozenset[str]] = defaultdict(frozenset)
    for operator_id, codes, other in (
        User.objects.filter(operator_id__in=set(operator_ids), is_active=True)
        .order_by()
        .values_list("operator_id", "languages", "other_languages")
    ):
        found[operator_id] |= spoken(codes, other)
    return found


def language_gaps(*, missions) -> list[LanguageGap]:
    """The coming meetings of ``missions`` (ids or a queryset) where an interpreter is
    needed: the firm's delegate and the operator's contacts have each said which languages
    they speak, and share none. Two queries, whatever the number of meetings."""
    rows = list(
        Meeting.objects.filter(mission__in=missions, status__in=COMING)
        .order_by("slot__starts_at", "pk")
        .values_list(
            "pk", "mission_id", "operator_id", "delegate__languages", "delegate__other_languages"
        )
    )
    contacts = operators_languages(row[2] for row in rows)
    gaps = []
    for pk, mission_id, operator_id, codes, other in rows:
        firm, operator = spoken(codes, other), contacts[operator_id]
        if shared_languages(firm, operator) == frozenset():
            gaps.append(LanguageGap(pk, mission_id, firm, operator))
    return gaps
