"""The providers of the phone channels: one small adapter each, chosen by a URL per channel as
e-mail is by ``EMAIL_URL`` (see README, "Configuration"):

- ``WHATSAPP_URL=meta://<phone-number-id>:<access-token>@graph.facebook.com/v21.0``: Meta's
  WhatsApp Cloud API, ``POST /<version>/<phone-number-id>/messages`` with a bearer token;
- ``SMS_URL=twilio://<account-sid>:<auth-token>@api.twilio.com?from=<number or MG… service>``:
  Twilio's Messages API, ``POST /2010-04-01/Accounts/<sid>/Messages.json`` (HTTP basic auth);
- ``console://`` (the default of both): the message is written to the log, for ``make run``;
  ``memory://``: kept in ``sent`` (tests).

``+http`` after a provider's scheme (``meta+http://``) speaks plain HTTP, for a local server that
plays the provider in tests. An adapter returns the provider's id of the message it accepted, or
raises ``ProviderError``, transient (time-out, 429, 5xx, a throttle) or not (an invalid number, no
WhatsApp on it, a rejected template): the outbox retries the first and fails the second.
"""

import logging
import uuid
from dataclasses import dataclass
from functools import cache
from urllib.parse import parse_qs, unquote, urlsplit

import requests
from django.conf import settings

from .texts import ShortMessage

logger = logging.getLogger(__name__)


class ProviderError(Exception):
    def __init__(self, reason: str, *, transient: bool):
        super().__init__(reason)
        self.transient = transient


@dataclass(frozen=True)
class Outgoing:
    to: str  # E.164
    language: str
    message: ShortMessage
    free_text: bool  # WhatsApp: inside the 24-hour window, plain text may be sent
    key: str  # the outbox row's key (a reference the provider echoes in its logs)


def _http(method: str, url: str, **kwargs) -> requests.Response:
    try:
        return requests.request(
            method, url, timeout=settings.PHONE_TIMEOUT, allow_redirects=False, **kwargs
        )
    except requests.RequestException as exc:  # refused, reset, timed out, name not resolved
        raise ProviderError(f"{type(exc).__name__}: {exc}", transient=True) from exc


def _json(response: requests.Response) -> dict:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class Console:
    name = "console"

    def __init__(self, channel: str):
        self.channel = channel

    def send(self, outgoing: Outgoing) -> str:
        message = outgoing.message
        text = (
            message.text
            if outgoing.free_text or not message.template or self.channel != "whatsapp"
            else f"[template {message.template} {list(message.params)}] {message.text}"
        )
        logger.warning("%s to %s (%s): %s", self.channel, outgoing.to, outgoing.language, text)
        return f"console-{uuid.uuid4().hex}"


class Memory(Console):
    """Keeps what it sends, for tests without HTTP."""

    name = "memory"
    sent: list[tuple[str, Outgoing]] = []

    def send(self, outgoing: Outgoing) -> str:
        Memory.sent.append((self.channel, outgoing))
        return f"memory-{uuid.uuid4().hex}"


# Meta's error codes (developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes) that
# are worth another try: throttles and the platform's own trouble. A token or permission being
# fixed (0, 3, 10, 190, 200-299) is a configuration matter, retried too, as a refused SMTP login
# is. Anything else (an invalid number, 131026 undeliverable, 131047 outside the 24-hour window,
# 132000-132016 a template missing, paused or with the wrong parameters) fails the message.
META_TRANSIENT = {0, 1, 2, 3, 4, 10, 190, 80007, 130429, 131000, 131016, 131048, 131056, 133004}


