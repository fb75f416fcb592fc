"""Second objective: give each chosen meeting a slot of its day, with as few breaks as possible.

Breaks are counted per participant and day, so once the weight model has put every meeting on a
day the days are independent: each is a separate, much smaller CP-SAT model (slotmodel.py) in
which every meeting of that day must get one of the day's allowed slots (any class of the day,
not only the one the weight model picked) and the number of breaks is minimised. The days are
solved one after another; each gets a share of the time proportional to its size, and time a
day does not use goes to the next ones.

If a day's meetings cannot all be placed (possible only when fixed meetings or firm-to-firm
meetings defeat the class argument of weight.py), the day is solved again with its meetings
optional, dropping as little weight as possible first.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from . import lns, slotmodel
from .candidates import Candidate
from .problem import Instance

logger = logging.getLogger(__name__)

# Share of a day's time for CP-SAT on the whole day (a first schedule, and the proof on small
# days); the rest goes to the large-neighbourhood search (lns.py).
_WHOLE_DAY_SHARE = 0.4
# Above this many (meeting, slot) variables, a day that already has a schedule goes straight to
# the LNS.
_WHOLE_DAY_MAX_VARIABLES = 3_000
# Share of the day's time the class-by-class first schedule may take, per class.
_FIRST_SHARE = 0.1


@dataclass
class Placement:
    """Candidate -> slot for the meetings placed; `dropped` lists chosen meetings left out."""

    slots: dict[int, int] = field(default_factory=dict)
    dropped: list[int] = field(default_factory=list)
    proved_days: int = 0
    days: int = 0


def place(
    instance: Instance,
    items: list[Candidate],
    chosen: dict[int, int],
    classes: list[tuple[int, ...]],
    deadline: float,
    workers: int = 2,
    seed: int = 0,
    on_day: Callable[[int, int], None] | None = None,
    start: dict[int, int] | None = None,
) -> Placement:
    """Place the chosen meetings (candidate -> class) day by day before `deadline`.

    `start` (candidate -> slot), when it places every chosen meeting of a day, is that day's
    first schedule instead of the class-by-class one: the search starts from it and never
    returns anything worse.
    """
    day_of_class = [instance.slots[members[0]].day for members in classes]
    per_day: dict[str, list[int]] = defaultdict(list)
    for c, k in chosen.items():
        per_day[day_of_class[k]].append(c)
    day_slots: dict[str, set[int]] = defaultdict(set)
    for s, sl in enumerate(instance.slots):
        day_slots[sl.day].add(s)
    size = {
        day: sum(len(day_slots[day].intersection(items[c].slots)) for c in members)
        for day, members in per_day.items()
    }
    result = Placement(days=len(per_day))
    remaining = dict(size)
    for done, day in enumerate(sorted(per_day, key=lambda d: min(day_slots[d]))):
        share = size[day] / max(1, sum(remaining.values()))
        del remaining[day]
        day_deadline = time.perf_counter() + max(0.05, share * (deadline - time.perf_counter()))
        placed, proved = _place_one_day(
            instance, items, per_day[day], chosen, classes, day, day_slots[day], day_deadline,
            workers, seed, start,
        )  # fmt: skip
        result.slots.update(placed)
        result.dropped.extend(c for c in per_day[day] if c not in placed)
        result.proved_days += proved
        if on_day is not None:
            on_day(done + 1, len(per_day))
    return result


def _place_one_day(
    instance: Instance,
    items: list[Candidate],
    members: list[int],
    chosen: dict[int, int],
    classes: list[tuple[int, ...]],
    day: str,
    slots: set[int],
    deadline: float,
    workers: int,
    seed: int,
    start: dict[int, int] | None = None,
) -> tuple[dict[int, int], bool]:
    """First a schedule class by class, then CP-SAT on the whole day, then the LNS.

    The class-by-class schedule (each class's meetings spread over its own slots, a small
    feasibility model per class) is a complete hint for the whole-day model and the fallback
    if that model finds nothing in its time: on a loaded machine it may not.
    """
    if start is not None and all(start.get(c) in slots for c in members):
        first: dict[int, int] | None = {c: start[c] for c in members}
    else:
        first = _place_by_class(instance, items, members, chosen, classes, deadline, workers, seed)
    variables = sum(len(slots.intersection(items[c].slots)) for c in members)
    if first is not None and variables > _WHOLE_DAY_MAX_VARIABLES:
        # A large day with a schedule already: CP-SAT on the whole day found nothing in its
        # share on every such day measured (L, XL: 3,700 to 15,700 variables); the LNS does.
        placed, proved = None, False
    else:
        limit = _WHOLE_DAY_SHARE * (deadline - time.perf_counter())
        placed, proved = _place_day(
            instance, items, members, day, slots, limit, workers, seed, first
        )
    if placed is None:
        placed = first
    if placed is not None and not proved:
        state = lns.DayState(instance, items, placed, sorted(slots))
        steps, better = lns.improve_day(state, deadline, workers, seed)
        logger.info("day %s: %d neighbourhoods, %d improved", day, steps, better)
        return state.where, False
    if placed is not None:
        return placed, proved
    limit = max(0.05, deadline - time.perf_counter())
    return _place_day_soft(instance, items, members, slots, limit, workers, seed), False


def _place_by_class(
    instance: Instance,
    items: list[Candidate],
    members: list[int],
    chosen: dict[int, int],
    classes: list[tuple[int, ...]],
    deadline: float,
    workers: int,
    seed: int,
) -> dict[int, int] | None:
    """Spread each class's meetings over that class's slots (no objective); None on failure."""
    by_class: dict[int, list[int]] = defaultdict(list)
    for c in members:
        by_class[chosen[c]].append(c)
    placed: dict[int, int] = {}
    for k, group in by_class.items():
        sm = slotmodel.build(instance, items, group, set(classes[k]), mandatory=True)
        limit = _FIRST_SHARE * (deadline - time.perf_counter())
        solver = _solver(limit, workers, seed)
        status = solver.solve(sm.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            logger.info("class %d: %s", k, solver.status_name(status))
            return None
        placed.update(sm.placed(solver))
    return placed


def _solver(limit: float, workers: int, seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(0.01, limit)
    return solver


def _place_day(
    instance: Instance,
    items: list[Candidate],
    members: list[int],
    day: str,
    slots: set[int],
    limit: float,
    workers: int,
    seed: int,
    hint: dict[int, int] | None = None,
) -> tuple[dict[int, int] | None, bool]:
    """Every member gets a slot of the day; minimise breaks. None when none was found."""
    sm = slotmodel.build(instance, items, members, slots, mandatory=True)
    if hint is not None:
        sm.hint(hint)
    sm.model.minimize(slotmodel.break_terms(sm, instance, mandatory=True))
    solver = _solver(limit, workers, seed)
    status = solver.solve(sm.model)
    logger.info(
        "day %s: %d meetings, %d variables, %s, breaks %s (bound %s), %.2f s",
        day,
        len(members),
        len(sm.x),
        solver.status_name(status),
        solver.objective_value if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None,
        solver.best_objective_bound,
        solver.wall_time,
    )
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, False
    return sm.placed(solver), status == cp_model.OPTIMAL


def _place_day_soft(
    instance: Instance,
    items: list[Candidate],
    members: list[int],
    slots: set[int],
    limit: float,
    workers: int,
    seed: int,
) -> dict[int, int]:
    """Members optional: maximise the weight placed first, then minimise breaks."""
    sm = slotmodel.build(instance, items, members, slots, mandatory=False)
    breaks = slotmodel.break_terms(sm, instance)
    # A break never outweighs a meeting: one unit of weight is worth more than every break
    # (each meeting ends at most one run of each of its two participants).
    big = 2 * len(members) + 1
    sm.model.minimize(breaks - big * sm.weight())
    solver = _solver(limit, workers, seed)
    status = solver.solve(sm.model)
    logger.info("day solved with optional meetings: %s", solver.status_name(status))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {c: items[c].slots[0] for c in members if items[c].fixed}
    return sm.placed(solver)
