"""The path converters of the URLs that carry a token (registered in ``CoreConfig.ready``).

A token is URL-safe base64 (``secrets.token_urlsafe``) or a value signed by ``django.core.signing``
(base64, ``:`` and a leading ``.`` when compressed). Anything else (a NUL byte, a space, a
non-ASCII letter, a string longer than any token we make) cannot be one of ours: the URL does not
match and the answer is a 404, before a view or the database sees it. Slugs use Django's own
``slug`` converter, which is as strict (ASCII letters, digits, ``-`` and ``_``).
"""

from django.urls import register_converter


class TokenConverter:
    regex = r"[-A-Za-z0-9_:.]{1,400}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def register() -> None:
    register_converter(TokenConverter, "token")
