"""The decomposition: slot classes, the weight MIP's bound, day placement, LNS, progress."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from bench.scheduling import Size, generate
from scheduling import lns, solver
from scheduling.candidates import candidates, slot_classes
from scheduling.greedy import greedy
from scheduling.placement import place
from scheduling.problem import Instance, Meeting, instance_from_dict
from scheduling.solver import solve
from scheduling.validate import count_breaks, objective, validate
from scheduling.weight import best_weight

from .builders import instance, people, req
from .test_properties import instances
from .test_solver import EXAMPLE, check

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def decomposition_only(monkeypatch):
    """Skip the exact slot model, so that small instances go through the decomposition alone."""
    monkeypatch.setattr(solver, "_EXACT_MAX_VARIABLES", -1)


def test_slot_classes_group_interchangeable_slots_of_a_day():
    inst = instance(
        "d1:m1,m2,a1,a2 d2:m3,a3",
        people("A", "B", A={"unavailable": ("a1", "a2")}),
        [req("A", "B", 1, allowed=["m1", "m2", "a1", "a2", "m3"])],
    )
    assert sorted(slot_classes(inst)) == [(0, 1), (2, 3), (4,), (5,)]


def test_weight_model_bound_is_the_optimum_of_the_shared_example():
    inst = instance_from_dict(json.loads(EXAMPLE.read_text()))
    items = candidates(inst)
    result = best_weight(inst, items, slot_classes(inst), time_limit=10)
    assert result.proved
    assert result.objective == result.bound == 37
    assert sum(items[c].weight for c in result.chosen) == 37


def test_weight_model_bound_is_an_upper_bound_when_classes_cannot_be_split():
    # A triangle in one slot class of two slots: the class model allows all three meetings
    # (each participant has two meetings for two slots) but no two-slot schedule holds them.
    inst = instance(
        "d1:s1,s2", people("A", "B", "C"), [req("A", "B"), req("A", "C"), req("B", "C")]
    )
    result = best_weight(inst, candidates(inst), slot_classes(inst), time_limit=10)
    assert result.bound == 3
    solution = solve(inst, time_limit=10)
    check(inst, solution)
    assert (solution.status, solution.objective, solution.bound) == ("optimal", 2, 2)


def test_decomposition_alone_removes_the_gap(decomposition_only):
    # Same instance as test_break_objective_picks_the_schedule_without_a_gap.
    inst = instance(
        "d1:s1,s2,s3",
        people("A", "B", "C", C={"unavailable": ("s1", "s2")}),
        [req("A", "B", 2, allowed=["s1", "s2"]), req("A", "C", 1)],
    )
    solution = solve(inst, time_limit=10)
    check(inst, solution)
    # The weight is proved by the bound and zero breaks is optimal: both objectives proved.
    assert (solution.status, solution.objective, solution.breaks) == ("optimal", 3, 0)
    assert solution.extra["weight_proved"] is True


def test_decomposition_recovers_meetings_first_come_loses(decomposition_only):
    inst = instance(
        "d1:s1,s2",
        people("A", "B", "C", C={"unavailable": ("s2",)}),
        [req("A", "B", 3), req("A", "C", 2)],
    )
    solution = solve(inst, time_limit=10)
    check(inst, solution)
    assert (solution.objective, solution.bound) == (5, 5)
    assert Meeting("A", "C", "s1") in solution.meetings


def test_generated_mission_weight_is_proved_and_breaks_fall():
    inst = generate(Size("T", 10, 60, 2, 8.0), seed=3)
    base = greedy(inst)
    solution = solve(inst, time_limit=8)
    check(inst, solution)
    assert solution.extra["weight_proved"] is True
    assert solution.objective == solution.bound >= base.objective
    assert solution.breaks < base.breaks


def test_lns_keeps_the_rules_and_never_adds_breaks():
    inst = generate(Size("T", 8, 40, 1, 5.0), seed=5)
    items = candidates(inst)
    classes = slot_classes(inst)
    weight = best_weight(inst, items, classes, time_limit=5, spread=False)
    placement = place(inst, items, weight.chosen, classes, time.perf_counter() + 2)
    assert not placement.dropped
    day_slots = list(range(len(inst.slots)))

    def meetings(placed):
        return [Meeting(items[c].a, items[c].b, inst.slots[s].id) for c, s in placed.items()]

    before = count_breaks(inst, meetings(placement.slots))
    state = lns.DayState(inst, items, placement.slots, day_slots)
    lns.improve_day(state, time.perf_counter() + 2)
    after = meetings(state.where)
    assert validate(inst, after) == []
    assert objective(inst, after) == weight.objective
    assert count_breaks(inst, after) <= before
    assert sum(state.breaks_of(pid) for pid in state.meetings_of) == count_breaks(inst, after)


def test_progress_is_reported_up_to_done():
    inst = instance_from_dict(json.loads(EXAMPLE.read_text()))
    reports: list[dict] = []
    solution = solve(inst, time_limit=10, on_progress=reports.append)
    assert reports[0]["phase"] == "weight"
    assert reports[-1] == {
        "phase": "done",
        "fraction": 1.0,
        "objective": solution.objective,
        "bound": solution.bound,
        "breaks": solution.breaks,
    }
    fractions = [r["fraction"] for r in reports]
    assert fractions == sorted(fractions)
    assert all(0 <= f <= 1 for f in fractions)


def test_command_stdout_is_only_json_even_from_the_mip_solver():
    # HiGHS prints a banner from C++ unless told not to: check the real process' stdout.
    done = subprocess.run(
        [sys.executable, "manage.py", "solve_schedule", str(EXAMPLE), "--time-limit", "5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout)["objective"] == 37


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(instances())
def test_decomposition_is_valid_bounded_and_never_below_greedy(decomposition_only, inst: Instance):
    solution = solve(inst, time_limit=5)
    if solution.status == "infeasible":
        return
    assert validate(inst, solution.meetings) == []
    for f in inst.fixed:
        assert Meeting(f.a, f.b, f.slot) in solution.meetings
    assert solution.objective == objective(inst, solution.meetings) <= solution.bound
    assert solution.breaks == count_breaks(inst, solution.meetings)
    base = greedy(inst)
    assert (solution.objective, -solution.breaks) >= (base.objective, -base.breaks)
