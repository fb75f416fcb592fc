"""The scheduling problem of a mission, read from the database (reads only).

`mission_instance` turns a mission's B2B sessions, participants, availability, requests and
current meetings into the optimiser's `Instance` (see `scheduling-instance-format.md`), with the
maps needed to turn its answer back into rows.

Ids in the instance: slot ``S<slot pk>``, firm ``F<company pk>``, operator ``O<operator pk>``.

Choices made here:

- Each `MeetingSession` is a session of the instance (slot `session` ``B<session pk>``): breaks
  are counted within it, so the pause between two sessions of a day is none.
- Only slots that have not started take part: a meeting is never placed in the past. Meetings in
  slots that have started are left out too; their pairs have met, so they are not requested again.
- Participants: approved firms (capacity = their number of delegates, since the database allows
  one meeting per delegate and slot) and confirmed operators (capacity 1). A party of an active
  meeting that is no longer approved or confirmed is kept, so that its meeting stays in place.
  The models have no meeting cap, so no `max_meetings` is given.
- Weights (`request_weight`): each side's *interest* in a pair is the priority of its own open
  request (1 nice to have, 2 important, 3 essential), or 1 when it accepted the other side's
  request, or 0; the weight is the sum of both interests, plus `MUTUAL_BONUS` (3) when both sides
  want the meeting. A one-sided wish weighs 1 to 3, a mutual one 5 to 9: a mutual wish always
  weighs more than any one-sided wish.
- Meetings: an active meeting that is locked, confirmed, held or a no-show is *fixed* (it never
  moves). A meeting that is only *proposed* and not locked is *movable*: the optimiser may give it
  another slot, but must keep it. It is passed as a request whose weight carries a bonus larger
  than the sum of every other weight (`keep_bonus`), so keeping every movable meeting outweighs
  anything else (its present slot is always a valid choice, so keeping them all is possible).
  The figures shown to staff are computed with the plain weights (`base_weights`).
- Languages: when the mission asks for it (`keep_apart_without_shared_language`), a wished pair
  whose sides have both said which languages they speak and share none (the firm's delegates
  together, the operator's contacts together) is left out of the requests: the optimiser never
  adds that meeting. A meeting already in place stays (fixed or movable). `kept_apart` counts
  the pairs left out.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from core.languages import spoken
from matchmaking.models import (
    STANDING_REQUESTS,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    RequestStatus,
    Side,
    Slot,
    Unavailability,
)
from matchmaking.scoring import shared_languages
from matchmaking.selectors import operators_languages
from missions.models import Application, Delegate, Mission, OperatorRegistration
from scheduling.problem import Fixed, Instance, Pair, Participant, Request, pair_key
from scheduling.problem import Meeting as ProblemMeeting
from scheduling.problem import Slot as ProblemSlot

MUTUAL_BONUS = 3


def slot_key(pk: int) -> str:
    return f"S{pk}"


def firm_key(pk: int) -> str:
    return f"F{pk}"


def operator_key(pk: int) -> str:
    return f"O{pk}"


def parse_key(key: str) -> tuple[str, int]:
    """``("company", 12)`` for ``F12``, ``("operator", 7)`` for ``O7``, ``("slot", 3)``: ``S3``."""
    kind = {"F": Side.COMPANY.value, "O": Side.OPERATOR.value, "S": "slot"}[key[0]]
    return kind, int(key[1:])


def request_weight(
    *,
    company_priority: int | None,
    operator_priority: int | None,
    company_accepted: bool = False,
    operator_accepted: bool = False,
) -> int:
    """The weight of a pair from both sides' wishes (see the module docstring); 0: no wish."""
    company = company_priority or (1 if company_accepted else 0)
    operator = operator_priority or (1 if operator_accepted else 0)
    bonus = MUTUAL_BONUS if company and operator else 0
    return company + operator + bonus


def is_fixed(meeting: Meeting) -> bool:
    """Whether the optimiser must leave the meeting where it is."""
    return meeting.locked or meeting.status != MeetingStatus.PROPOSED


