"""Second objective, exactly: the fewest breaks for a given set of meetings, by MaxSAT.

This follows the best approach of Bofill et al., "Constraint Solving Approaches to the
Business-to-Business Meeting Scheduling Problem" (JAIR 74, 2022): a SAT encoding of the rules,
one soft clause per possible break, implied constraints that the SAT solver cannot derive on its
own, and a core-guided MaxSAT solver (RC2 of PySAT, on Glucose 3). Core-guided search proves
lower bounds from unsatisfiable cores, which is what the real events need: their optimum is a
handful of breaks, and CP-SAT's search (tried first, see docs/benchmarks.md) found schedules with
many more and could not close the gap.

Variables: x[c, s] (meeting c in slot s), busy[p, s] (participant p meets in s) and, per
participant, session and position t, end[p, t]: a run of busy slots ends at t and another one
starts later in the same session, i.e. a break. Hard clauses: each meeting in exactly one of its
slots, capacities, tables, busy tied both ways to the meetings. Soft clauses: not end[p, t],
weight 1, so the cost is the number of breaks.

Implied constraints (redundant, but they let the SAT solver prune early):
- per slot, at most 2 * tables participants are busy (each meeting makes two busy);
- for a participant of capacity 1, its busy slots in a session are exactly its meetings there,
  a number known when each of its meetings is restricted to that session or kept out of it;
- "windows": a participant of capacity 1 without a break in a session is busy on exactly one
  run of consecutive slots; a literal `broken` is true when it has a break there, and otherwise
  one of the possible runs (each length between its sure and possible meetings, at each start
  where it is available) is chosen.

The search runs in the calling thread and is interrupted at the deadline (PySAT releases the
interpreter lock during the SAT calls, so a timer thread can stop it).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass

from pysat.card import CardEnc, EncType
from pysat.examples.rc2 import RC2
from pysat.formula import WCNF, IDPool
from pysat.solvers import Solver

from .candidates import Candidate
from .problem import Instance, session_blocks

logger = logging.getLogger(__name__)

# Beyond this many meeting variables the encoding (windows grow with the square of the
# session's length, per participant) outgrows what RC2 proves within minutes.
MAX_VARIABLES = 12_000


@dataclass
class MaxSatResult:
    """Candidate -> slot of a schedule with the fewest breaks, and that number (proved)."""

    slots: dict[int, int]
    breaks: int


def min_breaks(
    instance: Instance,
    items: list[Candidate],
    members: list[int],
    deadline: float,
    hint: dict[int, int] | None = None,
) -> MaxSatResult | None:
    """Place every member, minimising breaks; None when the deadline came first (or when no
    placement holds them all, which the caller's weight model rules out).

    Two encodings race, one per core: with windows of every possible length, and with windows
    only where the participant's number of meetings in the session is known. Neither wins on
    every real event (ticf-14crafa: 6 s against 57 s; forum-14: 29 s against 7 s), and the
    first proof stops the other.
    """
    results: list[MaxSatResult] = []
    running: list[RC2] = []
    lock = threading.Lock()
    stop = threading.Event()

    def run(all_windows: bool) -> None:
        try:
            encoding = _Encoding(instance, items, members, all_windows, stop)
        except _Stopped:
            return
        with RC2(encoding.wcnf, solver="g3", adapt=True, exhaust=True, minz=True) as rc2:
            if hint:
                rc2.oracle.set_phases(
                    [var if hint.get(c) == s else -var for (c, s), var in encoding.x.items()]
                )
            with lock:
                if stop.is_set():
                    return
                running.append(rc2)
            try:
                model = rc2.compute(expect_interrupt=True)
            finally:
                with lock:  # never interrupted once its solver is gone
                    running.remove(rc2)
            if model is None or rc2.interrupted:
                return
            true = {lit for lit in model if lit > 0}
            slots = {c: s for (c, s), var in encoding.x.items() if var in true}
            with lock:
                results.append(MaxSatResult(slots=slots, breaks=rc2.cost))
            stop.set()

    if deadline - time.perf_counter() <= 0.1:
        return None
    threads = [threading.Thread(target=run, args=(flag,), daemon=True) for flag in (True, False)]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads) and not stop.is_set():
        if time.perf_counter() >= deadline:
            break
        stop.wait(min(0.05, max(0.0, deadline - time.perf_counter())))
    stop.set()
    # An interrupt that comes before a SAT call starts may be lost: repeat until all are done.
    while any(t.is_alive() for t in threads):
        with lock:
            for rc2 in running:
                rc2.interrupt()
        for thread in threads:
            thread.join(0.05)
    if not results:
        logger.info("maxsat: no proof in time")
        return None
    logger.info("maxsat: %d breaks proved", results[0].breaks)
    return results[0]


def place_all(
    instance: Instance, items: list[Candidate], members: list[int], deadline: float
) -> dict[int, int] | None:
    """A placement of every member, breaks ignored (the hard clauses alone, one SAT call);
    None when there is none or the deadline came first.

    On the real events every request fits but tables are nearly all taken, which the weight
    model's branch and bound can take long to confirm; a SAT solver finds such a placement in
    a fraction of a second, and it proves the weight (everything is held).
    """
    encoding = _Encoding(instance, items, members, all_windows=False)
    left = deadline - time.perf_counter()
    if left <= 0.05:
        return None
    with Solver(name="g3", bootstrap_with=encoding.wcnf.hard) as sat:
        timer = threading.Timer(left, sat.interrupt)
        timer.start()
        try:
            found = sat.solve_limited(expect_interrupt=True)
        finally:
            timer.cancel()
        if not found:
            return None
        true = {lit for lit in sat.get_model() if lit > 0}
    return {c: s for (c, s), var in encoding.x.items() if var in true}


class _Stopped(Exception):
    """The encoding was still being built when the search was stopped."""


class _Encoding:
    """The weighted CNF of the break-minimisation problem for the meetings `members`."""

    def __init__(
        self,
        instance: Instance,
        items: list[Candidate],
        members: list[int],
        all_windows: bool,
        stop: threading.Event | None = None,
    ) -> None:
        self.all_windows = all_windows
        self.pool = IDPool()
        self.wcnf = WCNF()
        self.x: dict[tuple[int, int], int] = {}
        cap = {p.id: p.capacity for p in instance.participants}
        by_part_slot: dict[tuple[str, int], list[int]] = defaultdict(list)
        by_slot: dict[int, list[int]] = defaultdict(list)
        mine: dict[str, list[int]] = defaultdict(list)
        for c in members:
            item = items[c]
            own = []
            for s in item.slots:
                var = self.pool.id(("x", c, s))
                self.x[c, s] = var
                own.append(var)
                by_slot[s].append(var)
                for pid in {item.a, item.b}:
                    by_part_slot[pid, s].append(var)
            for pid in {item.a, item.b}:
                mine[pid].append(c)
            self._card(own, 1, exact=True)
        limit = {p.id: p.max_meetings for p in instance.participants}
        for pid, cands in mine.items():
            if limit[pid] is not None and len(cands) > limit[pid]:
                self._card([], 1, exact=True)  # every member is held: more than allowed
        busy: dict[tuple[str, int], int] = {}
        busy_in: dict[int, list[int]] = defaultdict(list)
        for (pid, s), lits in by_part_slot.items():
            self._card(lits, cap[pid])
            b = busy[pid, s] = self.pool.id(("busy", pid, s))
            busy_in[s].append(b)
            self.wcnf.append([-b, *lits])
            for lit in lits:
                self.wcnf.append([-lit, b])
        for s, lits in by_slot.items():
            tables = instance.slots[s].tables
            self._card(lits, tables)
            self._card(busy_in[s], 2 * tables)
        for block in session_blocks(instance):
            inside = set(block)
            if stop is not None and stop.is_set():
                raise _Stopped
            for pid, cands in mine.items():
                row = [busy.get((pid, s)) for s in block]
                if not any(row):
                    continue
                sure = sum(1 for c in cands if inside.issuperset(items[c].slots))
                maybe = sum(1 for c in cands if inside.intersection(items[c].slots))
                self._session(pid, block[0], row, sure, maybe, cap[pid] == 1)

    def _card(self, lits: list[int], bound: int, exact: bool = False) -> None:
        if not exact and len(lits) <= bound:
            return
        if bound > len(lits) or bound < 0:  # cannot hold: the formula is unsatisfiable
            false = self.pool.id(("false",))
            self.wcnf.extend([[false], [-false]])
            return
        if bound == 0:
            self.wcnf.extend([-lit] for lit in lits)
            return
        kind = EncType.pairwise if bound == 1 and len(lits) <= 6 else EncType.seqcounter
        enc = CardEnc.equals if exact else CardEnc.atmost
        self.wcnf.extend(enc(lits, bound, vpool=self.pool, encoding=kind).clauses)

    def _session(
        self, pid: str, key: int, row: list[int | None], sure: int, maybe: int, single: bool
    ) -> None:
        """Soft break clauses of `pid` in one session (`row`: its busy literal per slot, None
        where it cannot meet) and, for capacity 1, the implied count and windows."""
        present = [b for b in row if b]
        ends: list[int] = []
        for t, b in enumerate(row):
            later = [u for u in row[t + 2 :] if u]
            if b is None or not later:
                continue
            end = self.pool.id(("end", pid, key, t))
            ends.append(end)
            nxt = row[t + 1]
            for u in later:
                self.wcnf.append([-b, *([nxt] if nxt else []), -u, end])
            self.wcnf.append([-end], weight=1)
        if not single:
            return
        if sure == maybe:
            self._card(present, sure, exact=True)
        elif maybe < len(present):
            self._card(present, maybe)
        if not ends or not (self.all_windows or sure == maybe):
            return
        broken = self.pool.id(("broken", pid, key))
        for end in ends:
            self.wcnf.append([-end, broken])
        windows: list[int] = []
        if sure == 0:
            empty = self.pool.id(("empty", pid, key))
            windows.append(empty)
            self.wcnf.extend([-empty, -b] for b in present)
        for length in range(max(1, sure), maybe + 1):
            for start in range(len(row) - length + 1):
                if not all(row[start : start + length]):
                    continue
                w = self.pool.id(("window", pid, key, start, length))
                windows.append(w)
                for t, b in enumerate(row):
                    if b:
                        self.wcnf.append([-w, b] if start <= t < start + length else [-w, -b])
        self.wcnf.append([broken, *windows])
