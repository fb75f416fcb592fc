"""RFC 6238 one-time codes, computed here rather than by allauth, so that the tests check
allauth's side against the standard (an authenticator app does the same)."""

import base64
import hashlib
import hmac
import struct
import time


def totp_code(secret: str, *, at: float | None = None, period: int = 30, digits: int = 6) -> str:
    if at is None and (left := period - time.time() % period) < 3:
        # As a person does with an app: a code about to expire is not typed, the next one is
        # (the site accepts only the current step, and the check may fall in the next one).
        time.sleep(left)
    counter = int((time.time() if at is None else at) // period)
    key = base64.b32decode(secret.upper(), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}}"
