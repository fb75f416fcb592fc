"""Delivering one outbox row: lock it, skip it if it is done, render, send, mark it. An e-mail
goes to the mail server; a WhatsApp message or an SMS to its channel's provider (``phones.py``),
after a check that its reader has not asked to stop. A phone message refused for good gives way
to an SMS or an e-mail where its reader allowed it (``fallback_record``).

Exactly once, but for one window: the mail server has accepted the message and the worker dies
before the row is marked sent (the time of one ``UPDATE`` and ``COMMIT``, about a millisecond).
The row is then sent again by the sweep, with the same Message-ID, which lets the receiving side
recognise the duplicate.
"""

import logging
import random
import smtplib
from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.templatetags.bidi import rtl_text

from .attachments import build
from .models import (
    PHONE_CHANNELS,
    Channel,
    Email,
    EmailStatus,
    MobileNumber,
    message_key,
    phone_key,
)
from .phones import Outgoing, ProviderError, provider
from .recipients import Recipient
from .serialization import CURRENT, Gone, decode
from .texts import build_short

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "[Maroc Export] "


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt did: ``sent``, ``skipped`` (done, or being sent elsewhere),
    ``retry`` (after ``delay`` seconds) or ``failed``."""

    result: str
    delay: float = 0.0
    reason: str = ""
    fallback: str = ""  # the key of the message that replaces a failed one, to queue


class Permanent(Exception):
    """The message cannot be sent as it is (bad address, refused for good, broken template)."""


class Stopped(Permanent):
    """The reader of a phone message replied STOP or clicked the stop link."""


class Obsolete(Exception):
    """What the message announces has changed since (a meeting moved again or cancelled): a
    newer message says it."""


def render_email(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Subject, text and HTML of ``templates/emails/<template>*`` in ``language``."""
    with translation.override(language):
        ctx = {"site_url": settings.SITE_URL.rstrip("/"), "LANGUAGE_CODE": language, **context}
        subject = render_to_string(f"emails/{template}_subject.txt", ctx).strip()
        text = render_to_string(f"emails/{template}.txt", ctx)
        html = render_to_string(f"emails/{template}.html", ctx)
        if translation.get_language_bidi():
            text = rtl_text(text)
    return " ".join(subject.split()), text, html


# A phone message's context keeps what its fallback needs: the event, whether an SMS may replace
# a WhatsApp message, the e-mail template that may replace either.
FALLBACK = "$fallback"


def _decoded(email: Email) -> tuple[dict, list]:
    """The message's context and attachments with their rows read again; Obsolete if what it
    announces has changed since."""
    try:
        rows: dict = {}
        context = decode(email.context, rows)
        attachments = [(name, decode(params, rows)) for name, params in email.attachments]
    except Gone as exc:
        raise Permanent(str(exc)) from exc
    context.pop(FALLBACK, None)
    if current := context.pop(CURRENT, None):
        row, field, value = current
        if getattr(row, field) != value:
            raise Obsolete(
                f"{row._meta.verbose_name} #{row.pk}: {field} is now {getattr(row, field)}"
            )
    return context, attachments


def build_message(email: Email) -> EmailMultiAlternatives:
    if email.template:
        context, attachments = _decoded(email)
        recipient = Recipient(email=email.to_email, language=email.language, name=email.to_name)
        subject, text, html = render_email(
            template=email.template,
            context={**context, "recipient": recipient},
            language=email.language,
        )
        subject = SUBJECT_PREFIX + subject
    else:
        subject, text, html, attachments = email.subject, email.text, email.html, []
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_email],
        headers={"Content-Language": email.language, "Message-ID": email.message_id},
    )
    if html:
        message.attach_alternative(html, "text/html")
    with translation.override(email.language):
        for name, params in attachments:
            message.attach(*build(name, params))
    return message


def stop_url(number: str) -> str:
    """The reader's one-click way to stop the messages to ``number`` (signed, no login)."""
    token = signing.dumps(number, salt="outbox.stop", compress=True)
    return settings.SITE_URL.rstrip("/") + reverse("outbox:stop", args=[token])


