"""The CP-SAT solver against hand-made instances whose optimum is known."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.scheduling import Size, generate
from scheduling.greedy import greedy
from scheduling.problem import (
    Meeting,
    instance_from_dict,
    instance_to_dict,
    solution_from_dict,
    solution_to_dict,
)
from scheduling.solver import solve
from scheduling.validate import count_breaks, objective, validate

from .builders import instance, people, req

# ../shared beside the repository, as CI lays it out.
EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "scheduling-example.json"


def check(inst, solution):
    """Every answer must be valid and report its own objective and breaks truthfully."""
    assert validate(inst, solution.meetings) == []
    assert solution.objective == objective(inst, solution.meetings)
    assert solution.breaks == count_breaks(inst, solution.meetings)
    assert solution.bound >= solution.objective


def slot_of(solution, a, b):
    return next(m.slot for m in solution.meetings if {m.a, m.b} == {a, b})


def test_solver_recovers_meetings_first_come_loses():
    # A-B is worth more and greedy gives it s1, the only slot C can meet A in.
    inst = instance(
        "d1:s1,s2",
        people("A", "B", "C", C={"unavailable": ("s2",)}),
        [req("A", "B", 3), req("A", "C", 2)],
    )
    base = greedy(inst)
    assert base.objective == 3
    solution = solve(inst, time_limit=10)
    check(inst, solution)
    assert (solution.status, solution.objective, solution.bound) == ("optimal", 5, 5)
    assert slot_of(solution, "A", "B") == "s2"
    assert slot_of(solution, "A", "C") == "s1"


def test_break_objective_picks_the_schedule_without_a_gap():
    # Both schedules meet A-B and A-C (weight 3); greedy's s1/s3 leaves A idle in s2.
    inst = instance(
        "d1:s1,s2,s3",
        people("A", "B", "C", C={"unavailable": ("s1", "s2")}),
        [req("A", "B", 2, allowed=["s1", "s2"]), req("A", "C", 1)],
    )
    base = greedy(inst)
    assert (base.objective, base.breaks) == (3, 1)
    solution = solve(inst, time_limit=10)
    check(inst, solution)
    assert (solution.status, solution.objective, solution.breaks) == ("optimal", 3, 0)
    assert slot_of(solution, "A", "B") == "s2"


def test_breaks_never_outweigh_a_meeting():
    # Meeting B in s3 creates a break for A, but one more meeting always wins.
    inst = instance(
        "d1:s1,s2,s3",
        people("A", "B", "C", B={"unavailable": ("s1", "s2")}, C={"unavailable": ("s2", "s3")}),
        [req("A", "B", 1), req("A", "C", 1)],
    )
    solution = solve(inst, time_limit=10)
    check(inst, solution)
    assert (solution.objective, solution.breaks) == (2, 1)


def test_shared_example_reaches_37_and_greedy_35():
    inst = instance_from_dict(json.loads(EXAMPLE.read_text()))
    assert greedy(inst).objective == 35
    solution = solve(inst, time_limit=20)
    check(inst, solution)
    assert solution.status == "optimal"
    assert solution.objective == solution.bound == 37
    assert solution.breaks <= greedy(inst).breaks
    assert Meeting("F001", "O0001", "d1-0930") in solution.meetings


def test_fixed_pair_not_requested_uses_a_table():
    inst = instance(
        "d1:s1",
        people("A", "B", "X", "Y"),
        [req("A", "B", 5)],
        fixed=[("X", "Y", "s1")],
        tables=1,
    )
    solution = solve(inst, time_limit=10)
    check(inst, solution)
    assert solution.meetings == (Meeting("X", "Y", "s1"),)
    assert (solution.status, solution.objective) == ("optimal", 0)


def test_fixed_requested_pair_is_one_meeting_and_counts_its_weight():
    inst = instance(
        "d1:s1,s2",
        people("A", "B"),
        [req("A", "B", 3)],
        fixed=[("B", "A", "s2")],
    )
    solution = solve(inst, time_limit=10)
    check(inst, solution)
    assert solution.meetings == (Meeting("B", "A", "s2"),)
    assert solution.objective == 3


def test_sides_are_not_assumed_disjoint_and_capacity_is_used():
    # A triangle of firms, one slot: A has two delegates, so A-B and A-C run together.
    inst = instance(
        "d1:s1",
        people("A", "B", "C", A={"capacity": 2}),
        [req("A", "B", 1), req("A", "C", 1), req("B", "C", 2)],
    )
    solution = solve(inst, time_limit=10)
    check(inst, solution)
    assert (solution.status, solution.objective) == ("optimal", 2)
    inst2 = instance(
        "d1:s1,s2", people("A", "B", "C"), [req("A", "B"), req("A", "C"), req("B", "C")]
    )
    sol2 = solve(inst2, time_limit=10)
    check(inst2, sol2)
    assert sol2.objective == 2  # a triangle cannot fit into two slots with capacity 1


def test_max_meetings_and_allowed_slots_are_respected():
    inst = instance(
        "d1:s1,s2,s3",
        people("A", "B", "C", "D", A={"max_meetings": 2}),
        [req("A", "B", 1), req("A", "C", 2), req("A", "D", 3, allowed=["s2"])],
    )
    solution = solve(inst, time_limit=10)
    check(inst, solution)
    assert solution.objective == 5
    assert slot_of(solution, "A", "D") == "s2"


@pytest.mark.parametrize(
    ("fixed", "people_overrides", "tables", "rule"),
    [
        ([("A", "B", "s1"), ("A", "C", "s1")], {}, 10, "rule 2"),  # capacity
        ([("A", "B", "s2")], {"B": {"unavailable": ("s2",)}}, 10, "rule 2"),  # unavailable
        ([("A", "B", "s1"), ("C", "D", "s1")], {}, 1, "rule 3"),  # tables
        ([("A", "B", "s1"), ("A", "C", "s2")], {"A": {"max_meetings": 1}}, 10, "rule 5"),
        ([("A", "B", "s1"), ("B", "A", "s2")], {}, 10, "rule 1"),  # fixed twice
        ([("A", "Z", "s1")], {}, 10, "rule 1"),  # unknown participant
        ([("A", "B", "s7")], {}, 10, "rule 1"),  # unknown slot
    ],
)
def test_infeasible_fixed_meetings_are_reported_not_raised(fixed, people_overrides, tables, rule):
    inst = instance(
        "d1:s1,s2",
        people("A", "B", "C", "D", **people_overrides),
        [req("A", "B", 2), req("C", "D")],
        fixed=fixed,
        tables=tables,
    )
    solution = solve(inst, time_limit=10)
    assert solution.status == "infeasible"
    assert solution.meetings == ()
    assert solution.error is not None and rule in solution.error
    assert solution_to_dict(solution)["error"] == solution.error


def test_fixed_meeting_outside_the_requests_allowed_slots_is_infeasible():
    inst = instance(
        "d1:s1,s2", people("A", "B"), [req("A", "B", 2, allowed=["s1"])], fixed=[("A", "B", "s2")]
    )
    solution = solve(inst, time_limit=10)
    assert solution.status == "infeasible"
    assert "rule 2" in (solution.error or "")


def test_tiny_time_limit_still_returns_a_valid_schedule():
    inst = instance_from_dict(json.loads(EXAMPLE.read_text()))
    solution = solve(inst, time_limit=0.001)
    check(inst, solution)
    assert solution.status in {"optimal", "feasible"}
    assert solution.objective >= greedy(inst).objective


def test_json_round_trip():
    data = json.loads(EXAMPLE.read_text())
    inst = instance_from_dict(data)
    assert instance_from_dict(instance_to_dict(inst)) == inst
    assert instance_to_dict(inst)["participants"][4]["max_meetings"] == 3
    assert "max_meetings" not in instance_to_dict(inst)["participants"][0]
    solution = solve(inst, time_limit=10)
    again = solution_from_dict(json.loads(json.dumps(solution_to_dict(solution))))
    assert again.meetings == solution.meetings
    assert (again.status, again.objective, again.bound, again.breaks) == (
        solution.status,
        solution.objective,
        solution.bound,
        solution.breaks,
    )


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["requests"].append(dict(d["requests"][0])), "pair requested twice"),
        (lambda d: d["requests"].append({"a": "F000", "b": "NOPE", "weight": 1}), "unknown"),
        (lambda d: d["requests"][0].update(weight=0), "positive"),
        (lambda d: d["slots"][0].update(tables="3"), "integer"),
        (lambda d: d.pop("slots"), "missing"),
    ],
)
def test_malformed_instances_are_rejected_with_a_message(mutate, message):
    data = json.loads(EXAMPLE.read_text())
    mutate(data)
    with pytest.raises(ValueError, match=message):
        instance_from_dict(data)


def test_medium_generated_instance_is_no_worse_than_greedy():
    # A reduced "M"-like trade mission from the benchmark's generator, with a short time limit:
    # phase 1 cannot prove optimality, yet phase 2 must still run and never scatter meetings
    # more than the baseline does.
    inst = generate(Size("T", 10, 60, 2, 4.0), seed=3)
    base = greedy(inst)
    solution = solve(inst, time_limit=4, workers=2)
    check(inst, solution)
    # Lexicographically no worse than greedy: more weight, or the same weight and no more breaks
    # (with more weight, more breaks may be the price of the extra meetings).
    assert (solution.objective, -solution.breaks) >= (base.objective, -base.breaks)
