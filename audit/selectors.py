"""Reads of the audit trail for staff: entries of the followed models, newest first, and what
changed in each, shown with the fields' names and the values' labels."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC

from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .apps import TRAILED

ACTIONS = {
    LogEntry.Action.CREATE: _("added"),
    LogEntry.Action.UPDATE: _("changed"),
    LogEntry.Action.DELETE: _("deleted"),
    LogEntry.Action.ACCESS: _("viewed"),
}


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class TrailRow:
    entry: LogEntry
    kind: str
    action: str
    changes: list[Change]


def trail_kinds() -> list[tuple[str, str]]:
    """(value for the filter, the model's name) of every followed model."""
    return [
        (label.lower(), str(apps.get_model(label)._meta.verbose_name).capitalize())
        for label in TRAILED
    ]


def _content_types() -> dict[str, ContentType]:
    return {
        label.lower(): ContentType.objects.get_for_model(apps.get_model(label)) for label in TRAILED
    }


def trail_entries(*, kind: str = "", search: str = "") -> QuerySet[LogEntry]:
    """Entries about the followed models (of one of them: ``kind``), newest first; ``search``
    matches the object's name or the author's name or address."""
    types = _content_types()
    chosen = [types[kind]] if kind in types else list(types.values())
    entries = LogEntry.objects.filter(content_type__in=chosen)
    if search:
        entries = entries.filter(
            Q(object_repr__icontains=search)
            | Q(actor__full_name__icontains=search)
            | Q(actor__email__icontains=search)
        )
    return entries.select_related("actor", "content_type").order_by("-timestamp", "-pk")


def _show(value) -> str:
    return "—" if value in (None, "", "None") else str(value)


def trail_rows(entries: Sequence[LogEntry]) -> list[TrailRow]:
    """The page's entries, ready to show: choices by their label, related rows by their name
    (read in one query per related model for the whole page)."""
    wanted: dict[type[models.Model], set] = defaultdict(set)
    parsed = []
    for entry in entries:
        model = entry.content_type.model_class()
        fields = []
        for name, values in (entry.changes_dict or {}).items():
            old, new = [*values, None, None][:2]
            try:
                field = model._meta.get_field(name) if model else None
            except FieldDoesNotExist:
                field = None
            if field is not None and field.is_relation and field.many_to_one:
                for value in (old, new):
                    if value not in (None, "", "None"):
                        wanted[field.related_model].add(str(value))
            fields.append((name, field, old, new))
        parsed.append((entry, model, fields))
    names = {
        related: {
            str(pk): str(obj)
            for pk, obj in related._default_manager.in_bulk(
                [related._meta.pk.to_python(v) for v in values if str(v).isdigit()]
            ).items()
        }
        for related, values in wanted.items()
    }

    def label(field, value) -> str:
        if field is None or value in (None, "", "None"):
            return _show(value)
        if field.is_relation and field.many_to_one:
            return names.get(field.related_model, {}).get(str(value), _show(value))
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(field, models.DateTimeField) and (moment := parse_datetime(str(value))):
            # Stored in UTC, without its zone: shown in the site's.
            if timezone.is_naive(moment):
                moment = moment.replace(tzinfo=UTC)
            return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
        return _show(value)

    rows = []
    for entry, model, fields in parsed:
        changes = [
            Change(
                field=str(field.verbose_name).capitalize() if field is not None else name,
                old=label(field, old),
                new=label(field, new),
            )
            for name, field, old, new in fields
        ]
        kind = str(model._meta.verbose_name).capitalize() if model else entry.content_type.model
        rows.append(
            TrailRow(
                entry=entry, kind=kind, action=str(ACTIONS.get(entry.action, "")), changes=changes
            )
        )
    return rows
