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


def decode(value: Any, rows: dict | None = None) -> Any:
    """The value with its references read again; ``rows`` shares the rows read between calls, so
    a row named twice (in the context and by an attachment) is read once."""
    rows = {} if rows is None else rows
    if isinstance(value, list):
        return [decode(v, rows) for v in value]
    if not isinstance(value, dict):
        return value
    if MODEL in value:
        ref = (value[MODEL], value[PK])
        if ref not in rows:
            model = apps.get_model(value[MODEL])
            try:
                # A model may name the rows its messages always read (OUTBOX_RELATED).
                rows_of = model._default_manager.all()
                if related := getattr(model, "OUTBOX_RELATED", ()):
                    rows_of = rows_of.select_related(*related)
                rows[ref] = rows_of.get(pk=value[PK])
            except model.DoesNotExist as exc:
                raise Gone(f"{model._meta.verbose_name} #{value[PK]} no longer exists") from exc
        return rows[ref]
    if DATETIME in value:
        return parse_datetime(value[DATETIME])
    if DATE in value:
        return parse_date(value[DATE])
    return {k: decode(v, rows) for k, v in value.items()}
