"""Local search that lowers breaks without touching the weight (milliseconds to seconds).

It polishes a schedule between and after the CP-SAT models, with two kinds of move, each taken
only when it keeps every rule and strictly lowers the breaks of the participants it touches; the
set of meetings never changes:

- a move takes one meeting to another of its allowed slots (any day);
- a swap exchanges the slots of two meetings of one participant (a firm busy in every slot
  cannot move a meeting, but can reorder them): its own slots stay the same, so only its two
  partners' breaks change, and each slot keeps its number of meetings (tables hold).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict

from .candidates import Candidate
from .problem import Instance


def compact(
    instance: Instance, items: list[Candidate], placed: dict[int, int], budget: float
) -> dict[int, int]:
    """Hill-climb on breaks by single-meeting moves for at most `budget` seconds.

    A move keeps every rule (the candidate's allowed slots, both capacities, the slot's tables;
    the meeting count is unchanged so `max_meetings` holds). Fixed meetings have a single
    allowed slot and never move. Returns a new candidate -> slot mapping.
    """
    where = dict(placed)
    if budget <= 0:
        return where
    stop = time.perf_counter() + budget
    # Breaks are counted within a session; its slots are consecutive indices.
    day = [sl.block for sl in instance.slots]
    tables = [sl.tables for sl in instance.slots]
    cap = {p.id: p.capacity for p in instance.participants}
    busy: dict[str, Counter[int]] = defaultdict(Counter)
    used: Counter[int] = Counter()
    for c, s in where.items():
        used[s] += 1
        for pid in {items[c].a, items[c].b}:
            busy[pid][s] += 1

    def breaks(pid: str, days: set[tuple[str, str]]) -> int:
        # Slots of one session are contiguous indices, so adjacency is index + 1.
        total = 0
        prev: int | None = None
        for s in sorted(k for k, n in busy[pid].items() if n > 0 and day[k] in days):
            if prev is not None and day[prev] == day[s] and s - prev > 1:
                total += 1
            prev = s
        return total

    meetings_of: dict[str, list[int]] = defaultdict(list)
    for c in where:
        item = items[c]
        if len(item.slots) > 1:
            meetings_of[item.a].append(c)
            meetings_of[item.b].append(c)
    allowed = {c: set(items[c].slots) for ms in meetings_of.values() for c in ms}

    def shift(pid: str, source: int, target: int) -> None:
        busy[pid][source] -= 1
        busy[pid][target] += 1

    def swaps() -> bool:
        """Exchange the slots of two meetings of one participant where it lowers breaks."""
        better = False
        for pid, ms in meetings_of.items():
            for i, c1 in enumerate(ms):
                for c2 in ms[i + 1 :]:
                    s1, s2 = where[c1], where[c2]
                    if s1 == s2 or s2 not in allowed[c1] or s1 not in allowed[c2]:
                        continue
                    b1 = items[c1].b if items[c1].a == pid else items[c1].a
                    b2 = items[c2].b if items[c2].a == pid else items[c2].a
                    if busy[b1][s2] >= cap[b1] or busy[b2][s1] >= cap[b2]:
                        continue
                    days = {day[s1], day[s2]}
                    before = breaks(b1, days) + breaks(b2, days)
                    shift(b1, s1, s2)
                    shift(b2, s2, s1)
                    if breaks(b1, days) + breaks(b2, days) < before:
                        where[c1], where[c2] = s2, s1
                        better = True
                    else:  # undone
                        shift(b1, s2, s1)
                        shift(b2, s1, s2)
            if time.perf_counter() >= stop:
                break
        return better

    improved = True
    while improved and time.perf_counter() < stop:
        improved = swaps()
        for c, s in where.items():
            item = items[c]
            if len(item.slots) < 2:
                continue
            pids = {item.a, item.b}
            for t in item.slots:
                if t == s or used[t] >= tables[t] or any(busy[p][t] >= cap[p] for p in pids):
                    continue
                days = {day[s], day[t]}
                before = sum(breaks(p, days) for p in pids)
                for p in pids:
                    shift(p, s, t)
                if sum(breaks(p, days) for p in pids) < before:
                    used[s] -= 1
                    used[t] += 1
                    where[c] = s = t
                    improved = True
                else:  # undone
                    for p in pids:
                        shift(p, t, s)
            if time.perf_counter() >= stop:
                break
    return where