@dataclass(frozen=True)
class MissionInstance:
    """The instance of a mission and what is needed to read the optimiser's answer back."""

    instance: Instance
    base_weights: dict[Pair, int]  # the plain weight of each requested pair
    fixed: dict[Pair, Meeting]  # meetings that never move, by pair
    movable: dict[Pair, Meeting]  # proposed, unlocked meetings: may move, must stay
    keep_bonus: int
    requests: int  # pairs wished for (one or both sides)
    slots: dict[str, Slot] = field(repr=False)
    kept_apart: int = 0  # wished pairs left out: no shared language (the mission's option)

    @property
    def current(self) -> dict[Pair, Meeting]:
        """Every active meeting of the instance's slots, by pair."""
        return {**self.fixed, **self.movable}

    def current_meetings(self) -> list[ProblemMeeting]:
        """The present schedule, in the optimiser's terms."""
        return [
            ProblemMeeting(firm_key(m.company_id), operator_key(m.operator_id), slot_key(m.slot_id))
            for m in self.current.values()
        ]


def _active(mission: Mission):
    return Meeting.objects.filter(mission=mission).exclude(status=MeetingStatus.CANCELLED)


def mission_instance(mission: Mission, *, now=None) -> MissionInstance:
    """Build the scheduling instance of ``mission`` (reads only), step by step; each step reads
    in a fixed number of queries, whatever the size of the mission."""
    slots = _future_slots(mission, now or timezone.now())
    slot_ids = {s.pk for s in slots}
    fixed, movable, met_before = _current_meetings(mission, slot_ids)
    standing = [*fixed.values(), *movable.values()]
    firms, operators = _matchmaking_parties(mission)
    participants = _participants(
        capacity={**_capacities(mission, kept=standing), **firms},
        operators=operators | {m.operator_id for m in standing},
        unavailable=_unavailability(slot_ids),
    )
    wishes = _wishes(mission, firms=set(firms), operators=operators)
    # A pair that met in a slot that has started is not requested again.
    met = met_before - set(fixed) - set(movable)
    # Staff may ask to keep apart the pairs that share no language (a meeting in place stays).
    apart = set()
    if mission.keep_apart_without_shared_language:
        apart = pairs_without_shared_language(mission, wishes) - set(fixed) - set(movable)
    base_weights = {pair: wish.weight() for pair, wish in wishes.items() if pair not in met | apart}
    keep_bonus = sum(base_weights.values()) + 1
    return MissionInstance(
        instance=Instance(
            slots=tuple(_problem_slot(s, mission.tzinfo) for s in slots),
            participants=participants,
            requests=_requests(wishes, base_weights, movable, keep_bonus),
            fixed=tuple(_fixed(m) for m in sorted(fixed.values(), key=lambda m: m.pk)),
        ),
        base_weights=base_weights,
        fixed=fixed,
        movable=movable,
        keep_bonus=keep_bonus,
        requests=len(base_weights),
        slots={slot_key(s.pk): s for s in slots},
        kept_apart=len(apart),
    )


def _future_slots(mission: Mission, now) -> list[Slot]:
    """The slots that have not started, with their number of tables."""
    return list(
        Slot.objects.filter(mission=mission, starts_at__gt=now)
        .annotate(table_count=Count("session__table_set", distinct=True))
        .order_by("starts_at", "pk")
    )


def _problem_slot(slot: Slot, zone) -> ProblemSlot:
    return ProblemSlot(
        id=slot_key(slot.pk),
        day=timezone.localtime(slot.starts_at, zone).date().isoformat(),
        start=slot.starts_at.isoformat(),
        end=slot.ends_at.isoformat(),
        tables=slot.table_count,
        # Each B2B session of the mission is a session of the instance: the pause between a
        # morning and an afternoon session is no idle gap.
        session=f"B{slot.session_id}",
    )


def _pair(meeting_or_request) -> Pair:
    return pair_key(
        firm_key(meeting_or_request.company_id), operator_key(meeting_or_request.operator_id)
    )


