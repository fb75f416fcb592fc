"""Ids sent by forms: anything that is not a plain decimal number is ignored, never a 500."""

MAX_ID = 2**63 - 1


def parse_id(value: str | None) -> int | None:
    if not value or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def parse_ids(values: list[str]) -> list[int]:
    return [n for n in map(parse_id, values) if n is not None]
