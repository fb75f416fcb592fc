"""The schedule optimiser (lexicographic: weight first, then breaks), anytime by design.

0. Incumbent: the first-come schedule (greedy.py), polished. Every phase below starts from the
   best schedule known and replaces it only by a better one, so that a phase that fails or runs
   out of time costs nothing; the first-come schedule is never the answer while time remains.
1. Weight. First the LP relaxation of the slot-indexed model (slotlp.py): its duals give a
   proved upper bound, and its vertex, usually integral, is a schedule of that weight (then
   proved optimal without any MIP); the objective also rewards keeping the incumbent's
   meetings where they are, so that few breaks are added. Only if the LP does not prove the
   weight, a MIP (weight.py) decides which pairs meet and in which class of interchangeable
   slots of which day (skipped when the LP ran out of time and classes would not make the MIP
   smaller). If nothing beats the incumbent, the incumbent's meetings go on to the break phase.
2. Breaks, exactly (maxsat.py): for forum-sized instances, core-guided MaxSAT places the chosen
   meetings with the fewest breaks and proves it. When every candidate meeting is held, no other
   set of meetings has that weight, so both objectives are proved (status `optimal`).
3. Breaks, at scale (placement.py, lns.py): when MaxSAT is out of reach or out of time, one
   CP-SAT model per day, then a large-neighbourhood search that only lowers breaks.
4. Polish (compact.py): single-meeting moves, across days too, and swaps of two meetings of
   one participant, that only lower breaks; it also runs on the first-come schedule and on the
   LP's, where it is the strongest tool per second on large missions.
5. Small instances only (at most _EXACT_MAX_VARIABLES meeting variables), when not yet proved:
   the whole problem is solved again as one slot-indexed CP-SAT model, weight then breaks,
   starting from the schedule above, which proves both objectives.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

from ortools.sat.python import cp_model

from . import maxsat, slotlp, slotmodel
from .candidates import Candidate, candidates, slot_classes
from .compact import compact
from .greedy import greedy_meetings
from .placement import place
from .problem import Instance, Meeting, Solution, check_instance
from .validate import check_fixed, count_breaks, objective
from .weight import WeightResult, best_weight

logger = logging.getLogger(__name__)

Progress = Callable[[dict[str, Any]], None]

# Share of the time limit the weight model may use (it needs a fraction of it: L 0.6 s of 30).
_WEIGHT_SHARE = 0.25
# Within MaxSAT's reach, the share of the time left given to the placement (CP-SAT and LNS)
# before the MaxSAT proof of the breaks takes the rest.
_PLACE_SHARE = 0.15
# Share of the time limit the slot-indexed LP may use (L: 2-7 s of 30, XL: 20-40 s of 120).
_LP_SHARE = 0.5
# When the LP did not finish, the weight MIP runs only if aggregating slots into classes
# leaves at most this share of its variables (otherwise its root LP is as large).
_AGGREGATE_MAX_SHARE = 0.5
# Time for the one SAT call that tries to hold every candidate (before the weight model).
_PLACE_ALL_SHARE = 0.1
# ... and the share of the time left for a second try when the weight model did not conclude.
_PLACE_ALL_AGAIN = 0.3
# Local-move polishing: a small share of the limit, at most a second, per call.
_COMPACT_SHARE = 0.03
_COMPACT_MAX_SECONDS = 1.0
# ... but the first-come schedule and the LP's get up to these shares of the time left: swaps
# take L's first-come schedule from 309 breaks to 50 (and the LP's from 153 to 65) in 4-6 s on
# a loaded machine, more than the LNS after them achieves in the same time.
_POLISH_SHARE = 0.15
_LP_POLISH_SHARE = 0.3
# Up to this many (pair, slot) variables the exact slot-indexed model runs after the
# decomposition, to prove both objectives; beyond, it would only burn the time limit.
_EXACT_MAX_VARIABLES = 2_000
# Share of the exact model's time given to proving the weight (when the decomposition did not).
_EXACT_WEIGHT_SHARE = 0.5


def solve(
    instance: Instance,
    time_limit: float = 30.0,
    workers: int = 2,
    seed: int = 0,
    on_progress: Progress | None = None,
) -> Solution:
    """Solve the instance within `time_limit` seconds.

    Returns status `optimal` only when both objectives are proved optimal; `feasible` when they
    are not (then `extra["weight_proved"]` says whether the weight is: `objective == bound`);
    `infeasible`, with `error` naming the broken rule, when the fixed meetings alone break a
    rule. Raises ValueError for a structurally invalid instance (unknown ids, duplicate pairs).

    `workers` and `seed` go to CP-SAT. `on_progress`, when given, is called a few times (after
    each phase and each day of the placement) with a dict: `phase` ("weight", "placement",
    "polish", "exact" or "done"), `fraction` (0 to 1, the share of the time limit used, 1.0
    when done), and the best `objective`, `bound` and `breaks` known so far (None until known).
    It runs in the solver's thread, so it should return quickly (e.g. update a Celery task
    state); an exception it raises propagates and aborts the solve.
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

    items = candidates(instance)
    classes = slot_classes(instance)
    progress = _Reporter(on_progress, started, time_limit)
    # The first-come schedule, polished, is the first incumbent: every later phase starts from
    # the best schedule known and only ever replaces it by a better one.
    first_come = _from_meetings(instance, items, greedy_meetings(instance))
    placed = _compact(instance, items, first_come, deadline, _POLISH_SHARE)
    extra: dict[str, Any] = {"classes": len(classes)}
    total = sum(item.weight for item in items)
    variables = sum(len(item.slots) for item in items)
    exact_reach = sum(len(item.slots) for item in items) <= maxsat.MAX_VARIABLES
    weight: WeightResult | None = None
    if exact_reach and _may_hold_all(instance, items):
        # Forum-sized: can every candidate be held? One SAT call says so, and then the weight
        # is proved without the weight model.
        now = time.perf_counter()
        every = maxsat.place_all(
            instance, items, list(range(len(items))), now + _PLACE_ALL_SHARE * time_limit
        )
        if every is not None:
            placed = _better(instance, items, _compact(instance, items, every, deadline), placed)
            chosen = _classes_of(every, classes)
            weight = WeightResult(objective=total, bound=total, proved=True, chosen=chosen)
    lp_bound = total
    if weight is None:
        # The slot-indexed LP: a bound from its duals and, when its vertex is integral (the
        # usual case), the optimal meetings. Where it proves the weight the MIP is not needed.
        try:
            lp = slotlp.solve_lp(instance, items, _LP_SHARE * time_limit, near=placed)
        except Exception:  # an LP solver failing must not cost the schedule found so far
            logger.exception("slot LP failed; going on to the weight model")
            lp = slotlp.LPResult(bound=None)
        extra["slot_lp"] = "none" if lp.bound is None else "integral" if lp.integral else "repaired"
        if lp.bound is not None:
            lp_bound = lp.bound
            placed = _better(
                instance,
                items,
                _compact(instance, items, lp.placed, deadline, _LP_POLISH_SHARE),
                placed,
            )
            if lp.proved:
                chosen = _classes_of(lp.placed, classes)
                weight = WeightResult(lp.weight, lp.bound, proved=True, chosen=chosen)
        elif _aggregated_size(items, classes) > _AGGREGATE_MAX_SHARE * variables:
            # The MIP's root is an LP as large as the one that just ran out of time: it would
            # find nothing either, and HiGHS has overrun its limit on such models (35 s of 15).
            weight = WeightResult(objective=-1, bound=total, proved=False)
            extra["weight_model"] = "skipped"
    if weight is None:
        try:
            weight = best_weight(instance, items, classes, _WEIGHT_SHARE * time_limit)
        except Exception:  # a MIP solver failing must not cost the schedule found so far
            logger.exception("weight model failed; going on from the first-come schedule")
            weight = WeightResult(objective=-1, bound=total, proved=False)
        weight.bound = min(weight.bound, lp_bound)
        weight.proved = weight.proved or weight.objective >= weight.bound
        if (
            exact_reach
            and weight.objective < total <= weight.bound
            and _may_hold_all(instance, items)
        ):
            # The weight model could not rule out that every candidate fits, nor find such a
            # schedule (tables nearly all taken: the SAT call above may just need more time).
            now = time.perf_counter()
            every = maxsat.place_all(
                instance, items, list(range(len(items))), now + _PLACE_ALL_AGAIN * (deadline - now)
            )
            if every is not None:
                placed = _better(
                    instance, items, _compact(instance, items, every, deadline), placed
                )
                chosen = _classes_of(every, classes)
                weight = WeightResult(objective=total, bound=total, proved=True, chosen=chosen)
    bound = weight.bound
    extra.setdefault("weight_model", "proved" if weight.proved else "time limit")
    extra["spread"] = weight.spread
    progress("weight", objective=weight.objective, bound=bound)

    # The meetings to place: the weight model's, unless it found none or worse than the
    # incumbent (out of time), in which case the incumbent's meetings get their breaks lowered.
    chosen = weight.chosen
    if weight.objective <= _weight(items, placed):
        chosen = _classes_of(placed, classes)
        extra["placed_from"] = "incumbent"
    members = sorted(chosen)
    # Within MaxSAT's reach, the placement gets a share of the time first: a schedule of the
    # chosen meetings with few breaks, kept if MaxSAT does not conclude.
    now = time.perf_counter()
    place_deadline = deadline - _compact_budget(time_limit)
    # MaxSAT proves the real events (every request held) in seconds, and its proof makes the
    # schedule optimal only when every candidate is held. Where tables are scarce it rarely
    # concludes, and could prove only the breaks of one set of meetings among many of the same
    # weight: the placement's search gets all the time there.
    exact_reach = exact_reach and weight.objective >= total
    if exact_reach:
        place_deadline = now + _PLACE_SHARE * (deadline - now)
    placement = place(
        instance,
        items,
        chosen,
        classes,
        place_deadline,
        workers,
        seed,
        on_day=lambda done, days: progress("placement", bound=bound),
        start=placed,
    )
    extra.update(dropped=len(placement.dropped), days_proved=placement.proved_days)
    placed = _better(instance, items, _compact(instance, items, placement.slots, deadline), placed)
    breaks_proved = False
    if exact_reach:
        # A margin for stopping two solvers and a polish after them.
        stop_at = deadline - _compact_budget(time_limit) - 0.03 * time_limit
        found = maxsat.min_breaks(instance, items, members, stop_at, hint=placed)
        extra["maxsat"] = "proved" if found is not None else "time limit"
        if found is not None:
            placed = _better(instance, items, found.slots, placed)
            breaks_proved = placed is found.slots
        elif _weight(items, placed) < sum(items[c].weight for c in members):
            # Neither the placement nor MaxSAT placed the chosen meetings in time (a loaded
            # machine): one SAT call on the rules alone does, breaks ignored, then the polish.
            now = time.perf_counter()
            every = maxsat.place_all(instance, items, members, now + 0.5 * (deadline - now))
            if every is not None:
                placed = _better(
                    instance, items, _compact(instance, items, every, deadline), placed
                )
    weight_proved = _weight(items, placed) >= bound
    progress(
        "polish",
        objective=_weight(items, placed),
        bound=bound,
        breaks=_breaks(instance, items, placed),
    )

    # Breaks proved for the chosen meetings are proved for the instance when those are every
    # candidate: no other set of meetings reaches the weight then.
    every_one = breaks_proved and len(placed) == len(items)
    weight_proved = weight_proved or every_one
    both_proved = weight_proved and (_breaks(instance, items, placed) == 0 or every_one)
    extra["variables"] = variables
    if not both_proved and variables <= _EXACT_MAX_VARIABLES:
        placed, bound, weight_proved, both_proved = _exact(
            instance, items, placed, bound, weight_proved, deadline, workers, seed, extra
        )
        progress("exact", objective=_weight(items, placed), bound=bound)

    meetings = _meetings(instance, items, placed)
    final = objective(instance, meetings)
    extra["weight_proved"] = weight_proved
    solution = Solution(
        status="optimal" if both_proved else "feasible",
        objective=final,
        bound=max(bound, final),
        breaks=count_breaks(instance, meetings),
        meetings=meetings,
        seconds=time.perf_counter() - started,
        extra=extra,
    )
    progress("done", objective=final, bound=solution.bound, breaks=solution.breaks, done=True)
    return solution


