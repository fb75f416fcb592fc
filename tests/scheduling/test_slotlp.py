"""The slot-indexed LP: its bound is valid and exact, and its schedules keep every rule."""

from __future__ import annotations

import json

from bench.scheduling import Size, generate
from scheduling import slotlp
from scheduling.candidates import candidates
from scheduling.greedy import greedy
from scheduling.problem import Meeting, instance_from_dict
from scheduling.solver import solve
from scheduling.validate import validate

from .builders import instance, people, req
from .test_solver import EXAMPLE, check


def _meetings(inst, items, placed):
    return [Meeting(items[c].a, items[c].b, inst.slots[s].id) for c, s in placed.items()]


def test_bound_and_schedule_of_the_shared_example_are_its_optimum():
    inst = instance_from_dict(json.loads(EXAMPLE.read_text()))
    items = candidates(inst)
    result = slotlp.solve_lp(inst, items, 10)
    assert result.bound == 37  # the proved optimum (test_solver), greedy reaches 35
    assert validate(inst, _meetings(inst, items, result.placed)) == []
    assert result.weight == 37 and result.proved


def test_fractional_vertex_is_rounded_down_and_repaired():
    # Three people who all want to meet each other, one slot: the LP takes each pair half
    # (value 1.5), only one meeting fits. The bound is the LP's, rounded down: 1, and proved.
    inst = instance("d1:s1", people("a", "b", "c"), [req("a", "b"), req("b", "c"), req("a", "c")])
    items = candidates(inst)
    result = slotlp.solve_lp(inst, items, 10)
    assert result.bound == 1
    assert not result.integral
    assert len(result.placed) == 1 and result.proved
    assert validate(inst, _meetings(inst, items, result.placed)) == []


def test_bound_holds_for_fixed_meetings_and_max_meetings():
    inst = instance(
        "d1:s1,s2,s3",
        people("a", "b", "c", "d", a={"max_meetings": 2}),
        [req("a", "b", 3), req("a", "c", 3), req("a", "d", 3), req("b", "c", 1)],
        fixed=[("a", "d", "s2")],
        tables=1,
    )
    items = candidates(inst)
    result = slotlp.solve_lp(inst, items, 10)
    # a meets d (fixed) and one of b, c (max 2); b-c fits the third slot: 3 + 3 + 1.
    assert result.bound == result.weight == 7
    assert Meeting("a", "d", "s2") in _meetings(inst, items, result.placed)
    assert validate(inst, _meetings(inst, items, result.placed)) == []


def test_repair_never_breaks_a_rule_whatever_the_values():
    inst = generate(Size("T", 10, 60, 2, 8.0), seed=3)
    items = candidates(inst)
    every = {(c, s): 1.0 for c, item in enumerate(items) for s in item.slots}
    placed = slotlp.repair(inst, items, every)
    assert validate(inst, _meetings(inst, items, placed)) == []


def test_scattered_availability_weight_is_proved_by_the_lp():
    # Every slot its own class (scattered absences): the aggregated MIP's hard case.
    inst = generate(Size("T", 10, 60, 2, 8.0), seed=3)
    solution = solve(inst, time_limit=8)
    check(inst, solution)
    assert solution.extra["slot_lp"] in ("integral", "repaired")
    assert solution.extra["weight_proved"]
    assert solution.objective == solution.bound > greedy(inst).objective
