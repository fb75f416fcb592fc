"""The slot-indexed CP-SAT model: x[c, s] = 1 when candidate c meets in slot s.

Used twice: by the placement (placement.py), one day at a time, where every chosen meeting must
get a slot and breaks are minimised; and by the exact solve of small instances (solver.py),
over every slot, where weight is maximised first and breaks second.

Tables are not modelled one by one: they are interchangeable within a slot, so only their
number per slot matters (a meeting's table can be assigned afterwards in any order).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .candidates import Candidate
from .problem import Instance, session_blocks


@dataclass
class SlotModel:
    """A CP-SAT model over (candidate, slot) with the five rules; `members` are candidate ids."""

    model: cp_model.CpModel
    items: list[Candidate]
    x: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    by_part_slot: dict[tuple[str, int], list[cp_model.IntVar]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def weight(self) -> cp_model.LinearExprT:
        return sum(self.items[c].weight * var for (c, _s), var in self.x.items())

    def placed(self, solver: cp_model.CpSolver) -> dict[int, int]:
        """Candidate -> slot of the solver's current solution."""
        return {c: s for (c, s), var in self.x.items() if solver.boolean_value(var)}

    def hint(self, placed: dict[int, int]) -> None:
        """Hint every meeting variable (a complete hint lets CP-SAT start from a solution)."""
        for (c, s), var in self.x.items():
            self.model.add_hint(var, placed.get(c) == s)


def build(
    instance: Instance,
    items: list[Candidate],
    members: Iterable[int],
    slots: set[int] | None = None,
    mandatory: bool = False,
) -> SlotModel:
    """Build the model for candidates `members` restricted to `slots` (all when None).

    With `mandatory`, every member meets exactly once (the set of meetings is already decided,
    so `max_meetings` needs no constraint); otherwise at most once, with `max_meetings` kept.
    Fixed candidates always meet in their slot.
    """
    sm = SlotModel(cp_model.CpModel(), items)
    model = sm.model
    by_slot: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    by_part: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for c in members:
        item = items[c]
        own = []
        for s in item.slots:
            if slots is not None and s not in slots:
                continue
            var = model.new_bool_var(f"x_{c}_{s}")
            sm.x[c, s] = var
            own.append(var)
            by_slot[s].append(var)
            for pid in {item.a, item.b}:
                sm.by_part_slot[pid, s].append(var)
                by_part[pid].append(var)
        if mandatory or item.fixed:
            model.add_exactly_one(own)
        elif len(own) > 1:
            model.add_at_most_one(own)
    parts = {p.id: p for p in instance.participants}
    for (pid, _s), vars_ in sm.by_part_slot.items():
        cap = parts[pid].capacity
        if len(vars_) > cap:
            if cap == 1:
                model.add_at_most_one(vars_)
            else:
                model.add(sum(vars_) <= cap)
    for s, vars_ in by_slot.items():
        if len(vars_) > instance.slots[s].tables:
            model.add(sum(vars_) <= instance.slots[s].tables)
    if not mandatory:
        for pid, vars_ in by_part.items():
            cap_total = parts[pid].max_meetings
            if cap_total is not None and len(vars_) > cap_total:
                model.add(sum(vars_) <= cap_total)
    return sm


def break_terms(sm: SlotModel, instance: Instance, mandatory: bool = False) -> cp_model.LinearExprT:
    """Return the number of breaks as a linear expression of new variables.

    For each participant and slot, `busy` is 1 exactly when it meets then (the plain sum of its
    meetings when the capacity is 1; otherwise a boolean tied both ways to them, so that an
    idle slot cannot be declared busy to hide a gap). A "start" is a busy slot whose previous
    slot of the same session is idle; a participant's breaks in a session are its starts minus
    one. When the participant surely meets in that session (`mandatory` models, where a meeting
    whose slots all lie in the session must be held), that is exact as it stands; otherwise a
    variable max(0, starts - 1) is added.
    """
    model = sm.model
    cap = {p.id: p.capacity for p in instance.participants}
    blocks = session_blocks(instance)
    slots_of: dict[str, set[int]] = defaultdict(set)
    for pid, s in sm.by_part_slot:
        slots_of[pid].add(s)
    surely: set[tuple[str, int]] = set()  # (participant, first slot of a session)
    first_of = {s: block[0] for block in blocks for s in block}
    by_candidate: dict[int, set[int]] = defaultdict(set)
    for c, s in sm.x:
        by_candidate[c].add(first_of[s])
    for c, firsts in by_candidate.items():
        if (mandatory or sm.items[c].fixed) and len(firsts) == 1:
            surely.update((pid, next(iter(firsts))) for pid in (sm.items[c].a, sm.items[c].b))

    busy: dict[tuple[str, int], cp_model.LinearExprT] = {}
    for (pid, s), vars_ in sm.by_part_slot.items():
        if len(vars_) == 1 or cap[pid] <= 1:
            busy[pid, s] = sum(vars_)
        else:
            b = model.new_bool_var(f"busy_{pid}_{s}")
            model.add(b <= sum(vars_))
            for var in vars_:
                model.add_implication(var, b)
            busy[pid, s] = b

    total: list[cp_model.LinearExprT] = []
    offset = 0
    for pid in sorted(slots_of):
        for block in blocks:
            starts = _starts(model, pid, block, busy)
            if not starts:
                continue
            if (pid, block[0]) in surely:
                total.extend(starts)
                offset += 1
            elif len(starts) > 1:
                brk = model.new_int_var(0, len(starts) - 1, f"breaks_{pid}_{block[0]}")
                model.add(brk >= sum(starts) - 1)
                total.append(brk)
    return sum(total) - offset


def _starts(
    model: cp_model.CpModel,
    pid: str,
    slots: list[int],
    busy: dict[tuple[str, int], cp_model.LinearExprT],
) -> list[cp_model.LinearExprT]:
    """Start indicators of `pid`'s runs of busy slots over one session's `slots` (time order)."""
    starts: list[cp_model.LinearExprT] = []
    prev: int | None = None
    for s in slots:
        if (pid, s) in busy:
            if prev is None or (pid, prev) not in busy:
                starts.append(busy[pid, s])
            else:
                st = model.new_bool_var(f"start_{pid}_{s}")
                model.add(st >= busy[pid, s] - busy[pid, prev])
                starts.append(st)
        prev = s
    return starts
