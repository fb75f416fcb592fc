"""Who a message goes to: what ``email_send`` records and delivery reads back."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str = settings.LANGUAGE_CODE
    name: str = ""
