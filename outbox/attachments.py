"""Attachments made at delivery, in the reader's language, by functions the apps register:

    @attachment("meeting_invite")
    def meeting_invite(*, meeting: int, method: str) -> Attachment: ...

A message keeps ``[name, params]`` pairs (JSON); ``params`` are keyword arguments.
"""

from collections.abc import Callable

Attachment = tuple[str, bytes, str]  # file name, content, MIME type

_builders: dict[str, Callable[..., Attachment]] = {}


def attachment(name: str):
    def register(builder: Callable[..., Attachment]) -> Callable[..., Attachment]:
        _builders[name] = builder
        return builder

    return register


def build(name: str, params: dict) -> Attachment:
    try:
        builder = _builders[name]
    except KeyError:
        raise LookupError(f"no attachment called {name!r}") from None
    return builder(**params)
