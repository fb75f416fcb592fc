"""Property test: on random small instances the solver is valid and never below the baseline."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling.greedy import greedy
from scheduling.problem import Fixed, Instance, Participant, Request, Slot
from scheduling.solver import solve
from scheduling.validate import count_breaks, fixed_meetings, objective, validate


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    """Up to 6 participants and 6 slots over 1-2 days, any pair may be requested or fixed."""
    n_days = draw(st.integers(1, 2))
    slots: list[Slot] = []
    for d in range(n_days):
        for k in range(draw(st.integers(1, 4))):
            slots.append(Slot(f"d{d}s{k}", f"day{d}", tables=draw(st.integers(1, 3))))
    slot_ids = [s.id for s in slots]
    n = draw(st.integers(2, 6))
    participants = tuple(
        Participant(
            id=f"P{i}",
            capacity=draw(st.integers(1, 2)),
            unavailable=tuple(draw(st.lists(st.sampled_from(slot_ids), max_size=2, unique=True))),
            max_meetings=draw(st.none() | st.integers(0, 3)),
        )
        for i in range(n)
    )
    pairs = [(f"P{i}", f"P{j}") for i in range(n) for j in range(i + 1, n)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=10))
    requests = tuple(
        Request(
            a,
            b,
            draw(st.integers(1, 3)),
            draw(
                st.none() | st.lists(st.sampled_from(slot_ids), min_size=1, unique=True).map(tuple)
            ),
        )
        for a, b in chosen
    )
    fixed_pairs = draw(st.lists(st.sampled_from(pairs), max_size=2, unique=True))
    fixed = tuple(Fixed(a, b, draw(st.sampled_from(slot_ids))) for a, b in fixed_pairs)
    return Instance(tuple(slots), participants, requests, fixed)


@settings(
    max_examples=40,
    deadline=None,
    database=None,  # leave no .hypothesis directory behind in the project
    suppress_health_check=[HealthCheck.too_slow],
)
@given(instances())
def test_solver_is_valid_keeps_fixed_and_beats_greedy(inst: Instance):
    solution = solve(inst, time_limit=10)
    fixed_problems = [e for e in validate(inst, fixed_meetings(inst)) if not e.startswith("rule 4")]
    if fixed_problems:
        # Infeasible exactly when the fixed meetings alone break a rule.
        assert solution.status == "infeasible"
        assert solution.meetings == ()
        assert solution.error
        return
    assert solution.status == "optimal"
    assert validate(inst, solution.meetings) == []
    for f in inst.fixed:
        assert any(m.pair == f.pair and m.slot == f.slot for m in solution.meetings)
    assert solution.objective == objective(inst, solution.meetings) == solution.bound
    assert solution.breaks == count_breaks(inst, solution.meetings)
    assert solution.extra.get("model_breaks", solution.breaks) == solution.breaks
    base = greedy(inst)
    assert validate(inst, base.meetings) == []
    assert solution.objective >= base.objective
    if base.objective == solution.objective:
        assert solution.breaks <= base.breaks
