"""Short messages (WhatsApp, SMS), made at delivery in the reader's language by functions the
apps register, as attachments are:

    @short_message("meeting_booked")
    def meeting_booked(*, meeting, mission, recipient) -> ShortMessage: ...

The function receives the message's context (rows read again) and the ``recipient``, under
``translation.override(recipient.language)``. It returns the plain text (an SMS, or a WhatsApp
message inside the 24-hour window that follows the reader's last message) and the name and
parameters of the approved WhatsApp template that says the same outside that window.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ShortMessage:
    text: str
    template: str = ""  # the WhatsApp template's name, approved by Meta in each language
    params: tuple[str, ...] = ()  # its body's {{1}}, {{2}}... in order


_builders: dict[str, Callable[..., ShortMessage]] = {}


def short_message(name: str):
    def register(builder: Callable[..., ShortMessage]) -> Callable[..., ShortMessage]:
        _builders[name] = builder
        return builder

    return register


def build_short(name: str, context: dict) -> ShortMessage:
    try:
        builder = _builders[name]
    except KeyError:
        raise LookupError(f"no short message called {name!r}") from None
    return builder(**context)