def send_short(email: Email) -> None:
    """Send a WhatsApp message or an SMS through its channel's provider, unless its reader has
    asked to stop; record the provider and its id of the message (receipts name it)."""
    number = MobileNumber.objects.filter(number=email.to_phone).first()
    if number and number.stopped_at:
        when = f"{number.stopped_at:%Y-%m-%d %H:%M} UTC"
        raise Stopped(f"The reader asked to stop ({number.stop_source}, {when}).")
    context, _attachments = _decoded(email)
    recipient = Recipient(
        email=email.to_email,
        language=email.language,
        name=email.to_name,
        phone=email.to_phone,
        channel=email.channel,
    )
    with translation.override(email.language):
        try:
            message = build_short(email.template, {**context, "recipient": recipient})
        except LookupError as exc:
            raise Permanent(str(exc)) from exc
        # How to stop, in every message: a link on WhatsApp; on SMS, where every character
        # costs, the reply (which Twilio also honours by itself).
        link = stop_url(email.to_phone)
        how = (
            gettext("Reply STOP to stop these messages.")
            if email.channel == Channel.SMS
            else gettext("Stop these messages: %(url)s") % {"url": link}
        )
        message = replace(message, text=f"{message.text}\n{how}", params=(*message.params, link))
    window = timezone.now() - timedelta(hours=24)
    free_text = bool(number and number.last_inbound_at and number.last_inbound_at > window)
    adapter = provider(email.channel)
    email.provider = adapter.name
    email.provider_id = adapter.send(
        Outgoing(
            to=email.to_phone,
            language=email.language,
            message=message,
            free_text=free_text,
            key=email.key,
        )
    )[:200]


def fallback_record(email: Email) -> Email | None:
    """The message that replaces a phone message refused for good: an SMS for a WhatsApp
    message if its reader allowed it, else an e-mail if the event has one to give (its key is
    the event's e-mail key: an e-mail the event already sent is not sent twice). None if
    there is none, or if it exists already."""
    spec = email.context.get(FALLBACK) or {}
    if email.channel not in PHONE_CHANNELS or not spec.get("event"):
        return None
    context = dict(email.context)
    if email.channel == Channel.WHATSAPP and spec.get("sms"):
        channel, to_phone = Channel.SMS, email.to_phone
        key, template = phone_key(spec["event"], Channel.SMS, email.to_phone), email.template
    elif spec.get("email_template") and email.to_email:
        channel, to_phone = Channel.EMAIL, ""
        key, template = message_key(spec["event"], email.to_email), spec["email_template"]
        context.pop(FALLBACK)
    else:
        return None
    row, created = Email.objects.get_or_create(
        key=key,
        defaults={
            "channel": channel,
            "mission_id": email.mission_id,
            "to_email": email.to_email,
            "to_phone": to_phone,
            "to_name": email.to_name,
            "language": email.language,
            "template": template,
            "context": context,
            "enqueued_at": timezone.now(),
            "fallback_of": email,
        },
    )
    return row if created else None


def is_transient(exc: BaseException) -> bool:
    """Worth another try: the server was unreachable, slow, or answered 4xx; a phone provider
    said so (time-out, 429, 5xx, a throttle)."""
    if isinstance(exc, ProviderError):
        return exc.transient
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(code < 500 for code, _msg in exc.recipients.values())
    if isinstance(
        exc,
        smtplib.SMTPConnectError | smtplib.SMTPServerDisconnected | smtplib.SMTPAuthenticationError,
    ):
        return True  # a refused login is a configuration being fixed, not a bad message
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code < 500
    name = type(exc).__name__  # an e-mail service's API, through django-anymail
    if name == "AnymailRecipientsRefused" or (
        name.startswith("Anymail") and isinstance(exc, ValueError)
    ):
        return False  # refused recipients, an invalid address, an unsupported feature
    if name.startswith("Anymail"):
        status = getattr(exc, "status_code", None)  # None: the service was not reached
        return status is None or status == 429 or status >= 500
    return isinstance(exc, OSError)  # refused, reset, timed out, name not resolved


def retry_delay(attempts: int) -> float:
    """Exponential backoff with jitter, capped below the broker's visibility timeout."""
    ceiling = min(settings.OUTBOX_RETRY_BASE * 2 ** (attempts - 1), settings.OUTBOX_RETRY_MAX_DELAY)
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311  (jitter, not a secret)


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _claim(key: str, now) -> tuple[Email | None, str]:
    """Mark the row as taken by a worker, in a transaction of its own: if that worker dies while
    sending, the sweep sees a claim that never ended and queues the row again."""
    with transaction.atomic():
        email = Email.objects.select_for_update(skip_locked=True).filter(key=key).first()
        if email is None:
            return None, "absent or being sent"
        if email.status in (EmailStatus.SENT, EmailStatus.FAILED):
            return None, email.status
        if email.next_attempt_at and email.next_attempt_at > now + timedelta(seconds=1):
            return None, "not due"
        email.claimed_at = now
        email.save(update_fields=["claimed_at"])
    return email, ""