class _Reporter:
    """Calls `on_progress` with the phase, the share of the time used and the best figures."""

    def __init__(self, callback: Progress | None, started: float, time_limit: float) -> None:
        self.callback = callback
        self.started = started
        self.time_limit = time_limit

    def __call__(
        self,
        phase: str,
        objective: int | None = None,
        bound: int | None = None,
        breaks: int | None = None,
        done: bool = False,
    ) -> None:
        if self.callback is None:
            return
        used = (time.perf_counter() - self.started) / max(self.time_limit, 1e-9)
        self.callback(
            {
                "phase": phase,
                "fraction": 1.0 if done else round(min(0.99, used), 3),
                "objective": objective if objective is None or objective >= 0 else None,
                "bound": bound,
                "breaks": breaks,
            }
        )


def _exact(
    instance: Instance,
    items: list[Candidate],
    placed: dict[int, int],
    bound: int,
    weight_proved: bool,
    deadline: float,
    workers: int,
    seed: int,
    extra: dict[str, Any],
) -> tuple[dict[int, int], int, bool, bool]:
    """Solve the slot-indexed model, weight then breaks, from `placed`; prove what it can.

    Returns the schedule, the weight bound, whether the weight and whether both objectives are
    proved. The weight phase runs only when the decomposition left the weight unproved; it is
    cut by the bound already known (a valid constraint: no schedule exceeds it).
    """
    sm = slotmodel.build(instance, items, range(len(items)))
    weight = sm.weight()
    best = _weight(items, placed)
    if not weight_proved:
        sm.model.add(weight <= bound)
        sm.model.maximize(weight)
        sm.hint(placed)
        solver = _cp_solver(_EXACT_WEIGHT_SHARE * (deadline - time.perf_counter()), workers, seed)
        status = solver.solve(sm.model)
        extra["exact_weight"] = solver.status_name(status)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            candidate = sm.placed(solver)
            placed = _better(instance, items, candidate, placed)
            best = _weight(items, placed)
            bound = min(bound, math.floor(solver.best_objective_bound + 1e-6))
            weight_proved = status == cp_model.OPTIMAL
        if status == cp_model.INFEASIBLE:  # cannot happen: the fixed meetings were checked
            raise RuntimeError("CP-SAT found the checked fixed meetings infeasible")
    sm.model.add(weight == best if weight_proved else weight >= best)
    sm.model.minimize(slotmodel.break_terms(sm, instance))
    sm.model.clear_hints()
    sm.hint(placed)
    solver = _cp_solver(deadline - time.perf_counter(), workers, seed)
    status = solver.solve(sm.model)
    extra["exact_breaks"] = solver.status_name(status)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found = sm.placed(solver)
        if _better(instance, items, found, placed) is found:
            extra["model_breaks"] = round(solver.objective_value)
            placed = found
    both = weight_proved and status == cp_model.OPTIMAL
    return placed, bound, weight_proved, both


