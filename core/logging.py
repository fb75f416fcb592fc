"""Error reports by e-mail, rate limited.

Django mails the admins a report of every server error. Without a limit, anyone who finds a URL
that fails can make the site send mail without end. ``ErrorMailRate`` lets through one report per
kind of error (the exception's type and the line that raised it) every ten minutes, and at most
``PER_HOUR`` reports an hour in all. The counts live in the shared cache, so every process of the
site shares them; every error is still written to the log.
"""

import hashlib
import logging
import time

from django.core.cache import cache

SAME_ERROR_SECONDS = 600
PER_HOUR = 20


def _signature(record: logging.LogRecord) -> str:
    if record.exc_info and record.exc_info[1] is not None:
        exc, tb = record.exc_info[1], record.exc_info[2]
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb else ""
        text = f"{type(exc).__module__}.{type(exc).__qualname__}@{where}"
    else:
        text = f"{record.name}:{record.msg}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class ErrorMailRate(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            if not cache.add(f"error-mail:{_signature(record)}", 1, SAME_ERROR_SECONDS):
                return False
            hour = f"error-mail:hour:{int(time.time() // 3600)}"
            cache.add(hour, 0, 3600)
            return cache.incr(hour) <= PER_HOUR
        except Exception:  # noqa: BLE001 - a cache that is down must not hide the error itself
            return True
