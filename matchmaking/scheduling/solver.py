"""CP-SAT optimiser of the meeting schedule (lexicographic: weight first, then breaks).

Why two phases rather than one weighted sum: the format ranks the objectives strictly (no number
of saved breaks is worth one lost meeting), and a weighted sum needs a big-M that weakens the
first bound. Phase 1 maximises the total weight; only if it is proved optimal, phase 2 fixes the
weight at that best value and minimises breaks, starting from phase 1's schedule as a hint.
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .greedy import greedy_meetings
from .problem import Instance, Meeting, Pair, Solution, check_instance
from .validate import check_fixed, count_breaks, objective

logger = logging.getLogger(__name__)

# Below this many seconds left, phase 2 is not worth starting: its result would be "feasible"
# anyway and the caller asked for the time limit to be kept.
_MIN_PHASE2_SECONDS = 0.05


@dataclass(frozen=True)
class _Item:
    """One pair that may meet: a request, a fixed meeting, or both (then it is one meeting)."""

    a: str
    b: str
    weight: int
    slots: tuple[int, ...]


def _items(instance: Instance) -> list[_Item]:
    """Build the candidate meetings, with only the slots where the rules allow them.

    Unavailability and a request's `slots` are applied here, when variables are created, rather
    than as constraints: it keeps the model small. A fixed pair gets its fixed slot only (and is
    written in the fixed orientation, so the fixed meeting comes back unchanged).
    """
    index = {s.id: i for i, s in enumerate(instance.slots)}
    unavailable = {p.id: set(p.unavailable) for p in instance.participants}
    fixed_slot: dict[Pair, tuple[str, str, str]] = {
        f.pair: (f.a, f.b, f.slot) for f in instance.fixed
    }
    items: list[_Item] = []
    for r in instance.requests:
        if r.pair in fixed_slot:
            a, b, sid = fixed_slot.pop(r.pair)
            items.append(_Item(a, b, r.weight, (index[sid],)))
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
            items.append(_Item(r.a, r.b, r.weight, slots))
    for a, b, sid in fixed_slot.values():
        items.append(_Item(a, b, 0, (index[sid],)))
    return items


def _infeasible(started: float, error: str) -> Solution:
    return Solution(
        status="infeasible",
        objective=0,
        bound=0,
        breaks=0,
        meetings=(),
        seconds=time.perf_counter() - started,
        error=error,
    )


def _sort(instance: Instance, meetings: list[Meeting]) -> tuple[Meeting, ...]:
    index = {s.id: i for i, s in enumerate(instance.slots)}
    return tuple(sorted(meetings, key=lambda m: (index[m.slot], m.a, m.b)))


def solve(
    instance: Instance, time_limit: float = 30.0, workers: int = 2, seed: int = 0
) -> Solution:
    """Solve the instance within `time_limit` seconds (shared by both phases).

    Returns status `optimal` only when both objectives are proved optimal; `feasible` when time
    ran out (objective, bound and breaks are those of the best schedule found); `infeasible`,
    with `error` naming the broken rule, when the fixed meetings alone break a rule.
    Raises ValueError for a structurally invalid instance (unknown ids, duplicate pairs).
    """
    started = time.perf_counter()
    deadline = started + time_limit
    problems = check_instance(instance)
    if problems:
        raise ValueError("invalid instance: " + "; ".join(problems))
    fixed_errors = check_fixed(instance)
    if fixed_errors:
        logger.info("fixed meetings break the rules: %s", "; ".join(fixed_errors))
        return _infeasible(started, "; ".join(fixed_errors))

    items = _items(instance)
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    by_part_slot: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
    by_slot: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    by_part: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    fixed_pairs = {f.pair for f in instance.fixed}
    for i, item in enumerate(items):
        for s in item.slots:
            var = model.new_bool_var(f"x_{i}_{s}")
            x[i, s] = var
            by_part_slot[item.a, s].append(var)
            by_part_slot[item.b, s].append(var)
            by_slot[s].append(var)
            by_part[item.a].append(var)
            by_part[item.b].append(var)
        own = [x[i, s] for s in item.slots]
        if frozenset((item.a, item.b)) in fixed_pairs:
            model.add(own[0] == 1)
        elif len(own) > 1:
            model.add_at_most_one(own)

    parts = {p.id: p for p in instance.participants}
    for (pid, _s), vars_ in by_part_slot.items():
        cap = parts[pid].capacity
        if len(vars_) > cap:
            if cap == 1:
                model.add_at_most_one(vars_)
            else:
                model.add(sum(vars_) <= cap)
    for s, vars_ in by_slot.items():
        if len(vars_) > instance.slots[s].tables:
            model.add(sum(vars_) <= instance.slots[s].tables)
    for pid, vars_ in by_part.items():
        cap_total = parts[pid].max_meetings
        if cap_total is not None and len(vars_) > cap_total:
            model.add(sum(vars_) <= cap_total)

    weight_expr = sum(item.weight * x[i, s] for i, item in enumerate(items) for s in item.slots)
    model.maximize(weight_expr)

    # The greedy schedule is valid (the fixed meetings are): a complete hint that gives CP-SAT a
    # first solution at once, so even a large instance never ends without any schedule.
    baseline = greedy_meetings(instance)
    baseline_slot = {m.pair: m.slot for m in baseline}
    index = {sl.id: k for k, sl in enumerate(instance.slots)}
    for i, item in enumerate(items):
        chosen = baseline_slot.get(frozenset((item.a, item.b)))
        for s in item.slots:
            model.add_hint(x[i, s], chosen is not None and index[chosen] == s)

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(0.01, deadline - time.perf_counter())
    status = solver.solve(model)
    logger.info(
        "phase 1: %s, objective %s, bound %s, %.2f s, %d variables",
        solver.status_name(status),
        solver.objective_value if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None,
        solver.best_objective_bound,
        solver.wall_time,
        len(x),
    )
    if status == cp_model.INFEASIBLE:
        return _infeasible(started, "CP-SAT proved that no schedule keeps every rule")
    if status == cp_model.MODEL_INVALID:  # a bug here, not a property of the instance
        raise RuntimeError(f"invalid CP-SAT model: {model.validate()}")

    baseline_objective = objective(instance, baseline)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = {key: bool(solver.value(var)) for key, var in x.items()}
        best = round(solver.objective_value)
        bound = math.floor(solver.best_objective_bound + 1e-6)
    else:
        values, best, bound = {}, -1, sum(r.weight for r in instance.requests)
    if best < baseline_objective:
        # No schedule found in time (or a worse one): never answer below the baseline.
        values = {
            (i, s): baseline_slot.get(frozenset((it.a, it.b))) == instance.slots[s].id
            for i, it in enumerate(items)
            for s in it.slots
        }
        best = baseline_objective
    meetings = _meetings(items, values, instance)
    proved = status == cp_model.OPTIMAL
    bound = best if proved else max(bound, best)

    extra: dict[str, object] = {"phase1_status": solver.status_name(status), "variables": len(x)}
    final_status = "feasible"
    if proved and deadline - time.perf_counter() > _MIN_PHASE2_SECONDS:
        model.add(weight_expr == best)
        phase2 = _breaks_phase(model, instance, items, x, values)
        solver2 = cp_model.CpSolver()
        solver2.parameters.num_workers = max(1, workers)
        solver2.parameters.random_seed = seed
        solver2.parameters.max_time_in_seconds = max(0.01, deadline - time.perf_counter())
        status2 = solver2.solve(model)
        logger.info(
            "phase 2: %s, breaks %s, bound %s, %.2f s",
            solver2.status_name(status2),
            solver2.objective_value if status2 in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None,
            solver2.best_objective_bound,
            solver2.wall_time,
        )
        extra["phase2_status"] = solver2.status_name(status2)
        if status2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            values2 = {key: bool(solver2.value(var)) for key, var in x.items()}
            candidate = _meetings(items, values2, instance)
            if count_breaks(instance, candidate) <= count_breaks(instance, meetings):
                meetings = candidate
            extra["model_breaks"] = round(solver2.objective_value)
            extra["breaks_bound"] = math.ceil(solver2.best_objective_bound - 1e-6)
            if status2 == cp_model.OPTIMAL:
                final_status = "optimal"
        extra["break_terms"] = phase2
    return Solution(
        status=final_status,
        objective=objective(instance, meetings),
        bound=bound,
        breaks=count_breaks(instance, meetings),
        meetings=_sort(instance, meetings),
        seconds=time.perf_counter() - started,
        extra=extra,
    )


def _meetings(
    items: list[_Item], values: dict[tuple[int, int], bool], instance: Instance
) -> list[Meeting]:
    return [
        Meeting(items[i].a, items[i].b, instance.slots[s].id) for (i, s), on in values.items() if on
    ]


def _breaks_phase(
    model: cp_model.CpModel,
    instance: Instance,
    items: list[_Item],
    x: dict[tuple[int, int], cp_model.IntVar],
    values: dict[tuple[int, int], bool],
) -> int:
    """Add the break count as the objective to minimise; return the number of break terms.

    For each participant and slot, `busy` is 1 exactly when it meets then (a plain sum when the
    capacity is 1, otherwise a boolean tied both ways to its meetings, so an idle slot cannot be
    declared busy to hide a gap). A "start" is a busy slot whose previous slot of the same day is
    idle; a participant's breaks on a day are max(0, starts - 1), which the minimisation makes
    exact from the two lower bounds. Every new variable is hinted from phase 1's schedule, so
    the hint is complete and CP-SAT starts from a solution.
    """
    day_slots: dict[str, list[int]] = defaultdict(list)
    for k, sl in enumerate(instance.slots):
        day_slots[sl.day].append(k)
    vars_of: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    for i, item in enumerate(items):
        for s in item.slots:
            vars_of[item.a, s].append((i, s))
            vars_of[item.b, s].append((i, s))
    participants = sorted({pid for pid, _s in vars_of})

    model.clear_hints()
    for key, var in x.items():
        model.add_hint(var, values.get(key, False))

    busy: dict[tuple[str, int], cp_model.LinearExprT] = {}
    busy_value: dict[tuple[str, int], int] = {}
    cap = {p.id: p.capacity for p in instance.participants}
    for (pid, s), keys in vars_of.items():
        val = int(any(values.get(k, False) for k in keys))
        busy_value[pid, s] = val
        if len(keys) == 1 or cap[pid] <= 1:
            busy[pid, s] = sum(x[k] for k in keys)
        else:
            b = model.new_bool_var(f"busy_{pid}_{s}")
            model.add(b <= sum(x[k] for k in keys))
            for k in keys:
                model.add_implication(x[k], b)
            model.add_hint(b, bool(val))
            busy[pid, s] = b

    break_terms: list[cp_model.IntVar] = []
    for pid in participants:
        for day, slots in day_slots.items():
            starts: list[cp_model.LinearExprT] = []
            start_values: list[int] = []
            prev: int | None = None
            for s in slots:
                if (pid, s) in busy:
                    if prev is None or (pid, prev) not in busy:
                        starts.append(busy[pid, s])
                        start_values.append(busy_value[pid, s])
                    else:
                        st = model.new_bool_var(f"start_{pid}_{s}")
                        model.add(st >= busy[pid, s] - busy[pid, prev])
                        sv = int(busy_value[pid, s] == 1 and busy_value[pid, prev] == 0)
                        model.add_hint(st, bool(sv))
                        starts.append(st)
                        start_values.append(sv)
                prev = s
            if len(starts) < 2:
                continue
            brk = model.new_int_var(0, len(starts) - 1, f"breaks_{pid}_{day}")
            model.add(brk >= sum(starts) - 1)
            model.add_hint(brk, max(0, sum(start_values) - 1))
            break_terms.append(brk)
    model.minimize(sum(break_terms))
    return len(break_terms)
