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
from statistics import median

from scheduling.greedy import greedy
from scheduling.problem import (
    Fixed,
    Instance,
    Meeting,
    Participant,
    Request,
    Slot,
    instance_from_dict,
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
    # "scarce": fewer tables than the firms' delegates; "ample": a table for every delegate, as
    # in the paper's events where every request fits. None: scarce on odd seeds, ample on even.
    tables: str | None = None


SIZES = {
    "S": Size("S", 13, 60, 2, 30.0),
    "M": Size("M", 20, 150, 3, 30.0),
    "L": Size("L", 60, 500, 3, 30.0),
    "XL": Size("XL", 150, 1500, 4, 120.0),
}
SECTORS = ["agri", "textile", "auto", "aero", "it", "pharma", "energy", "tourism", "logistics"]
# Slots per session: a morning of 6 (09:00-11:30) and an afternoon of 4 to 8 from 14:00.
_MORNING = 6


def generate(size: Size, seed: int = 7) -> Instance:
    """Build a mission like the real ones; the same size and seed always give the same instance.

    Two B2B sessions a day (morning and afternoon, lunch between). Participants are away in the
    ways real ones are: a scattered slot or three, a half-day, all days but one, mornings only.
    A quarter of the requests are restricted (`slots`) to mornings, to afternoons or to one day.
    A few firms are very popular (Zipf-like), about 2% of the requests are fixed, 15% of the
    firms have two delegates, 30% of the operators cap their meetings.
    """
    rng = random.Random(f"{size.name}-{seed}")
    ample = size.tables == "ample" if size.tables else seed % 2 == 0
    slots: list[Slot] = []
    day_slots: list[list[str]] = []
    sessions: list[list[str]] = []
    mornings: set[str] = set()
    first_day = date(2027, 3, 8)
    for d in range(size.days):
        day = first_day + timedelta(days=d)
        n = rng.randint(_MORNING + 4, _MORNING + 8)
        ids: list[str] = []
        start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)
        for k in range(n):
            morning = k < _MORNING
            t = (
                start + timedelta(minutes=30 * k)
                if morning
                else start.replace(hour=14) + timedelta(minutes=30 * (k - _MORNING))
            )
            sid = f"d{d + 1}-{t:%H%M}"
            ids.append(sid)
            if morning:
                mornings.add(sid)
            end = (t + timedelta(minutes=25)).isoformat()
            session = "am" if morning else "pm"
            slots.append(Slot(sid, day.isoformat(), t.isoformat(), end, 0, session))
        day_slots.append(ids)
        sessions += [ids[:_MORNING], ids[_MORNING:]]
    all_ids = [s.id for s in slots]

    def away(kind_draw: float, scattered: float) -> tuple[str, ...]:
        """Unavailable slots of one participant, drawn as real availability looks."""
        if kind_draw < 0.15:  # mornings only
            return tuple(s for s in all_ids if s not in mornings)
        if kind_draw < 0.3 and size.days > 1:  # one day only
            d = rng.randrange(size.days)
            return tuple(s for k, ids in enumerate(day_slots) if k != d for s in ids)
        if kind_draw < 0.45:  # away for one half-day
            return tuple(rng.choice(sessions))
        if kind_draw < 0.45 + scattered:  # a few scattered slots (another appointment)
            return tuple(rng.sample(all_ids, rng.randint(1, 3)))
        return ()

    firms: list[Participant] = []
    firm_sectors: dict[str, set[str]] = {}
    for i in range(size.firms):
        fid = f"F{i:03d}"
        firm_sectors[fid] = set(rng.sample(SECTORS, rng.choice([1, 1, 2])))
        unavailable = away(0.3 + 0.7 * rng.random(), 0.25)  # firms come for the whole mission
        firms.append(Participant(fid, "firm", 2 if rng.random() < 0.15 else 1, unavailable))
    # Popularity: a few firms attract most wishes (Zipf-like), shuffled against sectors.
    popularity = {
        f.id: 1.0 / (rank + 1) ** 0.9 for rank, f in enumerate(rng.sample(firms, len(firms)))
    }

    operators: list[Participant] = []
    requests: list[Request] = []
    for j in range(size.operators):
        oid = f"O{j:04d}"
        unavailable = away(rng.random(), 0.3)
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
            requests.append(
                Request(fid, oid, weight, _restriction(rng, all_ids, mornings, day_slots))
            )
    # A few firm-to-firm wishes: the sides are not disjoint.
    for _ in range(max(1, size.firms // 10)):
        a, b = rng.sample(firms, 2)
        if not any({r.a, r.b} == {a.id, b.id} for r in requests):
            requests.append(Request(a.id, b.id, 1))

    firm_capacity = sum(f.capacity for f in firms)
    tables = firm_capacity if ample else max(2, math.ceil(0.7 * firm_capacity))
    slots = [Slot(s.id, s.day, s.start, s.end, tables, s.session) for s in slots]
    participants = tuple(firms + operators)
    instance = Instance(tuple(slots), participants, tuple(requests), ())
    return Instance(instance.slots, participants, instance.requests, _fixed(instance, rng))


def _restriction(
    rng: random.Random, all_ids: list[str], mornings: set[str], day_slots: list[list[str]]
) -> tuple[str, ...] | None:
    """A quarter of the requests: mornings only, afternoons only, or one given day."""
    u = rng.random()
    if u < 0.1:
        return tuple(s for s in all_ids if s in mornings)
    if u < 0.18:
        return tuple(s for s in all_ids if s not in mornings)
    if u < 0.25 and len(day_slots) > 1:
        return tuple(rng.choice(day_slots))
    return None


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
        "seed": seed,
        "tables": size.tables or ("ample" if seed % 2 == 0 else "scarce"),
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


def run_paper(path: Path, workers: int, time_limit: float) -> dict[str, object]:
    """Solve one of the paper's instances; every request should be held."""
    instance = instance_from_dict(json.loads(path.read_text()))
    solution = solve(instance, time_limit=time_limit, workers=workers)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "instance": path.stem,
        "held": len(solution.meetings),
        "requests": len(instance.requests),
        "breaks": solution.breaks,
        "status": solution.status,
        "seconds": round(solution.seconds, 1),
        "peak_mb": round(peak_kb / 1024),
        "valid": not validate(instance, solution.meetings),
        "extra": dict(solution.extra),
    }


# The paper's proved optimal breaks (its Table 5; ../shared/benchmarks/README.md).
PAPER_OPTIMUM = {
    "forum-13": 0,
    "forum-14": 2,
    "forumt-14": 5,
    "forumt-14crafd": 4,
    "tic-12": 0,
    "tic-13": 0,
    "tic-13crafc": 4,
    "tic-14crafc": 0,
    "ticf-13crafb": 3,
    "ticf-14crafa": 0,
}
PAPER_DIR = ROOT.parent / "shared" / "benchmarks" / "paper"


def _gap(r: dict[str, object]) -> float:
    obj, bound = int(r["objective"]), int(r["bound"])  # type: ignore[call-overload]
    return 100.0 * (bound - obj) / bound if bound else 0.0


def _break_share(r: dict[str, object]) -> float:
    """Breaks as a percentage of first-come's (the target is at most 20)."""
    gb, b = int(r["greedy_breaks"]), int(r["breaks"])  # type: ignore[call-overload]
    return 100.0 * b / gb if gb else 0.0


def _row(r: dict[str, object]) -> str:
    return (
        f"| {r['size']} | {r['seed']} | {r['tables']} | {r['participants']} | {r['slots']} "
        f"| {r['requests']} | {r['fixed']} | {r['status']} | {r['meetings']} | {r['objective']} "
        f"| {r['bound']} | {_gap(r):.2f} | {r['breaks']} | {r['greedy_breaks']} "
        f"| {_break_share(r):.0f} | {r['seconds']} | {r['peak_mb']} "
        f"| {'yes' if r['valid'] else 'NO'} |"
    )


HEADER = (
    "| size | seed | tables | participants | slots | requests | fixed | status | meetings "
    "| objective | bound | gap % | breaks | first-come breaks | breaks % of first-come "
    "| seconds | peak MB | valid |\n" + "|---" * 18 + "|"
)
SUMMARY_HEADER = (
    "| size | seeds | optimal | gap % median / worst | breaks % of first-come median / worst "
    "| seconds median / worst | peak MB worst |\n" + "|---" * 7 + "|"
)
PAPER_HEADER = (
    "| instance | held / requests | breaks | paper optimum | matched | status | seconds "
    "| peak MB | valid |\n" + "|---" * 9 + "|"
)


def _summary(name: str, rows: list[dict[str, object]]) -> str:
    gaps = [_gap(r) for r in rows]
    shares = [_break_share(r) for r in rows]
    secs = [float(r["seconds"]) for r in rows]  # type: ignore[arg-type]
    optimal = sum(1 for r in rows if r["status"] == "optimal")
    return (
        f"| {name} | {len(rows)} | {optimal} | {median(gaps):.2f} / {max(gaps):.2f} "
        f"| {median(shares):.0f} / {max(shares):.0f} | {median(secs):.1f} / {max(secs):.1f} "
        f"| {max(int(r['peak_mb']) for r in rows)} |"  # type: ignore[call-overload]
    )


def _matched(r: dict[str, object]) -> bool:
    """Every request held and breaks at or below the paper's proved optimum."""
    best = PAPER_OPTIMUM.get(str(r["instance"]))
    held_all = r["held"] == r["requests"] and bool(r["valid"])
    return held_all and best is not None and int(r["breaks"]) <= best  # type: ignore[call-overload]


def _paper_row(r: dict[str, object]) -> str:
    best = PAPER_OPTIMUM.get(str(r["instance"]))
    matched = _matched(r)
    return (
        f"| {r['instance']} | {r['held']} / {r['requests']} | {r['breaks']} "
        f"| {'?' if best is None else best} | {'yes' if matched else 'NO'} | {r['status']} "
        f"| {r['seconds']} | {r['peak_mb']} | {'yes' if r['valid'] else 'NO'} |"
    )


def _child(args: list[str]) -> dict[str, object] | str:
    """Run one measurement in a fresh process (its own peak memory); the JSON or the error."""
    cmd = [sys.executable, "-m", "bench.scheduling", *args]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return f"failed: {done.stderr.strip().splitlines()[-1:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="S,M,L,XL", help="'' for none")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=None, help="override per-size limit")
    parser.add_argument("--paper", default=str(PAPER_DIR), help="folder of paper instances")
    parser.add_argument("--paper-time-limit", type=float, default=30.0)
    parser.add_argument("--no-paper", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one size, print JSON
    parser.add_argument("--seed", type=int, default=7, help=argparse.SUPPRESS)
    parser.add_argument("--paper-one", help=argparse.SUPPRESS)  # internal: one paper file
    parser.add_argument("--dump", help="write the instance of --sizes' first size to this file")
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.seed, args.workers, args.time_limit)))
        return
    if args.paper_one:
        print(json.dumps(run_paper(Path(args.paper_one), args.workers, args.paper_time_limit)))
        return
    names = [n.strip().upper() for n in args.sizes.split(",") if n.strip()]
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    unknown = [n for n in names if n not in SIZES]
    if unknown:
        parser.error(f"unknown sizes {unknown}; choose among {list(SIZES)}")
    if args.dump:
        Path(args.dump).write_text(
            json.dumps(instance_to_dict(generate(SIZES[names[0]], seeds[0])))
        )
        return
    paper = sorted(Path(args.paper).glob("*.json")) if not args.no_paper else []
    if paper:
        print(PAPER_HEADER, flush=True)
        matched = 0
        for path in paper:
            result = _child(["--paper-one", str(path), "--workers", str(args.workers),
                             "--paper-time-limit", str(args.paper_time_limit)])  # fmt: skip
            if isinstance(result, str):
                print(f"| {path.stem} | {result} |", flush=True)
                continue
            row = _paper_row(result)
            matched += _matched(result)
            print(row, flush=True)
            print(f"<!-- {path.stem}: {json.dumps(result['extra'])} -->", file=sys.stderr)
        print(f"\n{matched} of {len(paper)} public paper instances matched\n", flush=True)
    if not names:
        return
    print(HEADER, flush=True)
    by_size: dict[str, list[dict[str, object]]] = {}
    for name in names:
        for seed in seeds:
            cmd = ["--one", name, "--seed", str(seed), "--workers", str(args.workers)]
            if args.time_limit:
                cmd += ["--time-limit", str(args.time_limit)]
            result = _child(cmd)
            if isinstance(result, str):
                print(f"| {name} | {seed} | {result} |", flush=True)
                continue
            by_size.setdefault(name, []).append(result)
            print(_row(result), flush=True)
            print(f"<!-- {name}/{seed}: {json.dumps(result['extra'])} -->", file=sys.stderr)
    print("\n" + SUMMARY_HEADER)
    for name, rows in by_size.items():
        print(_summary(name, rows), flush=True)


if __name__ == "__main__":
    main()
