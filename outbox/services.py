"""Writing to the outbox. ``email_send`` is the only way the product sends e-mail, ``phone_send``
the only way it sends WhatsApp messages and SMS; the providers' receipts and replies come in
through ``receipt_record`` and ``inbound_record``."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .delivery import FALLBACK, fallback_record
from .models import (
    PHONE_CHANNELS,
    Email,
    EmailStatus,
    MobileNumber,
    Receipt,
    message_key,
    phone_key,
)
from .recipients import Recipient
from .serialization import CURRENT, encode
from .signals import phone_stopped
from .tasks import email_deliver_many_task, email_deliver_task

__all__ = ["message_key"]  # kept here for the apps that name their own keys


class OutboxError(Exception):
    """A refused change to a message, with a message for the user."""


def recipients_for_users(users: Iterable) -> list[Recipient]:
    """The users as recipients, with the mobile number and channel each chose for short
    messages (``accounts.User``'s ``mobile``, ``mobile_channel``, ``mobile_sms_fallback``)."""
    return [
        Recipient(
            email=u.email,
            language=u.language,
            name=u.get_full_name(),
            phone=str(getattr(u, "mobile", "") or ""),
            channel=getattr(u, "mobile_channel", ""),
            sms_fallback=getattr(u, "mobile_sms_fallback", False),
        )
        for u in users
    ]


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
    _record(rows)


def phone_send(
    *,
    event: str,
    recipients: Iterable[Recipient],
    template: str,
    context: dict,
    mission=None,
    while_current: tuple | None = None,
    email_template: str = "",
) -> None:
    """Record a short message (WhatsApp or SMS, as each recipient chose; none for those who
    chose neither) per recipient, as ``email_send`` records e-mails: same keys (``event``, the
    channel and the number), same delivery, retries and sweep. ``template`` names a builder
    registered with ``outbox.texts.short_message``. If the message is refused for good, an SMS
    replaces a WhatsApp message where the reader allowed it, else the e-mail ``email_template``
    (with the same context) if given: an event that already e-mails its news gives none."""
    now = timezone.now()
    if while_current:
        row, field = while_current
        context = {**context, CURRENT: [row, field, getattr(row, field)]}
    context = encode(context)
    rows = [
        Email(
            key=phone_key(event, r.channel, r.phone),
            channel=r.channel,
            mission=mission,
            to_email=r.email,
            to_phone=r.phone,
            to_name=r.name[:200],
            language=r.language or settings.LANGUAGE_CODE,
            template=template,
            context={
                **context,
                FALLBACK: {"event": event, "sms": r.sms_fallback, "email_template": email_template},
            },
            enqueued_at=now,
        )
        for r in recipients
        if r.channel in PHONE_CHANNELS and r.phone.startswith("+")
    ]
    _record(rows)


def _record(rows: list[Email]) -> None:
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
    if to_email and email.channel not in PHONE_CHANNELS:
        email.to_email = to_email.strip()
    email.status, email.attempts, email.last_error = EmailStatus.PENDING, 0, ""
    email.next_attempt_at, email.enqueued_at = None, timezone.now()
    email.receipt, email.receipt_at = "", None  # a phone message's new copy gets its own
    email.save()
    _enqueue_on_commit([email.key])
    return email


# --- Phones: stopping, replies and receipts -----------------------------------------------------

# A reply made of one of these words stops every message to the number (case, accents and
# surrounding punctuation aside): the usual English keywords, French and Arabic.
STOP_WORDS = {
    "stop", "stopall", "unsubscribe", "cancel", "end", "quit",
    "arret", "arrêt", "arreter", "arrêter", "desabonner", "désabonner",
    "توقف", "إيقاف", "ايقاف", "الغاء", "إلغاء",
}  # fmt: skip


def is_stop_word(text: str) -> bool:
    return text.strip().strip(".!؟?").casefold() in STOP_WORDS


@transaction.atomic
def phone_stop(*, number: str, source: str) -> MobileNumber:
    """No more short messages to ``number``: checked at every send, so even messages already
    queued stay unsent. Tells the accounts holding the number (``phone_stopped``)."""
    mobile, _created = MobileNumber.objects.select_for_update().get_or_create(number=number)
    if mobile.stopped_at is None:
        mobile.stopped_at, mobile.stop_source = timezone.now(), source[:40]
        mobile.save(update_fields=["stopped_at", "stop_source"])
    phone_stopped.send(sender=MobileNumber, number=number, source=source)
    return mobile


def phone_resume(*, number: str) -> None:
    """Its holder opted in again (with their consent recorded where they did it)."""
    MobileNumber.objects.filter(number=number).update(stopped_at=None, stop_source="")


def inbound_record(*, number: str, text: str, source: str) -> bool:
    """A message a reader sent us: it opens WhatsApp's 24-hour window for plain text, and a STOP
    stops everything. Whether it was a stop."""
    MobileNumber.objects.update_or_create(
        number=number, defaults={"last_inbound_at": timezone.now()}
    )
    if is_stop_word(text):
        phone_stop(number=number, source=source)
        return True
    return False


# A failure is final: a "delivered" or "read" that arrives after it (out of order) does not undo it.
RECEIPT_ORDER = {"": 0, Receipt.DELIVERED: 1, Receipt.READ: 2, Receipt.UNDELIVERED: 3}


@transaction.atomic
def receipt_record(
    *, provider: str, provider_id: str, state: str, reason: str = ""
) -> Email | None:
    """A provider's delivery receipt: ``delivered`` and ``read`` are noted (never going back),
    ``failed`` fails a message the provider had accepted, with the reason shown to staff, and
    queues its fallback. None if no message has this id (another system's, or not ours)."""
    email = (
        Email.objects.select_for_update().filter(provider=provider, provider_id=provider_id).first()
    )
    if email is None:
        return None
    now = timezone.now()
    if state in (Receipt.DELIVERED, Receipt.READ):
        if RECEIPT_ORDER[state] > RECEIPT_ORDER.get(email.receipt, 0):
            email.receipt, email.receipt_at = state, now
            email.save(update_fields=["receipt", "receipt_at"])
        return email
    if state == Receipt.UNDELIVERED and email.receipt != Receipt.UNDELIVERED:
        email.receipt, email.receipt_at = Receipt.UNDELIVERED, now
        email.status, email.sent_at = EmailStatus.FAILED, None
        email.last_error = reason[:2000] or _("The provider could not deliver the message.")
        email.save(update_fields=["receipt", "receipt_at", "status", "sent_at", "last_error"])
        if fallback := fallback_record(email):
            _enqueue_on_commit([fallback.key])
    return email
