"""Candidate meetings and classes of interchangeable slots, shared by every model.

A candidate is a pair that may meet (a request, a fixed meeting, or both) with the slots where
the rules allow it. Unavailability and a request's `slots` are applied here, when variables are
created, rather than as constraints: no model ever gets a variable for an impossible
(pair, slot) combination.

Two slots of the same day are interchangeable for the weight objective when they have the same
number of tables, the same participants away and the same requests excluded: any schedule stays
valid when their meetings are swapped. Such slots form a class; the weight model (weight.py)
only decides the class of each meeting, and the placement (placement.py) picks the slot.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .problem import Instance, Pair


@dataclass(frozen=True)
class Candidate:
    """One pair that may meet, with its allowed slots (indices into `instance.slots`).

    A fixed pair has exactly its fixed slot, and is written in the fixed orientation so that
    the fixed meeting comes back unchanged; `weight` is 0 for a fixed pair nobody requested.
    """

    a: str
    b: str
    weight: int
    slots: tuple[int, ...]
    fixed: bool = False

    @property
    def pair(self) -> Pair:
        return frozenset((self.a, self.b))


def candidates(instance: Instance) -> list[Candidate]:
    """Build the candidate meetings; a request that fits no slot is left out."""
    index = {s.id: i for i, s in enumerate(instance.slots)}
    unavailable = {p.id: set(p.unavailable) for p in instance.participants}
    fixed_slot: dict[Pair, tuple[str, str, str]] = {
        f.pair: (f.a, f.b, f.slot) for f in instance.fixed
    }
    result: list[Candidate] = []
    for r in instance.requests:
        if r.pair in fixed_slot:
            a, b, sid = fixed_slot.pop(r.pair)
            result.append(Candidate(a, b, r.weight, (index[sid],), fixed=True))
            continue
        allowed = set(r.slots) if r.slots is not None else None
        slots = tuple(
            i
            for i, s in enumerate(instance.slots)
            if (allowed is None or s.id in allowed)
            and s.id not in unavailable[r.a]
            and s.id not in unavailable[r.b]
        )
        if slots:
            result.append(Candidate(r.a, r.b, r.weight, slots))
    for a, b, sid in fixed_slot.values():
        result.append(Candidate(a, b, 0, (index[sid],), fixed=True))
    return result


def slot_classes(instance: Instance) -> list[tuple[int, ...]]:
    """Group the slot indices into classes of interchangeable slots of one day (time order).

    The key of a slot is its day, its tables, the participants away and the requests whose
    `slots` exclude it; fixed meetings are not part of the key (they are candidates with a
    single slot, so they only use part of their class's capacity).
    """
    away: dict[str, list[str]] = defaultdict(list)
    for p in instance.participants:
        for sid in p.unavailable:
            away[sid].append(p.id)
    excluded: dict[str, list[int]] = defaultdict(list)
    for k, r in enumerate(instance.requests):
        if r.slots is not None:
            allowed = set(r.slots)
            for s in instance.slots:
                if s.id not in allowed:
                    excluded[s.id].append(k)
    classes: dict[tuple, list[int]] = {}
    for i, s in enumerate(instance.slots):
        key = (s.day, s.tables, frozenset(away[s.id]), frozenset(excluded[s.id]))
        classes.setdefault(key, []).append(i)
    return [tuple(members) for members in classes.values()]
