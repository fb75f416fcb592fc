"""Who a message goes to: what ``email_send`` and ``phone_send`` record and delivery reads back."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str = settings.LANGUAGE_CODE
    name: str = ""
    # The mobile number (E.164) and the channel its holder chose for short messages ("whatsapp",
    # "sms" or ""), and whether an SMS may replace a WhatsApp message that cannot be delivered.
    phone: str = ""
    channel: str = ""
    sms_fallback: bool = False
