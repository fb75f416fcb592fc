"""Writing to the outbox. ``email_send`` is the only way the product sends e-mail."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Email, EmailStatus
from .recipients import Recipient
from .serialization import CURRENT, encode
from .tasks import email_deliver_many_task, email_deliver_task


class OutboxError(Exception):
    """A refused change to a message, with a message for the user."""


def recipients_for_users(users: Iterable) -> list[Recipient]:
    return [Recipient(email=u.email, language=u.language, name=u.get_full_name()) for u in users]


def message_key(event: str, email: str) -> str:
    return f"{event}:{email.strip().lower()}"[:300]


def _enqueue_on_commit(keys: list[str]) -> None:
    def enqueue():
        if len(keys) == 1:
            email_deliver_task.delay(keys[0])
        elif keys:
            email_deliver_many_task.delay(keys)

    transaction.on_commit(enqueue, robust=True)


def email_send(
    *,
    event: str,
    recipients: Iterable[Recipient],
    template: str,
    context: dict,
    mission=None,
    attachments: Iterable[tuple[str, dict]] = (),
    while_current: tuple | None = None,
) -> None:
    """Record one message per recipient in the current transaction; a worker delivers each one
    once the transaction commits.

    ``event`` names what happened, uniquely (``meeting-booked:<id>:<sequence>``): recording the
    same event twice sends nothing more. ``context`` may hold rows, which are read again at
    delivery; ``attachments`` are ``(name, params)`` of builders registered with
    ``outbox.attachments.attachment``, made in the reader's language. ``while_current``,
    ``(row, field)``, makes the message obsolete, hence not sent, if that field of the row has
    changed by the time it leaves (a meeting moved again: the newer message tells).
    """
    now = timezone.now()
    if while_current:
        row, field = while_current
        context = {**context, CURRENT: [row, field, getattr(row, field)]}
    context, attachments = encode(context), [[n, encode(p)] for n, p in attachments]
    rows = [
        Email(
            key=message_key(event, r.email),
            mission=mission,
            to_email=r.email,
            to_name=r.name[:200],
            language=r.language or settings.LANGUAGE_CODE,
            template=template,
            context=context,
            attachments=attachments,
            enqueued_at=now,
        )
        for r in recipients
    ]
    if not rows:
        return
    # One transaction for the check and the insert, without a savepoint inside the caller's:
    # neither raises for a known key.
    with transaction.atomic(savepoint=False):
        known = set(
            Email.objects.filter(key__in=[r.key for r in rows]).values_list("key", flat=True)
        )
        fresh = [row for row in rows if row.key not in known]
        Email.objects.bulk_create(fresh, ignore_conflicts=True)
    _enqueue_on_commit([row.key for row in fresh])


def email_send_rendered(
    *, key: str, to: str, language: str, subject: str, text: str, html: str = ""
) -> Email:
    """Record a message rendered elsewhere (allauth's), marked sensitive: its body is wiped
    once it is sent, since it carries a code or a secret link."""
    with transaction.atomic():
        email, _created = Email.objects.get_or_create(
            key=key[:300],
            defaults={
                "to_email": to,
                "language": language,
                "subject": subject[:300],
                "text": text,
                "html": html,
                "sensitive": True,
                "enqueued_at": timezone.now(),
            },
        )
    _enqueue_on_commit([email.key])
    return email


@transaction.atomic
def email_retry(*, email: Email, to_email: str | None = None) -> Email:
    """Staff send a failed (or stuck) message again, to a corrected address if given."""
    email = Email.objects.select_for_update().get(pk=email.pk)
    if email.status == EmailStatus.SENT:
        raise OutboxError(_("This message has already been sent."))
    if to_email:
        email.to_email = to_email.strip()
    email.status, email.attempts, email.last_error = EmailStatus.PENDING, 0, ""
    email.next_attempt_at, email.enqueued_at = None, timezone.now()
    email.save()
    _enqueue_on_commit([email.key])
    return email
