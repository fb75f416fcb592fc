"""First objective at scale: the LP relaxation of the slot-indexed model, a bound and a schedule.

Variables x[c, s] in [0, 1] for every candidate c and allowed slot s; rows: each candidate meets
at most once (a fixed one exactly once, in its slot), a participant's capacity per slot, the
tables per slot, `max_meetings`. Per slot the meetings form a bipartite b-matching of at most
`tables` edges; only "each request at most once" and `max_meetings` tie the slots together.
GLOP (the simplex solver in the OR-Tools wheel) solves it in seconds where the MIP of the same
model (weight.py, when every slot is its own class) found no solution in its share.

What it proves:

- **A bound.** The LP optimum bounds the weight of every schedule. The bound reported is not
  the solver's objective: it is recomputed from the LP's dual values by weak duality (for any
  multipliers y >= 0 on the "<=" rows, free on the fixed meetings' "= 1" rows, the weight of
  every schedule is at most  sum(rhs * y) + sum over x of max(0, weight - column . y)), in
  plain arithmetic, so the solver's tolerances can only make it looser, never wrong. This is
  also the Lagrangian bound of those multipliers.
- **The optimum, when the bound is reached.** The LP's vertex is usually integral on real-like
  missions (every size and seed of the benchmark's generator so far); it is then a schedule.
  Otherwise values of at least 1/2 are kept and the other candidates inserted greedily (every
  rule checked), and the weight is proved only if that schedule still reaches the bound.
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter
from dataclasses import dataclass, field

from ortools.linear_solver import linear_solver_pb2, pywraplp

from .candidates import Candidate
from .problem import Instance

logger = logging.getLogger(__name__)

# Values within this of 0 or 1 are integral.
_EPS = 1e-6


@dataclass
class LPResult:
    """The LP's bound (None when GLOP did not finish) and a valid schedule (candidate -> slot)."""

    bound: int | None
    placed: dict[int, int] = field(default_factory=dict)
    weight: int = 0
    integral: bool = False
    seconds: float = 0.0

    @property
    def proved(self) -> bool:
        return self.bound is not None and self.weight >= self.bound


def solve_lp(
    instance: Instance,
    items: list[Candidate],
    time_limit: float,
    near: dict[int, int] | None = None,
) -> LPResult:
    """Solve the LP within `time_limit` seconds; round and repair its solution.

    With `near` (candidate -> slot, a schedule with few breaks), the objective also rewards
    keeping `near`'s meetings on their day (1) and slot (2), scaled so that the whole reward
    is worth less than one unit of weight: among the weight-optimal solutions the LP picks one
    that disturbs `near`'s breaks least (a second LP with the weight fixed did the same, but
    took 2 to 15 times as long as the first on L).

    The model is written as a protocol buffer and solved in one call (`SolveWithProto`), which
    returns the values and duals as arrays: three times faster to build on L than one Python
    call per coefficient.
    """
    started = time.perf_counter()
    near = near or {}
    # Weight counts `scale` times: a reward of at most 2 per meeting of `near` never outweighs it.
    scale = 2 * len(near) + 1
    parts = {p.id: p for p in instance.participants}
    day = [sl.day for sl in instance.slots]
    request = linear_solver_pb2.MPModelRequest()
    model = request.model
    model.maximize = True
    # Rows: (right-hand side, equality) and the columns in each; a column lists its rows.
    rows: list[tuple[float, bool]] = []
    row_columns: list[list[int]] = []
    by_key: dict[tuple, int] = {}

    def row(key: tuple, rhs: float) -> int:
        r = by_key.get(key)
        if r is None:
            r = by_key[key] = len(rows)
            rows.append((rhs, False))
            row_columns.append([])
        return r

    columns: list[tuple[int, int, list[int]]] = []  # (candidate, slot, rows)
    for c, item in enumerate(items):
        own = len(rows)
        rows.append((1.0, item.fixed))
        row_columns.append([])
        people = {item.a, item.b}
        home = near.get(c)
        for s in item.slots:
            reward = 2 if home == s else 1 if home is not None and day[home] == day[s] else 0
            model.variable.add(
                lower_bound=0, upper_bound=1, objective_coefficient=scale * item.weight + reward
            )
            members = [own, row(("slot", s), instance.slots[s].tables)]
            for pid in people:
                members.append(row(("at", pid, s), parts[pid].capacity))
                if parts[pid].max_meetings is not None:
                    members.append(row(("total", pid), parts[pid].max_meetings))
            for r in members:
                row_columns[r].append(len(columns))
            columns.append((c, s, members))
    for (rhs, equality), cols in zip(rows, row_columns, strict=True):
        ct = model.constraint.add(lower_bound=rhs if equality else -math.inf, upper_bound=rhs)
        ct.var_index.extend(cols)
        ct.coefficient.extend([1.0] * len(cols))
    request.solver_type = linear_solver_pb2.MPModelRequest.GLOP_LINEAR_PROGRAMMING
    request.solver_time_limit_seconds = max(0.1, time_limit - (time.perf_counter() - started))
    response = linear_solver_pb2.MPSolutionResponse()
    pywraplp.Solver.SolveWithProto(request, response)
    if response.status != linear_solver_pb2.MPSOLVER_OPTIMAL:
        logger.info(
            "slot LP: status %d after %.2f s", response.status, time.perf_counter() - started
        )
        return LPResult(bound=None, seconds=time.perf_counter() - started)
    values = response.variable_value
    value = {(c, s): values[j] for j, (c, s, _rows) in enumerate(columns)}
    bound = _dual_bound(items, rows, columns, list(response.dual_value), scale)
    placed = repair(instance, items, value)
    result = LPResult(
        bound=bound,
        placed=placed,
        weight=_weight(items, placed),
        integral=all(v < _EPS or v > 1 - _EPS for v in values),
        seconds=time.perf_counter() - started,
    )
    logger.info(
        "slot LP: %d columns, bound %d, schedule %d (%s), %.2f s",
        len(columns),
        bound,
        result.weight,
        "integral" if result.integral else "repaired",
        result.seconds,
    )
    return result


