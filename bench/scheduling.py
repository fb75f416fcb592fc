"""Benchmark of the CP-SAT schedule optimiser against the first-come baseline.

Generates seeded, realistic trade-mission instances (sector affinities, a few very popular
firms, operators present only in the mornings or on one day, scarce tables, firms with two
delegates, about 2% fixed meetings, 12-16 slots a day) and prints one Markdown row per size.

Each size runs in a fresh subprocess so that the peak resident memory (ru_maxrss, which sees
OR-Tools' C++ allocations, unlike tracemalloc) is the peak of that size alone.

    python -m bench.scheduling [--sizes S,M,L,XL] [--seed 7] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from scheduling.greedy import greedy
from scheduling.problem import (
    Fixed,
    Instance,
    Meeting,
    Participant,
    Request,
    Slot,
    instance_to_dict,
)
from scheduling.solver import solve
from scheduling.validate import validate

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Size:
    name: str
    firms: int
    operators: int
    days: int
    time_limit: float


SIZES = {
    "S": Size("S", 13, 60, 2, 30.0),
    "M": Size("M", 20, 150, 3, 30.0),
    "L": Size("L", 60, 500, 3, 30.0),
    "XL": Size("XL", 150, 1500, 4, 120.0),
}
SECTORS = ["agri", "textile", "auto", "aero", "it", "pharma", "energy", "tourism", "logistics"]


def generate(size: Size, seed: int = 7) -> Instance:
    """Build a realistic instance; the same size and seed always give the same instance."""
    rng = random.Random(f"{size.name}-{seed}")
    slots: list[Slot] = []
    day_slots: list[list[str]] = []
    mornings: set[str] = set()
    first_day = date(2027, 3, 8)
    for d in range(size.days):
        day = first_day + timedelta(days=d)
        n = rng.randint(12, 16)
        ids: list[str] = []
        start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)
        for k in range(n):
            # A lunch pause after the sixth slot: the afternoon starts at 14:00.
            t = (
                start + timedelta(minutes=30 * k)
                if k < 6
                else start.replace(hour=14) + timedelta(minutes=30 * (k - 6))
            )
            sid = f"d{d + 1}-{t:%H%M}"
            ids.append(sid)
            if k < 6:
                mornings.add(sid)
            slots.append(
                Slot(
                    sid, day.isoformat(), t.isoformat(), (t + timedelta(minutes=25)).isoformat(), 0
                )
            )
        day_slots.append(ids)
    all_ids = [s.id for s in slots]

    firms: list[Participant] = []
    firm_sectors: dict[str, set[str]] = {}
    for i in range(size.firms):
        fid = f"F{i:03d}"
        firm_sectors[fid] = set(rng.sample(SECTORS, rng.choice([1, 1, 2])))
        unavailable: tuple[str, ...] = ()
        if rng.random() < 0.1:  # away for one half-day
            d = rng.randrange(size.days)
            # Draw the half once: drawing inside the comprehension (the first version) made the
            # firm away in a random scatter of that day's slots instead of a half-day.
            away_morning = rng.random() < 0.5
            unavailable = tuple(s for s in day_slots[d] if (s in mornings) == away_morning)
        firms.append(Participant(fid, "firm", 2 if rng.random() < 0.15 else 1, unavailable))
    # Popularity: a few firms attract most wishes (Zipf-like), shuffled against sectors.
    popularity = {
        f.id: 1.0 / (rank + 1) ** 0.9 for rank, f in enumerate(rng.sample(firms, len(firms)))
    }

    operators: list[Participant] = []
    requests: list[Request] = []
    for j in range(size.operators):
        oid = f"O{j:04d}"
        r = rng.random()
        if r < 0.25:  # mornings only
            unavailable = tuple(s for s in all_ids if s not in mornings)
        elif r < 0.45 and size.days > 1:  # one day only
            d = rng.randrange(size.days)
            unavailable = tuple(s for k, ids in enumerate(day_slots) if k != d for s in ids)
        else:
            unavailable = ()
        max_meetings = rng.randint(4, 8) if rng.random() < 0.3 else None
        operators.append(Participant(oid, "operator", 1, unavailable, max_meetings))
        interests = set(rng.sample(SECTORS, rng.choice([1, 2, 2, 3])))
        affinity = {
            f.id: popularity[f.id] * (4.0 if firm_sectors[f.id] & interests else 0.4) for f in firms
        }
        k = min(len(firms), rng.randint(3, 8))
        chosen: list[str] = []
        pool = dict(affinity)
        for _ in range(k):
            total = sum(pool.values())
            pick = rng.uniform(0, total)
            acc = 0.0
            for fid, w in pool.items():
                acc += w
                if acc >= pick:
                    chosen.append(fid)
                    del pool[fid]
                    break
        for fid in chosen:
            u = rng.random()
            weight = 3 if u < 0.3 else 2 if u < 0.5 else 1
            allowed = tuple(sorted(mornings)) if rng.random() < 0.05 else None
            requests.append(Request(fid, oid, weight, allowed))
    # A few firm-to-firm wishes: the sides are not disjoint.
    for _ in range(max(1, size.firms // 10)):
        a, b = rng.sample(firms, 2)
        if not any({r.a, r.b} == {a.id, b.id} for r in requests):
            requests.append(Request(a.id, b.id, 1))

    firm_capacity = sum(f.capacity for f in firms)
    tables = max(2, math.ceil(0.7 * firm_capacity))  # scarce: fewer tables than delegates
    slots = [Slot(s.id, s.day, s.start, s.end, tables) for s in slots]
    participants = tuple(firms + operators)
    instance = Instance(tuple(slots), participants, tuple(requests), ())
    return Instance(instance.slots, participants, instance.requests, _fixed(instance, rng))


def _fixed(instance: Instance, rng: random.Random) -> tuple[Fixed, ...]:
    """Lock about 2% of the requests in a random slot, keeping the fixed set valid."""
    fixed: list[Fixed] = []
    meetings = []
    for r in rng.sample(list(instance.requests), k=max(1, len(instance.requests) // 50)):
        allowed = list(r.slots or [s.id for s in instance.slots])
        for sid in rng.sample(allowed, k=min(4, len(allowed))):
            trial = Fixed(r.a, r.b, sid)
            probe = Instance(
                instance.slots, instance.participants, instance.requests, (*fixed, trial)
            )
            candidate = [*meetings, Meeting(r.a, r.b, sid)]
            if not [e for e in validate(probe, candidate) if not e.startswith("rule 4")]:
                fixed.append(trial)
                meetings = candidate
                break
    return tuple(fixed)


def run_one(name: str, seed: int, workers: int, time_limit: float | None) -> dict[str, object]:
    """Generate, run the baseline and the solver for one size; measure this process' peak."""
    size = SIZES[name]
    instance = generate(size, seed)
    base = greedy(instance)
    solution = solve(instance, time_limit=time_limit or size.time_limit, workers=workers)
    errors = validate(instance, solution.meetings)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return {
        "size": name,
        "participants": len(instance.participants),
        "slots": len(instance.slots),
        "requests": len(instance.requests),
        "fixed": len(instance.fixed),
        "status": solution.status,
        "meetings": len(solution.meetings),
        "objective": solution.objective,
        "bound": solution.bound,
        "breaks": solution.breaks,
        "seconds": round(solution.seconds, 1),
        "peak_mb": round(peak_kb / 1024),
        "greedy_objective": base.objective,
        "greedy_meetings": len(base.meetings),
        "greedy_breaks": base.breaks,
        "valid": not errors,
        "extra": dict(solution.extra),
    }


