"""Where a webhook may be sent: http(s) only, and, unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES is on
(development, tests), only to public addresses, so that a subscription cannot make the server
call its own network (the database, Redis, a cloud metadata service). The check runs when the
subscription is made and again before each delivery (a name may resolve elsewhere later), and
redirects are not followed."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class UnsafeUrl(ValueError):
    pass


def url_check(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeUrl(_("The address must start with https:// or http://."))
    if not parts.hostname or parts.username or parts.password:
        raise UnsafeUrl(_("The address must name a host, without a user name or password."))
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, ValueError, UnicodeError) as exc:
        raise UnsafeUrl(_("This host name cannot be resolved.")) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global or address.is_multicast:
            raise UnsafeUrl(
                _("This address leads to a private or local network, where webhooks may not go.")
            )