def _weight(items: list[Candidate], placed: dict[int, int]) -> int:
    return sum(items[c].weight for c in placed)


def _dual_bound(
    items: list[Candidate],
    rows: list[tuple[float, bool]],
    columns: list[tuple[int, int, list[int]]],
    duals: list[float],
    scale: int,
) -> int:
    """Weak duality with the LP's multipliers (clipped to >= 0 on "<=" rows, divided by the
    weight's scale): a valid bound on the weight alone, whatever the reward."""
    y = [
        d / scale if equality else max(0.0, d / scale)
        for d, (_rhs, equality) in zip(duals, rows, strict=True)
    ]
    total = sum(rhs * y[r] for r, (rhs, _eq) in enumerate(rows))
    for c, _s, members in columns:
        total += max(0.0, items[c].weight - sum(y[r] for r in members))
    # Integer weights: the bound rounds down (the margin absorbs float rounding of the sums).
    return math.floor(total + 1e-6)


def repair(
    instance: Instance, items: list[Candidate], value: dict[tuple[int, int], float]
) -> dict[int, int]:
    """A valid schedule from LP values: fixed meetings, then candidates by value and weight.

    Each candidate tries its slots from the highest LP value down and takes the first where
    every rule still holds. An integral LP solution comes back unchanged (its meetings are
    placed first and never clash).
    """
    parts = {p.id: p for p in instance.participants}
    best: dict[int, float] = {}
    for (c, _s), v in value.items():
        best[c] = max(best.get(c, 0.0), v)
    order = sorted(
        range(len(items)),
        key=lambda c: (not items[c].fixed, -round(best.get(c, 0.0), 6), -items[c].weight, c),
    )
    used_tables: Counter[int] = Counter()
    load: Counter[tuple[str, int]] = Counter()
    total: Counter[str] = Counter()
    placed: dict[int, int] = {}
    for c in order:
        item = items[c]
        people = {item.a, item.b}
        if any(
            parts[p].max_meetings is not None and total[p] >= parts[p].max_meetings for p in people
        ):
            continue
        for s in sorted(item.slots, key=lambda s: -value.get((c, s), 0.0)):
            if used_tables[s] >= instance.slots[s].tables:
                continue
            if any(load[p, s] >= parts[p].capacity for p in people):
                continue
            placed[c] = s
            used_tables[s] += 1
            for p in people:
                load[p, s] += 1
                total[p] += 1
            break
    return placed
