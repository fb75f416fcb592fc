"""Reads of matchmaking, each in a fixed number of queries whatever the size of the mission."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from companies.models import Company, Operator
from missions.models import Application, Mission, OperatorRegistration

from .models import (
    Meeting,
    MeetingRequest,
    MeetingStatus,
    RequestStatus,
    Side,
    Slot,
    Unavailability,
)
from .scoring import FirmProfile, Match, OperatorProfile, compatibility
from .services import Participant


def participant_for(*, user, mission: Mission) -> Participant | None:
    """The firm (approved) or operator (confirmed) that ``user`` represents in ``mission``."""
    if not user.is_authenticated or user.is_staff:
        return None
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
    if (
        user.operator_id
        and OperatorRegistration.objects.filter(
            mission=mission,
            operator_id=user.operator_id,
            status=OperatorRegistration.Status.CONFIRMED,
        ).exists()
    ):
        return Participant(mission=mission, side=Side.OPERATOR, operator=user.operator)
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
    ).prefetch_related("sectors")


def firm_profile(company: Company, application: Application | None) -> FirmProfile:
    return FirmProfile(
        sectors=frozenset(s.slug for s in company.sectors.all()),
        objectives=frozenset(application.objectives if application else []),
        offer=company.offer,
    )


def operator_profile(operator: Operator) -> OperatorProfile:
    return OperatorProfile(
        sectors=frozenset(s.slug for s in operator.sectors.all()),
        kind=operator.kind,
        needs=operator.needs,
    )


@dataclass
class DirectoryEntry:
    party: object  # Company or Operator
    match: Match
    asked: bool = False  # the viewer asked to meet them
    asked_by_them: bool = False
    meeting: Meeting | None = None

    @property
    def mutual(self) -> bool:
        return self.asked and self.asked_by_them


def directory(*, participant: Participant, filters: dict) -> list[DirectoryEntry]:
    """The other side of the mission, best matches first, with filters and search."""
    mission = participant.mission
    search = filters.get("q", "").strip()
    if participant.side == Side.OPERATOR:
        parties = delegation(mission=mission)
        if search:
            parties = parties.filter(
                Q(legal_name__icontains=search)
                | Q(trade_name__icontains=search)
                | Q(offer__icontains=search)
            )
        if filters.get("city"):
            parties = parties.filter(city__iexact=filters["city"])
    else:
        parties = confirmed_operators(mission=mission)
        if search:
            parties = parties.filter(Q(name__icontains=search) | Q(needs__icontains=search))
        if filters.get("kind"):
            parties = parties.filter(kind=filters["kind"])
        if filters.get("country"):
            parties = parties.filter(country=filters["country"])
        if filters.get("city"):
            parties = parties.filter(city__iexact=filters["city"])
    if filters.get("sector"):
        parties = parties.filter(sectors__slug=filters["sector"])
    parties = list(parties.distinct())

    mine = (
        Q(company=participant.company)
        if participant.side == Side.COMPANY
        else Q(operator=participant.operator)
    )
    requests = MeetingRequest.objects.filter(mine, mission=mission).exclude(
        status=RequestStatus.WITHDRAWN
    )
    key = "operator_id" if participant.side == Side.COMPANY else "company_id"
    asked = {getattr(r, key) for r in requests if r.side == participant.side}
    asked_by_them = {getattr(r, key) for r in requests if r.side != participant.side}
    meetings = {
        getattr(m, key): m
        for m in Meeting.objects.filter(mine, mission=mission)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("slot")
    }

    entries = []
    for party in parties:
        if participant.side == Side.COMPANY:
            match = compatibility(
                firm_profile(participant.company, participant.application), operator_profile(party)
            )
        else:
            application = party.mission_applications[0] if party.mission_applications else None
            match = compatibility(
                firm_profile(party, application), operator_profile(participant.operator)
            )
        entries.append(
            DirectoryEntry(
                party=party,
                match=match,
                asked=party.pk in asked,
                asked_by_them=party.pk in asked_by_them,
                meeting=meetings.get(party.pk),
            )
        )
    entries.sort(key=lambda e: (-e.match.score, str(e.party)))
    return entries


def counterpart(*, participant: Participant, pk: int):
    """The firm or operator of the other side if it takes part in the mission (else
    DoesNotExist)."""
    if participant.side == Side.OPERATOR:
        return delegation(mission=participant.mission).get(pk=pk)
    return confirmed_operators(mission=participant.mission).get(pk=pk)


@dataclass
class FreeSlot:
    slot: Slot
    tables_left: int


def free_slots(
    *, mission: Mission, company: Company, operator: Operator, application: Application
) -> list[FreeSlot]:
    """Future slots where the firm has a free delegate, the operator is free, neither side is
    unavailable, and a table is left."""
    slots = list(
        Slot.objects.filter(mission=mission, starts_at__gt=timezone.now()).select_related("session")
    )
    active = Meeting.objects.filter(mission=mission).exclude(status=MeetingStatus.CANCELLED)
    per_slot = Counter(active.values_list("slot_id", flat=True))
    firm_busy = Counter(active.filter(company=company).values_list("slot_id", flat=True))
    operator_busy = set(active.filter(operator=operator).values_list("slot_id", flat=True))
    unavailable = set(
        Unavailability.objects.filter(slot__mission=mission)
        .filter(Q(company=company) | Q(operator=operator))
        .values_list("slot_id", flat=True)
    )
    delegates = len(application.delegates.all())
    free = []
    for slot in slots:
        if slot.pk in operator_busy or slot.pk in unavailable or firm_busy[slot.pk] >= delegates:
            continue
        left = slot.session.tables - per_slot[slot.pk]
        if left > 0:
            free.append(FreeSlot(slot=slot, tables_left=left))
    return free


def slots_by_day(items, tz):
    days = defaultdict(list)
    for item in items:
        slot = getattr(item, "slot", item)
        days[timezone.localtime(slot.starts_at, tz).date()].append(item)
    return sorted(days.items())


def agenda(*, participant: Participant) -> QuerySet[Meeting]:
    mine = (
        Q(company=participant.company)
        if participant.side == Side.COMPANY
        else Q(operator=participant.operator)
    )
    return (
        Meeting.objects.filter(mine, mission=participant.mission)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("company", "operator", "delegate", "slot__session", "table", "mission")
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
    return (
        MeetingRequest.objects.filter(mine, mission=participant.mission)
        .select_related("company", "operator")
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
