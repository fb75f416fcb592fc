"""Large-neighbourhood search on one day's breaks, with small CP-SAT models.

On a large day (hundreds of meetings), CP-SAT's own search on the whole day model improves
slowly: each of its neighbourhoods re-solves a big model. Here a neighbourhood is built around
a participant who has a break: its meetings of the day and those of some of its partners are
freed, every other meeting stays where it is, and a small model (tens of meetings) places the
freed meetings anew, minimising the breaks of every participant they touch. The other meetings
only enter as constants (capacity and tables already used, slots already busy), so the rules
hold and the day's break count never goes up. Every meeting keeps its day.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from itertools import pairwise

from ortools.sat.python import cp_model

from .candidates import Candidate
from .problem import Instance

# Meetings freed per neighbourhood, and CP-SAT's time for one neighbourhood.
_FREE_MEETINGS = 30
_STEP_SECONDS = 0.12


class DayState:
    """Where each meeting of one day is, and who is busy when (kept in step with moves)."""

    def __init__(
        self, instance: Instance, items: list[Candidate], placed: dict[int, int], slots: list[int]
    ) -> None:
        self.instance = instance
        self.items = items
        self.slots = sorted(slots)
        sessions: dict[tuple[str, str], list[int]] = defaultdict(list)
        for s in self.slots:
            sessions[instance.slots[s].block].append(s)
        self.sessions = list(sessions.values())
        self.where = dict(placed)
        self.load: dict[str, Counter[int]] = defaultdict(Counter)
        self.meetings_of: dict[str, list[int]] = defaultdict(list)
        self.used: Counter[int] = Counter()
        for c, s in self.where.items():
            self.used[s] += 1
            for pid in {items[c].a, items[c].b}:
                self.load[pid][s] += 1
                self.meetings_of[pid].append(c)

    def breaks_of(self, pid: str) -> int:
        busy = [s for s in self.slots if self.load[pid][s] > 0]
        block = [sl.block for sl in self.instance.slots]
        return sum(1 for a, b in pairwise(busy) if b - a > 1 and block[a] == block[b])

    def move(self, c: int, s: int) -> None:
        old = self.where[c]
        if old == s:
            return
        self.where[c] = s
        self.used[old] -= 1
        self.used[s] += 1
        for pid in {self.items[c].a, self.items[c].b}:
            self.load[pid][old] -= 1
            self.load[pid][s] += 1


def improve_day(
    state: DayState, deadline: float, workers: int = 1, seed: int = 0
) -> tuple[int, int]:
    """Run neighbourhoods until `deadline`; return (steps, steps that lowered the breaks)."""
    rng = random.Random(seed)  # noqa: S311 (a search heuristic, not a secret)
    steps = improved = 0
    while time.perf_counter() < deadline - 0.05:
        broken = [pid for pid in state.meetings_of if state.breaks_of(pid) > 0]
        if not broken:
            break
        free = _neighbourhood(state, rng.choice(broken), rng)
        limit = min(_STEP_SECONDS, deadline - time.perf_counter())
        if limit <= 0.02:
            break
        steps += 1
        improved += _solve_neighbourhood(state, free, limit, workers, seed + steps)
    return steps, improved


def _neighbourhood(state: DayState, pid: str, rng: random.Random) -> set[int]:
    """The meetings of `pid` and of random partners of partners, up to _FREE_MEETINGS."""
    free: set[int] = set()
    frontier = [pid]
    seen = {pid}
    while frontier and len(free) < _FREE_MEETINGS:
        current = frontier.pop(rng.randrange(len(frontier)))
        mine = [c for c in state.meetings_of[current] if len(state.items[c].slots) > 1]
        free.update(mine)
        for c in mine:
            for other in (state.items[c].a, state.items[c].b):
                if other not in seen:
                    seen.add(other)
                    frontier.append(other)
    return free


def _solve_neighbourhood(
    state: DayState, free: set[int], limit: float, workers: int, seed: int
) -> bool:
    """Re-place the `free` meetings optimally (within `limit`) around the others; True if the
    breaks went down."""
    items, instance = state.items, state.instance
    day_slots = set(state.slots)
    touched = {pid for c in free for pid in (items[c].a, items[c].b)}
    # Capacity and tables left by the meetings that stay put.
    fixed_load = {pid: Counter(state.load[pid]) for pid in touched}
    used = Counter(state.used)
    for c in free:
        s = state.where[c]
        used[s] -= 1
        for pid in {items[c].a, items[c].b}:
            fixed_load[pid][s] -= 1
    cap = {p.id: p.capacity for p in instance.participants if p.id in touched}
    before = sum(state.breaks_of(pid) for pid in touched)

    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    by_part_slot: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
    by_slot: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    for c in free:
        item = items[c]
        own = []
        for s in item.slots:
            if s not in day_slots or used[s] >= instance.slots[s].tables:
                continue
            if any(fixed_load[pid][s] >= cap[pid] for pid in (item.a, item.b)):
                continue
            var = model.new_bool_var("")
            x[c, s] = var
            own.append(var)
            by_slot[s].append(var)
            for pid in {item.a, item.b}:
                by_part_slot[pid, s].append(var)
            model.add_hint(var, state.where[c] == s)
        model.add_exactly_one(own)
    for (pid, s), vars_ in by_part_slot.items():
        room = cap[pid] - fixed_load[pid][s]
        if len(vars_) > room:
            model.add(sum(vars_) <= room)
    for s, vars_ in by_slot.items():
        room = instance.slots[s].tables - used[s]
        if len(vars_) > room:
            model.add(sum(vars_) <= room)

    breaks: list[cp_model.LinearExprT] = []
    for pid in touched:
        for block in state.sessions:
            starts = _starts(model, pid, block, fixed_load[pid], by_part_slot, cap[pid])
            if len(starts) > 1:
                brk = model.new_int_var(0, len(starts) - 1, "")
                model.add(brk >= sum(starts) - 1)
                breaks.append(brk)
    model.minimize(sum(breaks))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(0.01, limit)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or solver.objective_value >= before:
        return False
    for (c, s), var in x.items():
        if solver.boolean_value(var):
            state.move(c, s)
    return True


def _starts(
    model: cp_model.CpModel,
    pid: str,
    slots: list[int],
    fixed_load: Counter[int],
    by_part_slot: dict[tuple[str, int], list[cp_model.IntVar]],
    cap: int,
) -> list[cp_model.LinearExprT]:
    """Start indicators of `pid`'s runs over the day, with the meetings that stay as constants."""
    busy: list[cp_model.LinearExprT | int] = []
    for s in slots:
        vars_ = by_part_slot.get((pid, s), [])
        if fixed_load[s] > 0:
            busy.append(1)
        elif not vars_:
            busy.append(0)
        elif cap <= 1 or len(vars_) == 1:
            busy.append(sum(vars_))
        else:
            b = model.new_bool_var("")
            model.add(b <= sum(vars_))
            for var in vars_:
                model.add_implication(var, b)
            busy.append(b)
    starts: list[cp_model.LinearExprT] = []
    prev: cp_model.LinearExprT | int = 0
    for b in busy:
        if isinstance(b, int):
            if b == 1 and (isinstance(prev, int) and prev == 0):
                starts.append(1)
            elif b == 1:
                st = model.new_bool_var("")
                model.add(st >= 1 - prev)
                starts.append(st)
        elif isinstance(prev, int):
            starts.append(b if prev == 0 else 0)
        else:
            st = model.new_bool_var("")
            model.add(st >= b - prev)
            starts.append(st)
        prev = b
    return starts
