"""The one place that sends e-mail. Every message is rendered in its recipient's language from
``templates/emails/<name>_subject.txt``, ``<name>.txt`` and ``<name>.html``, and leaves only
after the database transaction that caused it has committed."""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str = settings.LANGUAGE_CODE
    name: str = ""


def recipients_for_users(users: Iterable) -> list[Recipient]:
    return [Recipient(email=u.email, language=u.language, name=u.get_full_name()) for u in users]


def render_email(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    with translation.override(language):
        ctx = {"site_url": settings.SITE_URL.rstrip("/"), "LANGUAGE_CODE": language, **context}
        subject = render_to_string(f"emails/{template}_subject.txt", ctx).strip()
        text = render_to_string(f"emails/{template}.txt", ctx)
        html = render_to_string(f"emails/{template}.html", ctx)
    return " ".join(subject.split()), text, html


Attachment = tuple[str, bytes, str]  # file name, content, MIME type


def email_send(
    *,
    recipients: Iterable[Recipient],
    template: str,
    context: dict,
    attachments: Callable[[Recipient], list[Attachment]] | None = None,
) -> None:
    """Send one message per recipient, each in its own language, once the transaction commits.

    ``attachments`` is called for each recipient, in their language (a calendar invitation
    names the meeting in the reader's language)."""
    messages = []
    for recipient in recipients:
        subject, text, html = render_email(
            template=template,
            context={**context, "recipient": recipient},
            language=recipient.language,
        )
        message = EmailMultiAlternatives(
            subject=f"[Maroc Export] {subject}",
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient.email],
            headers={"Content-Language": recipient.language},
        )
        message.attach_alternative(html, "text/html")
        if attachments:
            with translation.override(recipient.language):
                for name, content, mimetype in attachments(recipient):
                    message.attach(name, content, mimetype)
        messages.append(message)

    def _send():
        for message in messages:
            try:
                message.send()
            except Exception:  # one failed message must not stop the others nor the page
                logger.exception("E-mail to %s could not be sent", message.to)

    transaction.on_commit(_send, robust=True)