def _current_meetings(mission: Mission, slot_ids: set[int]):
    """The active meetings of the slots to come, fixed or movable, by pair; and every pair that
    has an active meeting, past ones included."""
    meetings = list(_active(mission).only("pk", "company", "operator", "slot", "status", "locked"))
    fixed: dict[Pair, Meeting] = {}
    movable: dict[Pair, Meeting] = {}
    for m in meetings:
        if m.slot_id in slot_ids:
            (fixed if is_fixed(m) else movable)[_pair(m)] = m
    return fixed, movable, {_pair(m) for m in meetings}


def _matchmaking_parties(mission: Mission) -> tuple[dict[int, int], set[int]]:
    """The approved firms with their number of delegates, and the confirmed operators."""
    firms = dict(
        Application.objects.filter(mission=mission, status=Application.Status.APPROVED)
        .annotate(n=Count("delegates"))
        .values_list("company_id", "n")
    )
    operators = set(
        OperatorRegistration.objects.filter(
            mission=mission, status=OperatorRegistration.Status.CONFIRMED
        ).values_list("operator_id", flat=True)
    )
    return firms, operators


def _capacities(mission: Mission, *, kept: list[Meeting]) -> dict[int, int]:
    """The capacity of every firm of a standing meeting (its number of delegates, at least 1):
    a firm no longer approved keeps its meeting, which its delegates still hold."""
    companies = {m.company_id for m in kept}
    found = dict(
        Application.objects.filter(mission=mission, company_id__in=companies)
        .annotate(n=Count("delegates"))
        .values_list("company_id", "n")
    )
    return {pk: found.get(pk) or 1 for pk in companies}


def _unavailability(slot_ids: set[int]) -> dict[str, list[str]]:
    """The slots where each party cannot meet, by participant key, in time order."""
    unavailable: dict[str, list[str]] = defaultdict(list)
    for u in Unavailability.objects.filter(slot_id__in=slot_ids).order_by("slot__starts_at"):
        key = firm_key(u.company_id) if u.company_id else operator_key(u.operator_id)
        unavailable[key].append(slot_key(u.slot_id))
    return unavailable


def _participants(
    *, capacity: dict[int, int], operators: set[int], unavailable: dict[str, list[str]]
) -> tuple[Participant, ...]:
    firms = tuple(
        Participant(
            id=firm_key(pk),
            side="firm",
            capacity=capacity[pk],
            unavailable=tuple(unavailable.get(firm_key(pk), ())),
        )
        for pk in sorted(capacity)
    )
    return firms + tuple(
        Participant(
            id=operator_key(pk),
            side="operator",
            capacity=1,
            unavailable=tuple(unavailable.get(operator_key(pk), ())),
        )
        for pk in sorted(operators)
    )


@dataclass
class Wish:
    """What both sides of a pair want: each side's priority, if it asked, and whether it
    accepted the other side's request."""

    a: str  # the firm's key
    b: str  # the operator's key
    company_priority: int | None = None
    operator_priority: int | None = None
    company_accepted: bool = False
    operator_accepted: bool = False

    def weight(self) -> int:
        return request_weight(
            company_priority=self.company_priority,
            operator_priority=self.operator_priority,
            company_accepted=self.company_accepted,
            operator_accepted=self.operator_accepted,
        )


def _wishes(mission: Mission, *, firms: set[int], operators: set[int]) -> dict[Pair, Wish]:
    """The open requests between parties that take part in the matchmaking (not an operator
    kept only for a meeting that stands), by pair."""
    wishes: dict[Pair, Wish] = {}
    for r in MeetingRequest.objects.filter(
        mission=mission,
        status__in=STANDING_REQUESTS,  # a met request weighs its meeting: it must stay
        company_id__in=firms,
        operator_id__in=operators,
    ).only("company", "operator", "side", "priority", "status", "responded_at"):
        wish = wishes.setdefault(
            _pair(r), Wish(a=firm_key(r.company_id), b=operator_key(r.operator_id))
        )
        setattr(wish, f"{r.side}_priority", r.priority)
        if r.status == RequestStatus.ACCEPTED or (
            r.status == RequestStatus.MET and r.responded_at is not None
        ):  # the side that was asked said yes
            other = Side.OPERATOR if r.side == Side.COMPANY else Side.COMPANY
            setattr(wish, f"{other}_accepted", True)
    return wishes


