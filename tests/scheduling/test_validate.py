"""The validator: one broken schedule per rule, each rejected with a message naming the rule."""

from __future__ import annotations

import pytest

from scheduling.validate import check_fixed, count_breaks, objective, validate

from .builders import instance, meetings, people, req


def base(**overrides: dict):
    """Four slots on one day, two tables; B unavailable in s4; A-C only in s1-s3; D meets once."""
    parts = {"B": {"unavailable": ("s4",)}, "D": {"max_meetings": 1}}
    parts.update(overrides)
    return instance(
        "d1:s1,s2,s3,s4",
        people("A", "B", "C", "D", "E", "F", **parts),
        [
            req("A", "B", 3),
            req("A", "C", 2, allowed=["s1", "s2", "s3"]),
            req("B", "D"),
            req("C", "D"),
            req("E", "F"),
        ],
        fixed=[("B", "C", "s2")],
        tables=2,
    )


def test_valid_schedule_has_no_message():
    inst = base()
    ok = meetings(
        ("A", "B", "s3"), ("C", "A", "s1"), ("C", "B", "s2"), ("C", "D", "s4"), ("E", "F", "s1")
    )
    assert validate(inst, ok) == []


FIXED = ("B", "C", "s2")


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ([("A", "D", "s1"), FIXED], "rule 1: pair A-D in s1 is neither requested nor fixed"),
        ([("A", "B", "s1"), ("B", "A", "s3"), FIXED], "rule 1: pair A-B meets 2 times"),
        ([("A", "B", "s9"), FIXED], "rule 1: meeting A-B in unknown slot s9"),
        ([("A", "Z", "s1"), FIXED], "rule 1: meeting A-Z with unknown participant Z"),
        (
            [("A", "B", "s1"), ("A", "C", "s1"), FIXED],
            "rule 2: A has 2 meetings in s1, over its capacity 1",
        ),
        ([("A", "B", "s4"), FIXED], "rule 2: B meets A in s4 while unavailable"),
        ([("A", "C", "s4"), FIXED], "rule 2: pair A-C meets in s4, outside its allowed slots"),
        (
            [("A", "B", "s1"), ("C", "D", "s1"), ("E", "F", "s1"), FIXED],
            "rule 3: 3 meetings in s1, over its 2 tables",
        ),
        ([("A", "B", "s1")], "rule 4: fixed meeting B-C in s2 is missing"),
        ([("B", "C", "s1")], "rule 4: fixed meeting B-C moved from s2 to s1"),
        (
            [("B", "D", "s1"), ("C", "D", "s3"), FIXED],
            "rule 5: D has 2 meetings, over its max_meetings 1",
        ),
    ],
)
def test_each_broken_rule_is_reported(schedule, expected):
    assert validate(base(), meetings(*schedule)) == [expected]


def test_capacity_two_allows_two_meetings_in_a_slot():
    inst = base(A={"capacity": 2})
    schedule = meetings(("A", "B", "s1"), ("A", "C", "s1"), FIXED)
    assert validate(inst, schedule) == []


def test_objective_counts_requested_pairs_once_and_fixed_requested_pairs():
    inst = instance(
        "d1:s1,s2",
        people("A", "B", "C"),
        [req("A", "B", 3), req("A", "C", 2)],
        fixed=[("A", "C", "s2"), ("B", "C", "s1")],
    )
    schedule = meetings(("B", "A", "s1"), ("A", "C", "s2"), ("B", "C", "s1"))
    assert objective(inst, schedule) == 5  # B-C is fixed but not requested: weight 0


def test_count_breaks_follows_the_format():
    inst = instance("d1:s1,s2,s3,s4,s5 d2:t1,t2,t3", people("A", "B", "C", "D", "E"))
    schedule = meetings(
        ("A", "B", "s1"),  # A: s1, s4, s5 -> one break (s2-s3 idle run counts once)
        ("A", "C", "s4"),
        ("A", "D", "s5"),
        ("B", "C", "s2"),  # B: s1, s2, t3 -> none (t3 is another day); C: s2, s4 -> one
        ("B", "E", "t3"),
        ("E", "D", "t1"),  # E: t1, t3 -> one; D: s5, t1 -> different days, none
    )
    assert count_breaks(inst, schedule) == 3


def test_count_breaks_ignores_meetings_in_the_same_slot():
    inst = instance("d1:s1,s2,s3", people("A", "B", "C", A={"capacity": 2}))
    schedule = meetings(("A", "B", "s1"), ("A", "C", "s1"), ("B", "C", "s3"))
    # A: s1, s1 -> none. B: s1, s3 -> one. C: s1, s3 -> one.
    assert count_breaks(inst, schedule) == 2


def test_count_breaks_counts_within_sessions_not_across_lunch():
    inst = instance("d1/am:s1,s2,s3 d1/pm:s4,s5,s6", people("A", "B", "C", "D"))
    schedule = meetings(
        ("A", "B", "s3"),  # A: s3 (am), s4 (pm) -> lunch between, none
        ("A", "C", "s4"),
        ("B", "C", "s1"),  # B: s1, s3 -> one (am); C: s1 (am), s4, s6 (pm) -> one (pm)
        ("C", "D", "s6"),
        ("B", "D", "s5"),  # B: s3 (am), s5 (pm) -> none; D: s5, s6 -> none
    )
    assert count_breaks(inst, schedule) == 2
    # The same meetings with the day as one session: A's s3-s4 adjacent, B's s3-s5 and
    # C's s1-s4 gaps count, s4-s6 too.
    one_session = instance("d1:s1,s2,s3,s4,s5,s6", people("A", "B", "C", "D"))
    assert count_breaks(one_session, schedule) == 4


def test_validator_accepts_sessions_and_refuses_a_session_split_in_two():
    from scheduling.problem import check_instance, instance_from_dict, instance_to_dict

    inst = instance("d1/am:s1,s2 d1/pm:s3", people("A", "B"), [req("A", "B")])
    assert check_instance(inst) == []
    assert validate(inst, meetings(("A", "B", "s3"))) == []
    data = instance_to_dict(inst)
    assert [s["session"] for s in data["slots"]] == ["am", "am", "pm"]
    assert instance_from_dict(data) == inst
    split = instance("d1/am:s1 d1/pm:s2 d1/am:s3", people("A", "B"))
    assert check_instance(split) == ["slot s3: session am is not contiguous"]


def test_check_fixed_ignores_requests_and_reports_only_fixed_problems():
    inst = base()
    assert check_fixed(inst) == []
