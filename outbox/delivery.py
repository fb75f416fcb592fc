"""Delivering one outbox row: lock it, skip it if it is done, render, send, mark it.

Exactly once, but for one window: the mail server has accepted the message and the worker dies
before the row is marked sent (the time of one ``UPDATE`` and ``COMMIT``, about a millisecond).
The row is then sent again by the sweep, with the same Message-ID, which lets the receiving side
recognise the duplicate.
"""

import logging
import random
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.templatetags.bidi import rtl_text

from .attachments import build
from .models import Email, EmailStatus
from .recipients import Recipient
from .serialization import CURRENT, Gone, decode

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "[Maroc Export] "


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt did: ``sent``, ``skipped`` (done, or being sent elsewhere),
    ``retry`` (after ``delay`` seconds) or ``failed``."""

    result: str
    delay: float = 0.0
    reason: str = ""


class Permanent(Exception):
    """The message cannot be sent as it is (bad address, refused for good, broken template)."""


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


def build_message(email: Email) -> EmailMultiAlternatives:
    if email.template:
        try:
            rows: dict = {}
            context = decode(email.context, rows)
            attachments = [(name, decode(params, rows)) for name, params in email.attachments]
        except Gone as exc:
            raise Permanent(str(exc)) from exc
        if current := context.pop(CURRENT, None):
            row, field, value = current
            if getattr(row, field) != value:
                raise Obsolete(
                    f"{row._meta.verbose_name} #{row.pk}: {field} is now {getattr(row, field)}"
                )
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


def is_transient(exc: BaseException) -> bool:
    """Worth another try: the server was unreachable, slow, or answered 4xx."""
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
            message = build_message(email)
            message.send()
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
            fields = ["attempts", "status", "next_attempt_at", "last_error"]
            if email.sensitive:  # a secret is not kept for a message that will not leave
                email.text = email.html = ""
                fields += ["text", "html"]
            email.save(update_fields=fields)
            logger.error("E-mail %s failed for good: %s", key, email.last_error)
            return Outcome("failed", reason=email.last_error)
        email.status, email.sent_at, email.next_attempt_at = EmailStatus.SENT, timezone.now(), None
        email.last_error = ""
        fields = ["attempts", "status", "sent_at", "next_attempt_at", "last_error"]
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
