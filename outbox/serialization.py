"""A message's context kept as JSON: rows become references, read again at delivery, so that the
message shows the data of the moment it leaves, and the request that caused it renders nothing."""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.dateparse import parse_date, parse_datetime

MODEL, PK, DATETIME, DATE = "$model", "pk", "$datetime", "$date"
CURRENT = "$while_current"  # [row, field, value] of email_send(while_current=...)


class Gone(Exception):
    """A row the message refers to no longer exists."""


def encode(value: Any) -> Any:
    if isinstance(value, models.Model):
        return {MODEL: value._meta.label_lower, PK: value.pk}
    if isinstance(value, datetime):
        return {DATETIME: value.isoformat()}
    if isinstance(value, date):
        return {DATE: value.isoformat()}
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, models.Choices):
        return value.value
    raise TypeError(f"cannot keep {type(value).__name__} in an e-mail's context")


def _read(label: str, pks: list, rows: dict) -> None:
    """Read the rows of one model not read yet, in one query, with the rows its messages always
    read (the model's OUTBOX_RELATED)."""
    wanted = [pk for pk in pks if (label, pk) not in rows]
    if not wanted:
        return
    model = apps.get_model(label)
    found = model._default_manager.all()
    if related := getattr(model, "OUTBOX_RELATED", ()):
        found = found.select_related(*related)
    for pk, row in found.in_bulk(wanted).items():
        rows[label, pk] = row
    for pk in wanted:
        if (label, pk) not in rows:
            raise Gone(f"{model._meta.verbose_name} #{pk} no longer exists")


def decode(value: Any, rows: dict | None = None) -> Any:
    """The value with its references read again; ``rows`` shares the rows read between calls, so
    a row named twice (in the context and by an attachment) is read once, and a list of rows
    of one model (a day's meetings) is read in one query."""
    rows = {} if rows is None else rows
    if isinstance(value, list):
        refs = [v for v in value if isinstance(v, dict) and MODEL in v]
        for label in {v[MODEL] for v in refs}:
            _read(label, [v[PK] for v in refs if v[MODEL] == label], rows)
        return [decode(v, rows) for v in value]
    if not isinstance(value, dict):
        return value
    if MODEL in value:
        _read(value[MODEL], [value[PK]], rows)
        return rows[value[MODEL], value[PK]]
    if DATETIME in value:
        return parse_datetime(value[DATETIME])
    if DATE in value:
        return parse_date(value[DATE])
    return {k: decode(v, rows) for k, v in value.items()}