class Meta:
    """WhatsApp Cloud API. Messages are business-initiated: an approved template in the
    reader's language, or plain text within 24 hours of the reader's last message."""

    name = "meta"

    def __init__(self, url):
        scheme = "http" if url.scheme.endswith("+http") else "https"
        self.phone_number_id = unquote(url.username or "")
        self.token = unquote(url.password or "")
        self.endpoint = f"{scheme}://{url.hostname}{f':{url.port}' if url.port else ''}"
        self.endpoint += f"{url.path.rstrip('/') or '/v21.0'}/{self.phone_number_id}/messages"

    def payload(self, outgoing: Outgoing) -> dict:
        message = outgoing.message
        body = {"messaging_product": "whatsapp", "recipient_type": "individual"}
        body["to"] = outgoing.to.removeprefix("+")
        if outgoing.free_text or not message.template:
            body |= {"type": "text", "text": {"preview_url": False, "body": message.text}}
        else:
            parameters = [{"type": "text", "text": p} for p in message.params]
            body |= {
                "type": "template",
                "template": {
                    "name": message.template,
                    "language": {"code": outgoing.language},
                    "components": [{"type": "body", "parameters": parameters}],
                },
            }
        return body

    def send(self, outgoing: Outgoing) -> str:
        response = _http(
            "POST",
            self.endpoint,
            json=self.payload(outgoing),
            headers={"Authorization": f"Bearer {self.token}"},
        )
        data = _json(response)
        if response.status_code == 200 and data.get("messages"):
            return str(data["messages"][0]["id"])
        error = data.get("error") if isinstance(data.get("error"), dict) else {}
        code = error.get("code")
        details = (error.get("error_data") or {}).get("details", "")
        reason = f"WhatsApp {response.status_code} {code}: {error.get('message', '')} {details}"
        transient = response.status_code in (429,) or response.status_code >= 500
        raise ProviderError(reason.strip(), transient=transient or code in META_TRANSIENT)


# Twilio's error codes (twilio.com/docs/api/errors) worth another try: too many requests, a
# queue overflow, a carrier or Twilio's own service unavailable. 20003 (authentication) is a
# configuration being fixed. Others (21211 invalid number, 21408 region not enabled, 21610 the
# reader replied STOP, 21612/21614 not reachable or not a mobile) fail the message.
TWILIO_TRANSIENT = {20003, 20429, 20500, 20503, 30001, 30008}


class Twilio:
    """Twilio's Messages API (SMS). Its status callbacks carry ``X-Twilio-Signature``."""

    name = "twilio"

    def __init__(self, url):
        scheme = "http" if url.scheme.endswith("+http") else "https"
        self.sid = unquote(url.username or "")
        self.token = unquote(url.password or "")
        host = f"{url.hostname}{f':{url.port}' if url.port else ''}"
        self.endpoint = f"{scheme}://{host}/2010-04-01/Accounts/{self.sid}/Messages.json"
        sender = parse_qs(url.query).get("from", [""])[0]
        self.sender = (
            {"MessagingServiceSid": sender} if sender.startswith("MG") else {"From": sender}
        )

    def send(self, outgoing: Outgoing) -> str:
        from django.urls import reverse

        callback = settings.SITE_URL.rstrip("/") + reverse("outbox:twilio_status")
        response = _http(
            "POST",
            self.endpoint,
            data={"To": outgoing.to, "Body": outgoing.message.text, "StatusCallback": callback}
            | self.sender,
            auth=(self.sid, self.token),
        )
        data = _json(response)
        if response.status_code in (200, 201) and data.get("sid"):
            return str(data["sid"])
        code = data.get("code")
        reason = f"SMS {response.status_code} {code}: {data.get('message', '')}"
        transient = response.status_code == 429 or response.status_code >= 500
        raise ProviderError(reason.strip(), transient=transient or code in TWILIO_TRANSIENT)


PROVIDERS = {"console": Console, "memory": Memory, "meta": Meta, "twilio": Twilio}


@cache
def provider(channel: str):
    """The adapter of ``channel`` ("whatsapp" or "sms") from its URL setting."""
    url = urlsplit(settings.WHATSAPP_URL if channel == "whatsapp" else settings.SMS_URL)
    kind = url.scheme.removesuffix("+http")
    if kind in ("console", "memory"):
        return PROVIDERS[kind](channel)
    return PROVIDERS[kind](url)
