"""The signature of a webhook: HMAC-SHA256, keyed by the endpoint's secret, of the timestamp, a
dot and the exact body; during a rotation, one signature per valid key. See docs/webhooks.md
for how a receiver checks it."""

import hashlib
import hmac

SIGNATURE_HEADER = "X-Webhook-Signature"
TIMESTAMP_HEADER = "X-Webhook-Timestamp"
ID_HEADER = "X-Webhook-Id"
EVENT_HEADER = "X-Webhook-Event"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return "v1=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secrets: list[str], timestamp: int, body: bytes) -> str:
    """One ``v1=`` signature per key, comma separated (two during a secret's rotation, as Stripe
    does): a receiver accepts the request if any of them matches its key."""
    return ",".join(signature(secret, timestamp, body) for secret in secrets)


def verify(secret: str, timestamp: str, body: bytes, header: str, *, now: int, tolerance=300):
    """What a receiver does (the documentation's snippet, tested)."""
    if abs(now - int(timestamp)) > tolerance:
        return False
    expected = signature(secret, int(timestamp), body)
    return any(hmac.compare_digest(expected, part.strip()) for part in header.split(","))