def _classes_of(placed: dict[int, int], classes: list[tuple[int, ...]]) -> dict[int, int]:
    """Candidate -> class of its slot, for a schedule given as candidate -> slot."""
    class_of = {s: k for k, members in enumerate(classes) for s in members}
    return {c: class_of[s] for c, s in placed.items()}


def _aggregated_size(items: list[Candidate], classes: list[tuple[int, ...]]) -> int:
    """Variables of the weight model: one per candidate and class of its slots."""
    class_of = {s: k for k, members in enumerate(classes) for s in members}
    return sum(len({class_of[s] for s in item.slots}) for item in items)


def _may_hold_all(instance: Instance, items: list[Candidate]) -> bool:
    """Cheap necessary conditions for every candidate to be held: enough tables overall, and
    no participant with more candidates than its slots, capacity and max_meetings allow."""
    if len(items) > sum(s.tables for s in instance.slots):
        return False
    count: dict[str, int] = {}
    reach: dict[str, set[int]] = {}
    for item in items:
        for pid in {item.a, item.b}:
            count[pid] = count.get(pid, 0) + 1
            reach.setdefault(pid, set()).update(item.slots)
    for p in instance.participants:
        if p.id not in count:
            continue
        if p.max_meetings is not None and count[p.id] > p.max_meetings:
            return False
        if count[p.id] > p.capacity * len(reach[p.id]):
            return False
    return True


