"""Small helpers to write scheduling instances by hand in tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from scheduling.problem import Fixed, Instance, Meeting, Participant, Request, Slot


def slots(spec: str, tables: int = 10) -> tuple[Slot, ...]:
    """`"d1:a,b,c d2:d,e"` -> slots a, b, c on day d1 then d, e on day d2 (in that order).

    `"d1/am:a,b d1/pm:c,d"` puts a, b in the session "am" of day d1 and c, d in its "pm".
    """
    result: list[Slot] = []
    for day_spec in spec.split():
        where, ids = day_spec.split(":")
        day, _, session = where.partition("/")
        result.extend(Slot(id=i, day=day, tables=tables, session=session) for i in ids.split(","))
    return tuple(result)


def people(*ids: str, **overrides: dict) -> tuple[Participant, ...]:
    """Participants of capacity 1, always available, unless `overrides[id]` says otherwise."""
    return tuple(Participant(id=i, side="any", **overrides.get(i, {})) for i in ids)


def req(a: str, b: str, weight: int = 1, allowed: Sequence[str] | None = None) -> Request:
    return Request(a, b, weight, None if allowed is None else tuple(allowed))


def instance(
    slot_spec: str | tuple[Slot, ...],
    participants: Iterable[Participant],
    requests: Iterable[Request] = (),
    fixed: Iterable[tuple[str, str, str]] = (),
    tables: int = 10,
) -> Instance:
    the_slots = slots(slot_spec, tables) if isinstance(slot_spec, str) else slot_spec
    return Instance(
        slots=the_slots,
        participants=tuple(participants),
        requests=tuple(requests),
        fixed=tuple(Fixed(a, b, s) for a, b, s in fixed),
    )


def meetings(*triples: tuple[str, str, str]) -> list[Meeting]:
    return [Meeting(a, b, s) for a, b, s in triples]
