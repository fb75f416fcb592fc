"""CP-SAT optimiser of the meeting schedule (lexicographic: weight first, then breaks).

Why two phases rather than one weighted sum: the format ranks the objectives strictly (no number
of saved breaks is worth one lost meeting), and a weighted sum needs a big-M that weakens the
first bound. Phase 1 (hinted with the greedy schedule) maximises the total weight within 60% of
the time limit; phase 2 then always runs: it keeps the weight at least at phase 1's best (exactly
it when proved optimal) and minimises breaks, starting from phase 1's schedule as a hint. The
answer is never lexicographically worse than phase 1's schedule nor than the greedy baseline.
Single-meeting moves that lower breaks (_compact, milliseconds) polish the greedy hint, phase 1's
schedule before phase 2, and the final answer when phase 2 is not proved optimal.
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .greedy import greedy_meetings
from .problem import Instance, Meeting, Pair, Solution, check_instance
from .validate import check_fixed, count_breaks, objective

logger = logging.getLogger(__name__)

# Below this many seconds left, phase 2 is not worth starting: its result would be "feasible"
# anyway and the caller asked for the time limit to be kept.
_MIN_PHASE2_SECONDS = 0.05
# Share of the time limit given to phase 1 (weight); phase 2 (breaks) gets the rest, plus
# whatever phase 1 leaves unused when it proves optimality early.
_PHASE1_SHARE = 0.6
# Local-move polishing (see _compact): a small share of the limit, at most a second, per call.
_COMPACT_SHARE = 0.03
_COMPACT_MAX_SECONDS = 1.0
# Above this many meeting variables, phase 2 runs without CP-SAT's presolve (see below).
_PHASE2_PRESOLVE_MAX_VARIABLES = 5_000


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
    # first solution at once, so even a large instance never ends without any schedule. It is
    # first compacted by local moves (same meetings, fewer breaks) so the layout starts compact.
    baseline_values = _compact(
        instance,
        items,
        _values(items, greedy_meetings(instance), instance),
        _compact_budget(deadline, time_limit),
    )
    baseline = _meetings(items, baseline_values, instance)
    for key, var in x.items():
        model.add_hint(var, baseline_values[key])

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    # Phase 1 gets only part of the time, so that phase 2 always has time to compact the layout.
    solver.parameters.max_time_in_seconds = max(
        0.01, _PHASE1_SHARE * (deadline - time.perf_counter())
    )
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
    baseline_breaks = count_breaks(instance, baseline)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = {key: bool(solver.value(var)) for key, var in x.items()}
        best = round(solver.objective_value)
        bound = math.floor(solver.best_objective_bound + 1e-6)
    else:
        values, best, bound = {}, -1, sum(r.weight for r in instance.requests)
    meetings = _meetings(items, values, instance)
    if best < baseline_objective or (
        best == baseline_objective and count_breaks(instance, meetings) > baseline_breaks
    ):
        # No schedule found in time, a worse one, or an equal one with more breaks: never
        # answer below the baseline (lexicographically).
        values, best = baseline_values, baseline_objective
        meetings = _meetings(items, values, instance)
    proved = status == cp_model.OPTIMAL
    bound = best if proved else max(bound, best)
    # Cheap local moves first (same meetings): phase 2 then starts from a more compact schedule.
    values = _compact(instance, items, values, _compact_budget(deadline, time_limit))
    meetings = _meetings(items, values, instance)

    extra: dict[str, object] = {"phase1_status": solver.status_name(status), "variables": len(x)}
    final_status = "feasible"
    if deadline - time.perf_counter() > _MIN_PHASE2_SECONDS:
        # Phase 2 always runs: keep at least phase 1's weight (exactly it when proved optimal)
        # and minimise breaks, starting from phase 1's schedule.
        if proved:
            model.add(weight_expr == best)
        else:
            model.add(weight_expr >= best)
        phase2 = _breaks_phase(model, instance, items, x, values)
        solver2 = cp_model.CpSolver()
        solver2.parameters.num_workers = max(1, workers)
        solver2.parameters.random_seed = seed
        # Keep a little time back for the final polishing by local moves.
        reserve = _compact_budget(None, time_limit)
        solver2.parameters.max_time_in_seconds = max(0.01, deadline - reserve - time.perf_counter())
        if len(x) > _PHASE2_PRESOLVE_MAX_VARIABLES:
            # On a large model presolve eats most of phase 2's short time (seconds on M) before
            # the search even starts from the hint; without it the search improves at once.
            solver2.parameters.cp_model_presolve = False
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
            if _better(instance, candidate, meetings):
                meetings = candidate
                extra["model_breaks"] = round(solver2.objective_value)
            extra["breaks_bound"] = math.ceil(solver2.best_objective_bound - 1e-6)
            if status2 == cp_model.OPTIMAL and proved:
                final_status = "optimal"
        extra["break_terms"] = phase2
    if final_status != "optimal":
        # Phase 2 ran out of time (or could not run): polish its schedule with local moves.
        polished = _compact(
            instance,
            items,
            _values(items, meetings, instance),
            min(_compact_budget(None, time_limit), max(0.0, deadline - time.perf_counter())),
        )
        meetings = _meetings(items, polished, instance)
    if proved and final_status != "optimal":
        extra["phase1_proved"] = True
    return Solution(
        status=final_status,
        objective=objective(instance, meetings),
        bound=max(bound, objective(instance, meetings)),
        breaks=count_breaks(instance, meetings),
        meetings=_sort(instance, meetings),
        seconds=time.perf_counter() - started,
        extra=extra,
    )


def _compact_budget(deadline: float | None, time_limit: float) -> float:
    budget = min(_COMPACT_MAX_SECONDS, _COMPACT_SHARE * time_limit)
    if deadline is not None:
        budget = min(budget, max(0.0, 0.5 * (deadline - time.perf_counter())))
    return budget


def _values(
    items: list[_Item], meetings: list[Meeting], instance: Instance
) -> dict[tuple[int, int], bool]:
    index = {sl.id: k for k, sl in enumerate(instance.slots)}
    chosen = {m.pair: index[m.slot] for m in meetings}
    pairs = [frozenset((it.a, it.b)) for it in items]
    return {(i, s): chosen.get(pairs[i]) == s for i, it in enumerate(items) for s in it.slots}


def _compact(
    instance: Instance,
    items: list[_Item],
    values: dict[tuple[int, int], bool],
    budget: float,
) -> dict[tuple[int, int], bool]:
    """Hill-climb on breaks by moving single meetings to another allowed slot.

    A move keeps every rule (the item's allowed slots, both capacities, the slot's tables; the
    meeting count is unchanged so max_meetings holds) and is taken only when it strictly lowers
    the breaks of its two participants, so the weight never changes and breaks only go down.
    Fixed meetings have a single allowed slot and never move. Stops after `budget` seconds.
    """
    if budget <= 0:
        return values
    stop = time.perf_counter() + budget
    day = [sl.day for sl in instance.slots]
    tables = [sl.tables for sl in instance.slots]
    cap = {p.id: p.capacity for p in instance.participants}
    busy: dict[str, Counter[int]] = defaultdict(Counter)
    used: Counter[int] = Counter()
    where: dict[int, int] = {}
    for (i, s), on in values.items():
        if on:
            where[i] = s
            used[s] += 1
            for pid in {items[i].a, items[i].b}:
                busy[pid][s] += 1

    def breaks(pid: str, days: set[str]) -> int:
        # Slots of one day are contiguous indices, so adjacency is index + 1.
        total = 0
        prev: int | None = None
        for s in sorted(k for k, n in busy[pid].items() if n > 0 and day[k] in days):
            if prev is not None and day[prev] == day[s] and s - prev > 1:
                total += 1
            prev = s
        return total

    improved = True
    while improved and time.perf_counter() < stop:
        improved = False
        for i, s in where.items():
            item = items[i]
            if len(item.slots) < 2:
                continue
            pids = {item.a, item.b}
            for t in item.slots:
                if t == s or used[t] >= tables[t]:
                    continue
                if any(busy[p][t] >= cap[p] for p in pids):
                    continue
                days = {day[s], day[t]}
                before = sum(breaks(p, days) for p in pids)
                for p in pids:
                    busy[p][s] -= 1
                    busy[p][t] += 1
                after = sum(breaks(p, days) for p in pids)
                if after < before:
                    used[s] -= 1
                    used[t] += 1
                    where[i] = s = t
                    improved = True
                else:
                    for p in pids:
                        busy[p][t] -= 1
                        busy[p][s] += 1
            if time.perf_counter() >= stop:
                break
    return {(i, s): where.get(i) == s for i, it in enumerate(items) for s in it.slots}


def _better(instance: Instance, candidate: list[Meeting], current: list[Meeting]) -> bool:
    """True when `candidate` is at least as good lexicographically (weight up, then breaks)."""
    return (-objective(instance, candidate), count_breaks(instance, candidate)) <= (
        -objective(instance, current),
        count_breaks(instance, current),
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
