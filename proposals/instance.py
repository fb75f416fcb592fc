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
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

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
from missions.models import Application, Mission, OperatorRegistration
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
    """Build the scheduling instance of ``mission`` (reads only)."""
    now = now or timezone.now()
    zone = mission.tzinfo
    slots = list(
        Slot.objects.filter(mission=mission, starts_at__gt=now)
        .annotate(table_count=Count("session__table_set", distinct=True))
        .order_by("starts_at", "pk")
    )
    slot_ids = {s.pk for s in slots}
    problem_slots = tuple(
        ProblemSlot(
            id=slot_key(s.pk),
            day=timezone.localtime(s.starts_at, zone).date().isoformat(),
            start=s.starts_at.isoformat(),
            end=s.ends_at.isoformat(),
            tables=s.table_count,
            # Each B2B session of the mission is a session of the instance: the pause between
            # a morning and an afternoon session is no idle gap.
            session=f"B{s.session_id}",
        )
        for s in slots
    )

    meetings = list(_active(mission).only("pk", "company", "operator", "slot", "status", "locked"))
    met_before = {pair_key(firm_key(m.company_id), operator_key(m.operator_id)) for m in meetings}
    fixed: dict[Pair, Meeting] = {}
    movable: dict[Pair, Meeting] = {}
    for m in meetings:
        if m.slot_id in slot_ids:
            target = fixed if is_fixed(m) else movable
            target[pair_key(firm_key(m.company_id), operator_key(m.operator_id))] = m

    capacity = dict(
        Application.objects.filter(mission=mission, status=Application.Status.APPROVED)
        .annotate(n=Count("delegates"))
        .values_list("company_id", "n")
    )
    operators = set(
        OperatorRegistration.objects.filter(
            mission=mission, status=OperatorRegistration.Status.CONFIRMED
        ).values_list("operator_id", flat=True)
    )
    approved_firms, confirmed_operators = set(capacity), set(operators)
    for m in [*fixed.values(), *movable.values()]:
        if m.company_id not in capacity:
            # No longer approved, yet its meeting stands: its delegates still hold it.
            capacity[m.company_id] = (
                Application.objects.filter(mission=mission, company_id=m.company_id).aggregate(
                    n=Count("delegates")
                )["n"]
                or 1
            )
        operators.add(m.operator_id)

    unavailable: dict[str, list[str]] = defaultdict(list)
    for u in Unavailability.objects.filter(slot_id__in=slot_ids).order_by("slot__starts_at"):
        key = firm_key(u.company_id) if u.company_id else operator_key(u.operator_id)
        unavailable[key].append(slot_key(u.slot_id))
    participants = tuple(
        Participant(
            id=firm_key(pk),
            side="firm",
            capacity=capacity[pk],
            unavailable=tuple(unavailable[firm_key(pk)]),
        )
        for pk in sorted(capacity)
    ) + tuple(
        Participant(
            id=operator_key(pk),
            side="operator",
            capacity=1,
            unavailable=tuple(unavailable[operator_key(pk)]),
        )
        for pk in sorted(operators)
    )

    # Wishes per pair, among the parties that take part in the matchmaking.
    wishes: dict[Pair, dict] = {}
    for r in MeetingRequest.objects.filter(
        mission=mission,
        status__in=STANDING_REQUESTS,  # a met request weighs its meeting: it must stay
        company_id__in=approved_firms,
        operator_id__in=confirmed_operators,  # not one kept only for a meeting that stands
    ).only("company", "operator", "side", "priority", "status", "responded_at"):
        pair = pair_key(firm_key(r.company_id), operator_key(r.operator_id))
        wish = wishes.setdefault(
            pair,
            {
                "a": firm_key(r.company_id),
                "b": operator_key(r.operator_id),
                "company_priority": None,
                "operator_priority": None,
                "company_accepted": False,
                "operator_accepted": False,
            },
        )
        wish[f"{r.side}_priority"] = r.priority
        if r.status == RequestStatus.ACCEPTED or (
            r.status == RequestStatus.MET and r.responded_at is not None
        ):
            # The side that was asked said yes.
            other = Side.OPERATOR if r.side == Side.COMPANY else Side.COMPANY
            wish[f"{other}_accepted"] = True

    base_weights: dict[Pair, int] = {}
    for pair, wish in wishes.items():
        if pair in met_before and pair not in fixed and pair not in movable:
            continue  # they met in a slot that has started
        base_weights[pair] = request_weight(
            company_priority=wish["company_priority"],
            operator_priority=wish["operator_priority"],
            company_accepted=wish["company_accepted"],
            operator_accepted=wish["operator_accepted"],
        )
    keep_bonus = sum(base_weights.values()) + 1
    requests = [
        Request(a=wishes[pair]["a"], b=wishes[pair]["b"], weight=weight)
        for pair, weight in base_weights.items()
        if pair not in movable
    ]
    for pair, m in movable.items():
        requests.append(
            Request(
                a=firm_key(m.company_id),
                b=operator_key(m.operator_id),
                weight=base_weights.get(pair, 0) + keep_bonus,
            )
        )
    requests.sort(key=lambda r: (r.a, r.b))
    fixed_rows = tuple(
        Fixed(a=firm_key(m.company_id), b=operator_key(m.operator_id), slot=slot_key(m.slot_id))
        for m in sorted(fixed.values(), key=lambda m: m.pk)
    )
    return MissionInstance(
        instance=Instance(
            slots=problem_slots,
            participants=participants,
            requests=tuple(requests),
            fixed=fixed_rows,
        ),
        base_weights=base_weights,
        fixed=fixed,
        movable=movable,
        keep_bonus=keep_bonus,
        requests=len(base_weights),
        slots={slot_key(s.pk): s for s in slots},
    )


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
        fixed=instance.fixed
        + tuple(
            Fixed(a=firm_key(m.company_id), b=operator_key(m.operator_id), slot=slot_key(m.slot_id))
            for m in mi.movable.values()
        ),
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
