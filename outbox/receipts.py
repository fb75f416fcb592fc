"""The providers' signatures on what they send us (delivery receipts, replies), checked as each
documents it, and their payloads read into receipts and replies."""

import base64
import hashlib
import hmac
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.crypto import constant_time_compare

from .models import Receipt


def meta_signature_ok(body: bytes, header: str) -> bool:
    """``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed by the app's
    secret>``."""
    secret = settings.WHATSAPP_APP_SECRET
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return constant_time_compare(expected, header.removeprefix("sha256="))


def twilio_token() -> str:
    url = urlsplit(settings.SMS_URL)
    return (url.password or "") if url.scheme.startswith("twilio") else ""


def twilio_signature(token: str, url: str, params: dict[str, str]) -> str:
    """Base64 of HMAC-SHA1, keyed by the auth token, of the full URL Twilio called followed by
    each POST parameter's name and value, sorted by name."""
    message = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    return base64.b64encode(
        hmac.new(token.encode(), message.encode(), hashlib.sha1).digest()
    ).decode()


def twilio_signature_ok(url: str, params: dict[str, str], header: str) -> bool:
    token = twilio_token()
    return bool(token and header) and constant_time_compare(
        twilio_signature(token, url, params), header
    )


META_STATES = {"delivered": Receipt.DELIVERED, "read": Receipt.READ, "failed": Receipt.UNDELIVERED}
TWILIO_STATES = {
    "delivered": Receipt.DELIVERED,
    "read": Receipt.READ,
    "undelivered": Receipt.UNDELIVERED,
    "failed": Receipt.UNDELIVERED,
}


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def meta_events(payload: dict) -> tuple[list[dict], list[dict]]:
    """The statuses and the messages of a WhatsApp Cloud API webhook
    (``entry[].changes[].value``)."""
    statuses, messages = [], []
    for entry in _list(_dict(payload).get("entry")):
        for change in _list(_dict(entry).get("changes")):
            value = _dict(_dict(change).get("value"))
            statuses += [s for s in _list(value.get("statuses")) if isinstance(s, dict)]
            messages += [m for m in _list(value.get("messages")) if isinstance(m, dict)]
    return statuses, messages


def meta_reason(status: dict) -> str:
    parts = []
    for error in filter(None, map(_dict, _list(status.get("errors")))):
        details = _dict(error.get("error_data")).get("details", "")
        parts.append(f"WhatsApp {error.get('code')}: {error.get('title', '')} {details}".strip())
    return "; ".join(parts)


def meta_text(message: dict) -> str:
    """What a reader wrote: a text, a quick-reply button's text, or an interactive reply's title."""
    kind = message.get("type")
    if kind == "text":
        return str(_dict(message.get("text")).get("body", ""))
    if kind == "button":
        return str(_dict(message.get("button")).get("text", ""))
    if kind == "interactive":
        interactive = _dict(message.get("interactive"))
        reply = _dict(interactive.get("button_reply")) or _dict(interactive.get("list_reply"))
        return str(reply.get("title", ""))
    return ""
