"""First objective: which pairs meet, and in which class of slots (a MIP on aggregated slots).

Variables: y[c, k] = 1 when candidate c meets in some slot of class k (see candidates.py).
Constraints, per class rather than per slot:

- each candidate meets at most once (a fixed candidate exactly once, in its slot's class);
- a participant holds at most `capacity * len(class)` meetings in a class;
- a class holds at most `tables * len(class)` meetings;
- `max_meetings` over the whole instance.

Every schedule maps onto a solution of this model, so its optimum is a proved upper bound on
the weight. Conversely, when the meetings form a bipartite graph (firms meet operators), a
class's meetings can always be spread over its slots (König's edge-colouring theorem, with an
equitable colouring for the tables), so the bound is reached in practice; the placement
(placement.py) confirms it slot by slot. This model is tiny next to the slot-indexed one
(XL: 46 thousand variables instead of 300 thousand) and its LP relaxation is nearly integral,
so HiGHS proves it in seconds where CP-SAT did not in minutes. Where participants are away on
scattered slots, every slot is its own class and nothing is gained: there the solver relies on
the slot-indexed LP (slotlp.py) and runs this model only if that LP did not prove the weight.

A second solve keeps the weight at its optimum and spreads each participant's meetings over
as many days as possible: a participant with a single meeting on a day can have no break
there, so the placement starts from an easier problem.
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.linear_solver import pywraplp

from .candidates import Candidate
from .problem import Instance

logger = logging.getLogger(__name__)

# MIP solvers shipped in the OR-Tools wheel, best first.
_MIP_SOLVERS = ("HIGHS", "SCIP", "CBC")
# Share of the weight model's time kept for the spreading solve (run once the weight is known),
# which gets at most _SPREAD_FACTOR times the first solve's time (at least _SPREAD_MIN_SECONDS).
_SPREAD_SHARE = 0.5
_SPREAD_FACTOR = 1.0
_SPREAD_MIN_SECONDS = 1.0


@dataclass
class WeightResult:
    """Chosen class per candidate, the weight reached and a proved upper bound on it."""

    objective: int
    bound: int
    proved: bool
    chosen: dict[int, int] = field(default_factory=dict)  # candidate index -> class index
    spread: bool = False


def _new_solver() -> pywraplp.Solver:
    for name in _MIP_SOLVERS:
        solver = pywraplp.Solver.CreateSolver(name)
        if solver is not None:
            solver.SuppressOutput()
            if name == "HIGHS":
                # SuppressOutput alone leaves HiGHS' banner on standard output, where the
                # solve_schedule command prints its JSON and nothing else.
                solver.SetSolverSpecificParametersAsString("output_flag=false")
            return solver
    raise RuntimeError("no MIP solver available in OR-Tools")


def best_weight(
    instance: Instance,
    items: list[Candidate],
    classes: list[tuple[int, ...]],
    time_limit: float,
    spread: bool = True,
) -> WeightResult:
    """Solve the aggregated model within `time_limit` seconds (then spread, if time allows)."""
    started = time.perf_counter()
    class_of = {s: k for k, members in enumerate(classes) for s in members}
    solver = _new_solver()
    y: dict[tuple[int, int], pywraplp.Variable] = {}
    for c, item in enumerate(items):
        for k in sorted({class_of[s] for s in item.slots}):
            y[c, k] = solver.BoolVar(f"y_{c}_{k}")
    _add_constraints(solver, instance, items, classes, y)
    weight = solver.Sum(items[c].weight * var for (c, _k), var in y.items())
    solver.Maximize(weight)
    solver.SetTimeLimit(max(1, int(1000 * time_limit * (1 - _SPREAD_SHARE))))
    status = solver.Solve()
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        # Not even a first solution (or the fixed meetings clash: checked before, never here).
        total = sum(item.weight for item in items)
        return WeightResult(objective=-1, bound=total, proved=False)
    best = round(solver.Objective().Value())
    proved = status == pywraplp.Solver.OPTIMAL
    bound = best if proved else math.floor(solver.Objective().BestBound() + 1e-6)
    chosen = _chosen(y)
    logger.info(
        "weight model: %s %d (bound %d), %d variables, %.2f s",
        "proved" if proved else "best",
        best,
        bound,
        len(y),
        time.perf_counter() - started,
    )
    result = WeightResult(objective=best, bound=max(bound, best), proved=proved, chosen=chosen)
    # The spreading solve is harder than the first one; past a few times the first one's time
    # it rarely finishes, and the placement makes better use of the time.
    first = time.perf_counter() - started
    left = min(time_limit - first, max(_SPREAD_MIN_SECONDS, _SPREAD_FACTOR * first))
    if spread and left > 0.05:
        _spread(solver, instance, items, classes, y, weight, best, left, result)
    return result


def _add_constraints(
    solver: pywraplp.Solver,
    instance: Instance,
    items: list[Candidate],
    classes: list[tuple[int, ...]],
    y: dict[tuple[int, int], pywraplp.Variable],
) -> None:
    own: dict[int, list[pywraplp.Variable]] = defaultdict(list)
    by_part_class: dict[tuple[str, int], list[pywraplp.Variable]] = defaultdict(list)
    by_class: dict[int, list[pywraplp.Variable]] = defaultdict(list)
    by_part: dict[str, list[pywraplp.Variable]] = defaultdict(list)
    for (c, k), var in y.items():
        item = items[c]
        own[c].append(var)
        by_class[k].append(var)
        for pid in {item.a, item.b}:
            by_part_class[pid, k].append(var)
            by_part[pid].append(var)
    for c, vars_ in own.items():
        if items[c].fixed:
            solver.Add(vars_[0] == 1)
        elif len(vars_) > 1:
            solver.Add(solver.Sum(vars_) <= 1)
    parts = {p.id: p for p in instance.participants}
    for (pid, k), vars_ in by_part_class.items():
        cap = parts[pid].capacity * len(classes[k])
        if len(vars_) > cap:
            solver.Add(solver.Sum(vars_) <= cap)
    for k, vars_ in by_class.items():
        tables = instance.slots[classes[k][0]].tables * len(classes[k])
        if len(vars_) > tables:
            solver.Add(solver.Sum(vars_) <= tables)
    for pid, vars_ in by_part.items():
        cap_total = parts[pid].max_meetings
        if cap_total is not None and len(vars_) > cap_total:
            solver.Add(solver.Sum(vars_) <= cap_total)


def _chosen(y: dict[tuple[int, int], pywraplp.Variable]) -> dict[int, int]:
    return {c: k for (c, k), var in y.items() if var.solution_value() > 0.5}


def _spread(
    solver: pywraplp.Solver,
    instance: Instance,
    items: list[Candidate],
    classes: list[tuple[int, ...]],
    y: dict[tuple[int, int], pywraplp.Variable],
    weight: pywraplp.LinearExpr,
    best: int,
    time_limit: float,
    result: WeightResult,
) -> None:
    """Keep the weight, maximise the (participant, day) pairs with a meeting; update `result`."""
    day_of_class = [instance.slots[members[0]].day for members in classes]
    by_part_day: dict[tuple[str, str], list[pywraplp.Variable]] = defaultdict(list)
    for (c, k), var in y.items():
        for pid in {items[c].a, items[c].b}:
            by_part_day[pid, day_of_class[k]].append(var)
    used = []
    for (pid, day), vars_ in by_part_day.items():
        u = solver.NumVar(0, 1, f"u_{pid}_{day}")  # integral at the optimum: y is
        solver.Add(u <= solver.Sum(vars_))
        used.append(u)
    solver.Add(weight >= best)
    solver.Maximize(solver.Sum(used))
    solver.SetTimeLimit(max(1, int(1000 * time_limit)))
    status = solver.Solve()
    if status in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        chosen = _chosen(y)
        if sum(items[c].weight for c in chosen) >= best:
            result.chosen = chosen
            result.spread = True
