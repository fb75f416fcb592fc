"""Writes of the API: tokens (made, revoked, used) and the API's own writes, which call the
product's services."""

import hashlib
import hmac
import secrets
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import SCOPE_FIELDS, ApiToken, ApiTokenUse

TOKEN_PREFIX = "mxp_"  # noqa: S105  (not a secret) recognisable in a leaked file or a secret scanner


class ApiTokenError(Exception):
    """A refused change to a token; the message is for the user."""


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, name: str, scopes: list[str], expires_at: datetime, by) -> tuple[ApiToken, str]:
    """A new token and its secret value, which is never stored nor shown again."""
    if expires_at <= timezone.now():
        raise ApiTokenError(_("The expiry must be in the future."))
    unknown = set(scopes) - set(SCOPE_FIELDS)
    if unknown or not scopes:
        raise ApiTokenError(_("Choose at least one scope."))
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        name=name.strip()[:100],
        prefix=prefix,
        digest=_digest(raw),
        expires_at=expires_at,
        created_by=by,
        **{field: scope in scopes for scope, field in SCOPE_FIELDS.items()},
    )
    token.save()
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, by) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise ApiTokenError(_("This token is already revoked."))
    token.revoked_at, token.revoked_by = timezone.now(), by
    token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def token_find(raw: str) -> ApiToken | None:
    """The token that ``raw`` is, active or not, or None. The digests are compared in constant
    time; the prefix only finds the row."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    prefix, _sep, secret = raw.removeprefix(TOKEN_PREFIX).partition("_")
    if not prefix or not secret or len(raw) > 200:
        return None
    token = ApiToken.objects.filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(raw)):
        return None
    return token


def token_use_record(
    *, token: ApiToken, method: str, path: str, status: int, ip: str | None
) -> None:
    now = timezone.now()
    ApiTokenUse.objects.create(
        token=token, at=now, method=method[:10], path=path[:300], status=status, ip=ip or None
    )
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


def rate_allow(*, token: ApiToken) -> tuple[bool, int]:
    """Whether the token may make one more request in the current window (a fixed window of
    ``API_RATE_WINDOW`` seconds, counted in the cache, atomically with Redis), and the seconds
    until the window ends."""
    window = settings.API_RATE_WINDOW
    now = int(timezone.now().timestamp())
    start = now - now % window
    key = f"api-rate:{token.pk}:{start}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 5)
        count = 1
    return count <= settings.API_RATE_LIMIT, start + window - now


class OperatorRowsError(Exception):
    """Some operators sent to the API break the import's rules: nothing is imported."""

    def __init__(self, rows: list[tuple[int, list[str]]]):
        super().__init__(rows)
        self.rows = rows


IMPORT_COLUMNS = ("name", "kind", "country", "city", "website", "sectors", "needs", "full_name",
                  "email", "phone", "language")  # fmt: skip
# The spreadsheet headings the import reads, for each column.
IMPORT_HEADINGS = ("organisation", "kind", "country", "city", "website", "sectors", "needs",
                   "contact name", "email", "phone", "language")  # fmt: skip


def operators_add(*, mission, operators: list[dict], by) -> tuple[dict[str, int], list[dict]]:
    """Add operators to a mission by the rules of the spreadsheet import: the rows are read by
    ``missions.operator_import.import_preview`` (the same checks, duplicates and known contacts
    included), then imported by ``missions.services.operators_import``, all or nothing."""
    import csv
    import io

    from missions.operator_import import import_preview, importable
    from missions.services import operators_import

    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(IMPORT_HEADINGS)
    for row in operators:
        values = {**row, "sectors": ", ".join(row.get("sectors") or [])}
        writer.writerow([str(values.get(column) or "") for column in IMPORT_COLUMNS])
    preview = import_preview(mission=mission, name="api.csv", content=buffer.getvalue().encode())
    errors = [(row.number - 2, row.errors) for row in preview if row.errors]
    if errors:
        raise OperatorRowsError(errors)
    with transaction.atomic():
        counts = operators_import(mission=mission, rows=importable(preview), by=by)
    counts["skipped"] += sum(row.action == "skip" for row in preview)
    return counts, [{"action": row.action, "note": str(row.note)} for row in preview]