def _row(r: dict[str, object]) -> str:
    obj, bound = int(r["objective"]), int(r["bound"])  # type: ignore[call-overload]
    gap = 100.0 * (bound - obj) / bound if bound else 0.0
    gb, b = int(r["greedy_breaks"]), int(r["breaks"])  # type: ignore[call-overload]
    reduction = 100.0 * (gb - b) / gb if gb else 0.0
    return (
        f"| {r['size']} | {r['participants']} | {r['slots']} | {r['requests']} | {r['fixed']} "
        f"| {r['status']} | {r['meetings']} | {obj} | {bound} | {gap:.2f} | {b} | {r['seconds']} "
        f"| {r['peak_mb']} | {r['greedy_objective']} ({r['greedy_meetings']} mtg) | {gb} "
        f"| {reduction:.0f} | {'yes' if r['valid'] else 'NO'} |"
    )


HEADER = (
    "| size | participants | slots | requests | fixed | status | meetings | objective | bound "
    "| gap % | breaks | seconds | peak MB | greedy objective | greedy breaks | break reduction % "
    "| valid |\n" + "|---" * 17 + "|"
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="S,M,L,XL")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=None, help="override per-size limit")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one size, print JSON
    parser.add_argument("--dump", help="write the instance of --sizes' first size to this file")
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.seed, args.workers, args.time_limit)))
        return
    names = [n.strip().upper() for n in args.sizes.split(",") if n.strip()]
    unknown = [n for n in names if n not in SIZES]
    if unknown:
        parser.error(f"unknown sizes {unknown}; choose among {list(SIZES)}")
    if args.dump:
        Path(args.dump).write_text(
            json.dumps(instance_to_dict(generate(SIZES[names[0]], args.seed)))
        )
        return
    print(HEADER, flush=True)
    for name in names:
        cmd = [
            sys.executable, "-m", "bench.scheduling", "--one", name,
            "--seed", str(args.seed), "--workers", str(args.workers),
        ]  # fmt: skip
        if args.time_limit:
            cmd += ["--time-limit", str(args.time_limit)]
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"| {name} | failed: {done.stderr.strip().splitlines()[-1:]} |", flush=True)
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print(_row(result), flush=True)
        print(f"<!-- {name}: {json.dumps(result['extra'])} -->", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
