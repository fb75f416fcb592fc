"""Plain data types of the meeting-scheduling problem and their JSON exchange format.

The optimiser works on these frozen dataclasses rather than on Django models so that it can be
run, tested and benchmarked on its own (see `scheduling-instance-format.md`). Nothing here may
import Django: the package is loaded by the benchmark and by tests without settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Pair = frozenset[str]


def pair_key(a: str, b: str) -> Pair:
    """Return the unordered key of a pair: `side` is informative, so (a, b) and (b, a) are one."""
    return frozenset((a, b))


@dataclass(frozen=True)
class Slot:
    """A meeting slot; `tables` caps how many meetings run in it at once.

    `session` names the B2B session (a block of consecutive slots, such as a morning) within its
    day; "" when the instance gives none, so that a day without sessions is one session.
    """

    id: str
    day: str
    start: str = ""
    end: str = ""
    tables: int = 1
    session: str = ""

    @property
    def block(self) -> tuple[str, str]:
        """The session this slot belongs to: breaks are counted within it, never across."""
        return (self.day, self.session)


@dataclass(frozen=True)
class Participant:
    """Anyone who can meet; `capacity` is the number of meetings it can hold in one slot."""

    id: str
    side: str = ""
    capacity: int = 1
    unavailable: tuple[str, ...] = ()
    max_meetings: int | None = None


@dataclass(frozen=True)
class Request:
    """A pair that should meet; `slots` (when given) restricts where the meeting may be."""

    a: str
    b: str
    weight: int = 1
    slots: tuple[str, ...] | None = None

    @property
    def pair(self) -> Pair:
        return pair_key(self.a, self.b)


@dataclass(frozen=True)
class Fixed:
    """A meeting already locked: every solution must hold it in exactly this slot."""

    a: str
    b: str
    slot: str

    @property
    def pair(self) -> Pair:
        return pair_key(self.a, self.b)


@dataclass(frozen=True)
class Instance:
    """One scheduling problem; slots are listed in time order (breaks depend on that order)."""

    slots: tuple[Slot, ...]
    participants: tuple[Participant, ...]
    requests: tuple[Request, ...]
    fixed: tuple[Fixed, ...] = ()


def session_blocks(instance: Instance) -> list[list[int]]:
    """The slot indices of each session, in time order (slots of a session are consecutive)."""
    blocks: dict[tuple[str, str], list[int]] = {}
    for i, s in enumerate(instance.slots):
        blocks.setdefault(s.block, []).append(i)
    return list(blocks.values())


@dataclass(frozen=True)
class Meeting:
    """A scheduled meeting of the pair (a, b) in `slot`."""

    a: str
    b: str
    slot: str

    @property
    def pair(self) -> Pair:
        return pair_key(self.a, self.b)


@dataclass(frozen=True)
class Solution:
    """The optimiser's answer; `error` is set only when the status is `infeasible`."""

    status: str
    objective: int
    bound: int
    breaks: int
    meetings: tuple[Meeting, ...] = ()
    seconds: float = 0.0
    error: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def check_instance(instance: Instance) -> list[str]:
    """Return the structural errors of an instance (unknown ids, duplicate ids or pairs).

    These are mistakes in the input itself, not broken scheduling rules: the solver refuses such
    an instance instead of guessing. Fixed meetings are deliberately not checked here: a fixed
    meeting that cannot be kept is answered with status `infeasible`, as the format asks.
    """
    errors: list[str] = []
    slot_ids = [s.id for s in instance.slots]
    part_ids = [p.id for p in instance.participants]
    known_slots = set(slot_ids)
    known_parts = set(part_ids)
    if len(known_slots) != len(slot_ids):
        errors.append("duplicate slot ids")
    # A session is a block of consecutive slots: breaks are counted by position within it, so
    # a session that comes back after another one would make that count meaningless.
    closed: set[tuple[str, str]] = set()
    for prev, cur in zip(instance.slots, instance.slots[1:], strict=False):
        if prev.block != cur.block:
            closed.add(prev.block)
            if cur.block in closed:
                errors.append(f"slot {cur.id}: session {cur.session or cur.day} is not contiguous")
    if len(known_parts) != len(part_ids):
        errors.append("duplicate participant ids")
    for s in instance.slots:
        if s.tables < 0:
            errors.append(f"slot {s.id}: negative tables")
    for p in instance.participants:
        if p.capacity < 0:
            errors.append(f"participant {p.id}: negative capacity")
        if p.max_meetings is not None and p.max_meetings < 0:
            errors.append(f"participant {p.id}: negative max_meetings")
        for sid in p.unavailable:
            if sid not in known_slots:
                errors.append(f"participant {p.id}: unknown unavailable slot {sid}")
    seen: set[Pair] = set()
    for r in instance.requests:
        for pid in (r.a, r.b):
            if pid not in known_parts:
                errors.append(f"request {r.a}-{r.b}: unknown participant {pid}")
        if r.a == r.b:
            errors.append(f"request {r.a}-{r.b}: a participant cannot meet itself")
        if r.weight <= 0:
            errors.append(f"request {r.a}-{r.b}: weight must be a positive integer")
        if r.pair in seen:
            errors.append(f"request {r.a}-{r.b}: pair requested twice")
        seen.add(r.pair)
        for sid in r.slots or ():
            if sid not in known_slots:
                errors.append(f"request {r.a}-{r.b}: unknown slot {sid}")
    return errors


