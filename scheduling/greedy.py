"""The "first come, best weight first" baseline.

This is what a hand-made schedule roughly does: take the wishes from the most to the least
valuable and give each the earliest slot still free for both sides. It is kept only to measure
what the CP-SAT optimiser gains (and as a starting hint for it); it is never the answer on its
own.
"""

from __future__ import annotations

import time
from collections import Counter

from .problem import Instance, Meeting, Solution
from .validate import count_breaks, objective


def greedy_meetings(instance: Instance) -> list[Meeting]:
    """Place fixed meetings first, then requests by weight (stable), each in its earliest slot.

    A slot is taken only if every rule allows it (availability, allowed slots, capacity, tables,
    max_meetings), so the result is valid whenever the fixed meetings are.
    """
    parts = {p.id: p for p in instance.participants}
    unavailable = {p.id: set(p.unavailable) for p in instance.participants}
    load: Counter[tuple[str, str]] = Counter()
    used_tables: Counter[str] = Counter()
    total: Counter[str] = Counter()
    meetings: list[Meeting] = []
    met: set[frozenset[str]] = set()

    def place(a: str, b: str, slot: str) -> None:
        meetings.append(Meeting(a, b, slot))
        met.add(frozenset((a, b)))
        for pid in (a, b):
            load[pid, slot] += 1
            total[pid] += 1
        used_tables[slot] += 1

    for f in instance.fixed:
        place(f.a, f.b, f.slot)

    for r in sorted(instance.requests, key=lambda r: -r.weight):
        if r.pair in met:
            continue
        pa, pb = parts[r.a], parts[r.b]
        if any(p.max_meetings is not None and total[p.id] >= p.max_meetings for p in (pa, pb)):
            continue
        allowed = set(r.slots) if r.slots is not None else None
        for s in instance.slots:
            if allowed is not None and s.id not in allowed:
                continue
            if used_tables[s.id] >= s.tables:
                continue
            if s.id in unavailable[r.a] or s.id in unavailable[r.b]:
                continue
            if load[r.a, s.id] >= pa.capacity or load[r.b, s.id] >= pb.capacity:
                continue
            place(r.a, r.b, s.id)
            break
    return meetings


def greedy(instance: Instance) -> Solution:
    """Run the baseline and wrap it as a Solution (status `feasible`; bound = sum of weights)."""
    started = time.perf_counter()
    meetings = greedy_meetings(instance)
    return Solution(
        status="feasible",
        objective=objective(instance, meetings),
        bound=sum(r.weight for r in instance.requests),
        breaks=count_breaks(instance, meetings),
        meetings=tuple(meetings),
        seconds=time.perf_counter() - started,
    )
