"""The break phase: MaxSAT proofs, sessions, a real event, and the anytime rule."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from bench.scheduling import Size, generate
from scheduling import maxsat, slotlp, solver
from scheduling.candidates import candidates
from scheduling.greedy import greedy
from scheduling.problem import Meeting, instance_from_dict
from scheduling.solver import solve
from scheduling.validate import count_breaks, validate
from scheduling.weight import WeightResult

from .builders import instance, people, req
from .test_solver import check

ROOT = Path(__file__).resolve().parents[2]
TIC_12 = ROOT.parent / "shared" / "benchmarks" / "paper" / "tic-12.json"


def _min_breaks(inst):
    items = candidates(inst)
    found = maxsat.min_breaks(inst, items, list(range(len(items))), time.perf_counter() + 20)
    assert found is not None
    schedule = [Meeting(items[c].a, items[c].b, inst.slots[s].id) for c, s in found.slots.items()]
    assert validate(inst, schedule) == []
    assert len(schedule) == len(items)
    assert count_breaks(inst, schedule) == found.breaks
    return found.breaks


def test_maxsat_proves_an_unavoidable_break_and_lunch_is_none():
    # A meets B and C but is away in s2: in one session, s1 and s3 leave a break.
    one = instance(
        "d1:s1,s2,s3",
        people("A", "B", "C", A={"unavailable": ("s2",)}),
        [req("A", "B"), req("A", "C")],
    )
    assert _min_breaks(one) == 1
    # The same with s3 after lunch: no break.
    two = instance(
        "d1/am:s1,s2 d1/pm:s3",
        people("A", "B", "C", A={"unavailable": ("s2",)}),
        [req("A", "B"), req("A", "C")],
    )
    assert _min_breaks(two) == 0


def test_maxsat_counts_a_run_of_idle_slots_once_and_respects_tables():
    # Two tables for three meetings of A, B, C with each other and D: the tables force some
    # meetings apart; A is away in s2 and s3, so its two meetings leave one break at least.
    inst = instance(
        "d1:s1,s2,s3,s4",
        people("A", "B", "C", "D", A={"unavailable": ("s2", "s3")}),
        [req("A", "B"), req("A", "C"), req("B", "D"), req("C", "D")],
        tables=1,
    )
    assert _min_breaks(inst) == 1


def test_solver_sees_lunch_as_no_break_and_proves_it():
    inst = instance(
        "d1/am:s1,s2 d1/pm:s3,s4",
        people("A", "B", "C", A={"unavailable": ("s2", "s3")}),
        [req("A", "B", allowed=["s1", "s2"]), req("A", "C", allowed=["s3", "s4"])],
    )
    solution = solve(inst, time_limit=10)
    check(inst, solution)
    assert solution.status == "optimal"
    assert solution.breaks == 0
    assert {m.slot for m in solution.meetings} == {"s1", "s4"}


def test_tic_12_every_request_held_with_zero_breaks_proved():
    inst = instance_from_dict(json.loads(TIC_12.read_text()))
    solution = solve(inst, time_limit=30)
    check(inst, solution)
    assert len(solution.meetings) == len(inst.requests) == 125
    assert solution.breaks == 0
    assert solution.status == "optimal"
    assert solution.seconds < 31


def _weight_model_fails(*args, **kwargs):
    raise RuntimeError("MIP solver crashed")


def _weight_model_times_out(instance, items, classes, time_limit, spread=True):
    time.sleep(min(time_limit, 1.0))
    return WeightResult(objective=-1, bound=sum(item.weight for item in items), proved=False)


def _lp_fails(*args, **kwargs):
    raise RuntimeError("LP solver crashed")


def _lp_times_out(instance, items, time_limit, near=None):
    time.sleep(min(time_limit, 1.0))
    return slotlp.LPResult(bound=None)


@pytest.mark.parametrize(
    "lp, first_phase",
    [(_lp_fails, _weight_model_fails), (_lp_times_out, _weight_model_times_out)],
)
def test_anytime_first_phase_failing_still_beats_first_come(monkeypatch, lp, first_phase):
    inst = generate(Size("T", 10, 60, 2, 8.0), seed=3)  # tables scarce: not every request fits
    calls = []
    monkeypatch.setattr(slotlp, "solve_lp", lambda *a, **k: calls.append("lp") or lp(*a, **k))
    monkeypatch.setattr(
        solver, "best_weight", lambda *a, **k: calls.append("mip") or first_phase(*a, **k)
    )
    # Let the MIP run after the LP failed, whatever its size: both phases fail here.
    monkeypatch.setattr(solver, "_AGGREGATE_MAX_SHARE", 1.0)
    monkeypatch.setattr(maxsat, "place_all", lambda *args, **kwargs: None)
    base = greedy(inst)
    solution = solve(inst, time_limit=6)
    check(inst, solution)
    assert calls == ["lp", "mip"]
    assert solution.extra["placed_from"] == "incumbent"
    assert solution.objective >= base.objective
    assert solution.breaks < base.breaks
    assert solution.seconds <= 6 * 1.05


def test_weight_model_is_skipped_when_the_lp_did_not_finish_on_a_model_as_large(monkeypatch):
    # Scattered absences: every slot its own class, so the MIP's root LP is the slot LP that
    # just ran out of time; running it anyway overran the time limit (HiGHS, 35 s of 15).
    inst = generate(Size("T", 10, 60, 2, 8.0), seed=3)
    monkeypatch.setattr(slotlp, "solve_lp", _lp_times_out)
    monkeypatch.setattr(solver, "best_weight", _weight_model_fails)
    solution = solve(inst, time_limit=4)
    check(inst, solution)
    assert solution.extra["weight_model"] == "skipped"
    assert solution.objective >= greedy(inst).objective