def _int(value: Any, name: str) -> int:
    """Accept only real integers: a float or a string in the JSON is an input error."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    return value


def _str_list(value: Any, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{name} must be a list of slot ids")
    return tuple(value)


def instance_from_dict(data: Mapping[str, Any]) -> Instance:
    """Build an Instance from the JSON format, raising ValueError on a malformed document."""
    if not isinstance(data, Mapping):
        raise ValueError("the instance must be a JSON object")
    for key in ("slots", "participants", "requests", "fixed"):
        if key not in data and key in ("slots", "participants"):
            raise ValueError(f"malformed instance: missing {key!r}")
        items = data.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
            raise ValueError(f"malformed instance: {key!r} must be a list of objects")
    try:
        slots = tuple(
            Slot(
                id=str(s["id"]),
                day=str(s["day"]),
                start=str(s.get("start", "")),
                end=str(s.get("end", "")),
                tables=_int(s["tables"], f"slot {s['id']} tables"),
                session=str(s.get("session") or ""),
            )
            for s in data["slots"]
        )
        participants = tuple(
            Participant(
                id=str(p["id"]),
                side=str(p.get("side", "")),
                capacity=_int(p.get("capacity", 1), f"participant {p['id']} capacity"),
                unavailable=_str_list(p.get("unavailable", []), f"participant {p['id']}"),
                max_meetings=(
                    None
                    if p.get("max_meetings") is None
                    else _int(p["max_meetings"], f"participant {p['id']} max_meetings")
                ),
            )
            for p in data["participants"]
        )
        requests = tuple(
            Request(
                a=str(r["a"]),
                b=str(r["b"]),
                weight=_int(r.get("weight", 1), f"request {r['a']}-{r['b']} weight"),
                slots=(
                    None
                    if r.get("slots") is None
                    else _str_list(r["slots"], f"request {r['a']}-{r['b']} slots")
                ),
            )
            for r in data.get("requests", [])
        )
        fixed = tuple(
            Fixed(a=str(f["a"]), b=str(f["b"]), slot=str(f["slot"])) for f in data.get("fixed", [])
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"malformed instance: missing or wrong field {exc}") from exc
    instance = Instance(slots=slots, participants=participants, requests=requests, fixed=fixed)
    errors = check_instance(instance)
    if errors:
        raise ValueError("invalid instance: " + "; ".join(errors))
    return instance


def instance_to_dict(instance: Instance) -> dict[str, Any]:
    """Serialise an Instance to the JSON format, leaving optional fields out when unset."""
    participants: list[dict[str, Any]] = []
    for p in instance.participants:
        item: dict[str, Any] = {
            "id": p.id,
            "side": p.side,
            "capacity": p.capacity,
            "unavailable": list(p.unavailable),
        }
        if p.max_meetings is not None:
            item["max_meetings"] = p.max_meetings
        participants.append(item)
    requests: list[dict[str, Any]] = []
    for r in instance.requests:
        req: dict[str, Any] = {"a": r.a, "b": r.b, "weight": r.weight}
        if r.slots is not None:
            req["slots"] = list(r.slots)
        requests.append(req)
    slots: list[dict[str, Any]] = []
    for s in instance.slots:
        slot: dict[str, Any] = {
            "id": s.id,
            "day": s.day,
            "start": s.start,
            "end": s.end,
            "tables": s.tables,
        }
        if s.session:
            slot["session"] = s.session
        slots.append(slot)
    return {
        "slots": slots,
        "participants": participants,
        "requests": requests,
        "fixed": [{"a": f.a, "b": f.b, "slot": f.slot} for f in instance.fixed],
    }


def meetings_from_list(items: Iterable[Mapping[str, Any]]) -> tuple[Meeting, ...]:
    """Read a list of `{"a", "b", "slot"}` objects."""
    return tuple(Meeting(a=str(m["a"]), b=str(m["b"]), slot=str(m["slot"])) for m in items)


def solution_from_dict(data: Mapping[str, Any]) -> Solution:
    """Build a Solution from the JSON format, raising ValueError on a malformed document."""
    try:
        return Solution(
            status=str(data["status"]),
            objective=int(data["objective"]),
            bound=int(data["bound"]),
            breaks=int(data["breaks"]),
            meetings=meetings_from_list(data.get("meetings", [])),
            seconds=float(data.get("seconds", 0.0)),
            error=data.get("error"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"malformed solution: {exc}") from exc


def solution_to_dict(solution: Solution) -> dict[str, Any]:
    """Serialise a Solution to the JSON format; `error` only appears when there is one."""
    data: dict[str, Any] = {
        "status": solution.status,
        "objective": solution.objective,
        "bound": solution.bound,
        "breaks": solution.breaks,
        "meetings": [{"a": m.a, "b": m.b, "slot": m.slot} for m in solution.meetings],
        "seconds": round(solution.seconds, 3),
    }
    if solution.error is not None:
        data["error"] = solution.error
    return data
