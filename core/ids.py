"""Values sent by forms and query strings (ids, search terms): anything malformed is ignored or
cleaned, never a 500."""

MAX_ID = 2**63 - 1


def parse_id(value: str | None) -> int | None:
    if not value or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def parse_ids(values: list[str]) -> list[int]:
    return [n for n in map(parse_id, values) if n is not None]


def parse_search(value: str, *, length: int = 100) -> str:
    """A search term from a query string: trimmed, bounded, without the NUL characters that
    PostgreSQL refuses in a text value."""
    return value.replace("\x00", "").strip()[:length]