def deliver(key: str) -> Outcome:
    now = timezone.now()
    claimed, reason = _claim(key, now)
    if claimed is None:
        return Outcome("skipped", reason=reason)
    with transaction.atomic():
        # The row stays locked while it is sent: a second worker given the same row skips it.
        email = Email.objects.select_for_update(skip_locked=True).filter(pk=claimed.pk).first()
        if email is None or email.status in (EmailStatus.SENT, EmailStatus.FAILED):
            return Outcome("skipped", reason="sent meanwhile")
        email.attempts += 1
        try:
            if email.channel == Channel.EMAIL:
                build_message(email).send()
            else:
                send_short(email)
        except Obsolete as exc:
            email.status, email.next_attempt_at, email.last_error = (
                EmailStatus.OBSOLETE,
                None,
                str(exc),
            )
            email.save(update_fields=["attempts", "status", "next_attempt_at", "last_error"])
            return Outcome("obsolete", reason=email.last_error)
        except Exception as exc:  # noqa: BLE001  (every failure is recorded on the row)
            transient = not isinstance(exc, Permanent) and is_transient(exc)
            email.last_error = _reason(exc)
            if transient and email.attempts < settings.OUTBOX_MAX_ATTEMPTS:
                delay = retry_delay(email.attempts)
                email.status = EmailStatus.RETRYING
                email.next_attempt_at = email.enqueued_at = now + timedelta(seconds=delay)
                email.save(
                    update_fields=[
                        "attempts",
                        "status",
                        "next_attempt_at",
                        "enqueued_at",
                        "last_error",
                    ]
                )
                logger.warning("E-mail %s: attempt %d failed (%s)", key, email.attempts, exc)
                return Outcome("retry", delay=delay, reason=email.last_error)
            email.status = EmailStatus.FAILED
            email.next_attempt_at = None
            fields = ["attempts", "status", "next_attempt_at", "last_error", "provider"]
            if email.sensitive:  # a secret is not kept for a message that will not leave
                email.text = email.html = ""
                fields += ["text", "html"]
            email.save(update_fields=fields)
            logger.error("Message %s failed for good: %s", key, email.last_error)
            fallback = None if isinstance(exc, Stopped) else fallback_record(email)
            return Outcome(
                "failed", reason=email.last_error, fallback=fallback.key if fallback else ""
            )
        email.status, email.sent_at, email.next_attempt_at = EmailStatus.SENT, timezone.now(), None
        email.last_error = ""
        fields = ["attempts", "status", "sent_at", "next_attempt_at", "last_error"]
        fields += ["provider", "provider_id"]
        if email.sensitive:
            email.text = email.html = ""
            fields += ["text", "html"]
        email.save(update_fields=fields)
        return Outcome("sent")


def due_keys(*, queue_empty: bool, limit: int = 1000) -> list[str]:
    """Messages that should have left by now, marked as queued again: taken by a worker that
    never finished (killed while sending), and, when the broker's queue is empty, queued long
    ago and never taken (a lost broker message; while a backlog drains, such rows are merely
    waiting their turn). Not those waiting for a later retry; rows being sent are locked, hence
    skipped."""
    now = timezone.now()
    due = Q(claimed_at__gte=F("enqueued_at")) & Q(
        claimed_at__lt=now - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT)
    )
    if queue_empty:
        due |= Q(enqueued_at__lt=now - timedelta(seconds=settings.OUTBOX_STALE_AFTER))
    with transaction.atomic():
        rows = list(
            Email.objects.select_for_update(skip_locked=True)
            .filter(due, status__in=[EmailStatus.PENDING, EmailStatus.RETRYING])
            .exclude(next_attempt_at__gt=now)
            .order_by("enqueued_at")
            .values_list("pk", "key")[:limit]
        )
        Email.objects.filter(pk__in=[pk for pk, _key in rows]).update(enqueued_at=now)
    return [key for _pk, key in rows]