def _cp_solver(limit: float, workers: int, seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(0.01, limit)
    return solver


def _compact_budget(time_limit: float) -> float:
    return min(_COMPACT_MAX_SECONDS, _COMPACT_SHARE * time_limit)


def _compact(
    instance: Instance,
    items: list[Candidate],
    placed: dict[int, int],
    deadline: float,
    share: float | None = None,
) -> dict[int, int]:
    """Polish for a small budget, or for `share` of the time left (the polish of a whole
    schedule of new meetings, before the placement)."""
    left = deadline - time.perf_counter()
    budget = min(_compact_budget(left) if share is None else share * left, left)
    return compact(instance, items, placed, max(0.0, budget))


def _from_meetings(
    instance: Instance, items: list[Candidate], meetings: list[Meeting]
) -> dict[int, int]:
    """Candidate -> slot of a schedule given as meetings (every meeting is a candidate)."""
    candidate_of = {item.pair: c for c, item in enumerate(items)}
    slot_of = {sl.id: s for s, sl in enumerate(instance.slots)}
    return {candidate_of[m.pair]: slot_of[m.slot] for m in meetings}


def _weight(items: list[Candidate], placed: dict[int, int]) -> int:
    return sum(items[c].weight for c in placed)


def _breaks(instance: Instance, items: list[Candidate], placed: dict[int, int]) -> int:
    return count_breaks(instance, _meetings(instance, items, placed))


def _better(
    instance: Instance, items: list[Candidate], candidate: dict[int, int], current: dict[int, int]
) -> dict[int, int]:
    """The lexicographically better of two schedules (weight up, then breaks); ties keep
    `candidate`."""
    key_new = (-_weight(items, candidate), _breaks(instance, items, candidate))
    key_old = (-_weight(items, current), _breaks(instance, items, current))
    return candidate if key_new <= key_old else current


def _meetings(
    instance: Instance, items: list[Candidate], placed: dict[int, int]
) -> tuple[Meeting, ...]:
    ordered = sorted(placed.items(), key=lambda cs: (cs[1], items[cs[0]].a, items[cs[0]].b))
    return tuple(Meeting(items[c].a, items[c].b, instance.slots[s].id) for c, s in ordered)


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