def _requests(
    wishes: dict[Pair, Wish],
    base_weights: dict[Pair, int],
    movable: dict[Pair, Meeting],
    keep_bonus: int,
) -> tuple[Request, ...]:
    """The weighted pairs: the wishes, and each movable meeting with ``keep_bonus`` on top."""
    requests = [
        Request(a=wishes[pair].a, b=wishes[pair].b, weight=weight)
        for pair, weight in base_weights.items()
        if pair not in movable
    ] + [
        Request(
            a=firm_key(m.company_id),
            b=operator_key(m.operator_id),
            weight=base_weights.get(pair, 0) + keep_bonus,
        )
        for pair, m in movable.items()
    ]
    return tuple(sorted(requests, key=lambda r: (r.a, r.b)))


def _fixed(meeting: Meeting) -> Fixed:
    return Fixed(
        a=firm_key(meeting.company_id),
        b=operator_key(meeting.operator_id),
        slot=slot_key(meeting.slot_id),
    )


def pairs_without_shared_language(mission: Mission, wishes: dict[Pair, Wish]) -> set[Pair]:
    """The pairs of ``wishes`` whose firm (its delegates, together) and operator (its contacts,
    together) have both said which languages they speak and share none (two queries)."""
    firms: dict[int, frozenset[str]] = defaultdict(frozenset)
    for company_id, codes, other in Delegate.objects.filter(
        application__mission=mission
    ).values_list("application__company_id", "languages", "other_languages"):
        firms[company_id] |= spoken(codes, other)
    parties = [(pair, parse_key(w.a)[1], parse_key(w.b)[1]) for pair, w in wishes.items()]
    operators = operators_languages({operator for _pair, _firm, operator in parties})
    return {
        pair
        for pair, firm, operator in parties
        if shared_languages(firms[firm], operators[operator]) == frozenset()
    }


def with_movable_fixed(mi: MissionInstance) -> Instance:
    """The same instance with every movable meeting fixed where it is (always feasible when the
    instance is): the fallback when the optimiser's answer dropped a movable meeting."""
    instance = mi.instance
    movable = set(mi.movable)
    return Instance(
        slots=instance.slots,
        participants=instance.participants,
        requests=tuple(
            Request(a=r.a, b=r.b, weight=r.weight - mi.keep_bonus) if r.pair in movable else r
            for r in instance.requests
            if r.pair not in movable or r.weight - mi.keep_bonus > 0
        ),
        fixed=instance.fixed + tuple(_fixed(m) for m in mi.movable.values()),
    )


def mission_basis(mission: Mission) -> str:
    """A digest of what a proposal was computed from: the active meetings (where, status, lock),
    availability, delegates, confirmed operators and tables. Publishing compares it again: if it
    differs, the proposal is stale. New requests do not change it (they only make the proposal
    less complete, not wrong)."""
    data = {
        "meetings": sorted(
            _active(mission).values_list("pk", "slot_id", "status", "locked", "company_id")
        ),
        "unavailable": sorted(
            Unavailability.objects.filter(slot__mission=mission).values_list(
                "slot_id", "company_id", "operator_id"
            ),
            key=lambda row: tuple(v or 0 for v in row),
        ),
        "firms": sorted(
            Application.objects.filter(mission=mission, status=Application.Status.APPROVED)
            .annotate(n=Count("delegates"))
            .values_list("company_id", "n")
        ),
        "operators": sorted(
            OperatorRegistration.objects.filter(
                mission=mission, status=OperatorRegistration.Status.CONFIRMED
            ).values_list("operator_id", flat=True)
        ),
        "slots": sorted(
            Slot.objects.filter(mission=mission)
            .annotate(n=Count("session__table_set", distinct=True))
            .values_list("pk", "n")
        ),
    }
    return hashlib.sha256(json.dumps(data, default=str).encode()).hexdigest()
