"""Independent checker of the five rules, and the two objectives, of a schedule.

The checker shares no code with the solver on purpose: tests compare the solver's output with
it, so a modelling mistake in the solver cannot hide behind the same mistake here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import pairwise

from .problem import Instance, Meeting, Pair


def _fmt(pair: Pair) -> str:
    return "-".join(sorted(pair))


def validate(instance: Instance, meetings: Iterable[Meeting]) -> list[str]:
    """Return one human-readable message per broken rule; an empty list means valid.

    Every message starts with the rule number of the exchange format so that callers (and the
    solver's infeasibility report) can tell which rule is at stake.
    """
    meetings = list(meetings)
    errors: list[str] = []
    slots = {s.id: s for s in instance.slots}
    parts = {p.id: p for p in instance.participants}
    requests = {r.pair: r for r in instance.requests}
    fixed_pairs = {f.pair for f in instance.fixed}

    known: list[Meeting] = []
    for m in meetings:
        ok = True
        if m.slot not in slots:
            errors.append(f"rule 1: meeting {m.a}-{m.b} in unknown slot {m.slot}")
            ok = False
        for pid in (m.a, m.b):
            if pid not in parts:
                errors.append(f"rule 1: meeting {m.a}-{m.b} with unknown participant {pid}")
                ok = False
        if m.a == m.b:
            errors.append(f"rule 1: participant {m.a} meets itself in {m.slot}")
            ok = False
        if ok:
            known.append(m)

    # Rule 1: only requested or fixed pairs, each at most once.
    pair_count: Counter[Pair] = Counter(m.pair for m in known)
    for m in known:
        if m.pair not in requests and m.pair not in fixed_pairs:
            errors.append(f"rule 1: pair {_fmt(m.pair)} in {m.slot} is neither requested nor fixed")
    for pair, count in sorted(pair_count.items(), key=lambda kv: sorted(kv[0])):
        if count > 1:
            errors.append(f"rule 1: pair {_fmt(pair)} meets {count} times")

    # Rule 2: capacity, availability and allowed slots of a request.
    load: Counter[tuple[str, str]] = Counter()
    for m in known:
        for pid in (m.a, m.b):
            load[pid, m.slot] += 1
            if m.slot in parts[pid].unavailable:
                errors.append(f"rule 2: {pid} meets {_other(m, pid)} in {m.slot} while unavailable")
        req = requests.get(m.pair)
        if req is not None and req.slots is not None and m.slot not in req.slots:
            errors.append(
                f"rule 2: pair {_fmt(m.pair)} meets in {m.slot}, outside its allowed slots"
            )
    for (pid, sid), n in sorted(load.items()):
        if n > parts[pid].capacity:
            errors.append(
                f"rule 2: {pid} has {n} meetings in {sid}, over its capacity {parts[pid].capacity}"
            )

    # Rule 3: tables.
    per_slot: Counter[str] = Counter(m.slot for m in known)
    for s in instance.slots:
        if per_slot[s.id] > s.tables:
            errors.append(
                f"rule 3: {per_slot[s.id]} meetings in {s.id}, over its {s.tables} tables"
            )

    # Rule 4: every fixed meeting present, in its slot.
    placed: dict[Pair, set[str]] = defaultdict(set)
    for m in meetings:
        placed[m.pair].add(m.slot)
    for f in instance.fixed:
        if f.slot not in placed.get(f.pair, set()):
            where = placed.get(f.pair)
            if where:
                errors.append(
                    f"rule 4: fixed meeting {f.a}-{f.b} moved from {f.slot} to "
                    f"{', '.join(sorted(where))}"
                )
            else:
                errors.append(f"rule 4: fixed meeting {f.a}-{f.b} in {f.slot} is missing")

    # Rule 5: max_meetings over the whole instance.
    total: Counter[str] = Counter()
    for m in known:
        total[m.a] += 1
        total[m.b] += 1
    for p in instance.participants:
        if p.max_meetings is not None and total[p.id] > p.max_meetings:
            errors.append(
                f"rule 5: {p.id} has {total[p.id]} meetings, over its max_meetings {p.max_meetings}"
            )
    return errors


def _other(m: Meeting, pid: str) -> str:
    return m.b if m.a == pid else m.a


def objective(instance: Instance, meetings: Iterable[Meeting]) -> int:
    """Sum of the weights of the requested pairs that meet (each pair counted once).

    A fixed meeting of a requested pair counts its weight: it is that request's meeting.
    """
    weights = {r.pair: r.weight for r in instance.requests}
    met = {m.pair for m in meetings}
    return sum(weights.get(pair, 0) for pair in met)


def count_breaks(instance: Instance, meetings: Iterable[Meeting]) -> int:
    """Count breaks as the format defines them.

    For each participant, its meetings are taken in slot order; two consecutive meetings in the
    same session (same day and same `session`) with at least one slot of that session between
    them count one break, however long the idle run. The pause between two sessions (lunch
    between a morning and an afternoon) is none. Positions are taken within each session's
    slots in instance order, so two meetings in the same slot (capacity > 1) or in adjacent
    slots never make a break.
    """
    session_of: dict[str, tuple[str, str]] = {}
    pos: dict[str, int] = {}
    order: dict[str, int] = {}
    per_session: Counter[tuple[str, str]] = Counter()
    for i, s in enumerate(instance.slots):
        key = (s.day, s.session)
        session_of[s.id] = key
        pos[s.id] = per_session[key]
        per_session[key] += 1
        order[s.id] = i
    busy: dict[str, list[str]] = defaultdict(list)
    for m in meetings:
        if m.slot not in order:
            continue
        busy[m.a].append(m.slot)
        if m.b != m.a:
            busy[m.b].append(m.slot)
    breaks = 0
    for slot_ids in busy.values():
        slot_ids.sort(key=order.__getitem__)
        for prev, cur in pairwise(slot_ids):
            if session_of[prev] == session_of[cur] and pos[cur] - pos[prev] > 1:
                breaks += 1
    return breaks


def fixed_meetings(instance: Instance) -> list[Meeting]:
    """The fixed meetings of an instance, as meetings (in their given orientation)."""
    return [Meeting(f.a, f.b, f.slot) for f in instance.fixed]


def check_fixed(instance: Instance) -> list[str]:
    """Check the fixed meetings alone against the rules, before any model is built.

    If the fixed meetings on their own break rule 1 (unknown ids, a pair fixed twice, even in
    the same slot), 2, 3 or 5, no solution exists, since every solution contains them; this
    names the rule instead of leaving CP-SAT to report a bare "infeasible". Rule 1's "requested
    or fixed" part holds by definition, and rule 4 holds for the fixed meetings themselves.
    """
    errors = validate(instance, fixed_meetings(instance))
    return [e for e in errors if not e.startswith("rule 4")]
