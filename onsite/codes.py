"""The QR codes of the day: what they hold, and how they are drawn.

A code holds a URL of this site with a value signed by ``django.core.signing`` (HMAC with the
secret key and a salt per kind, compared in constant time): ids only, never a name, an e-mail or
a phone number. Two kinds:

- a **badge** names one person of a mission: a delegate of a firm (``d``) or a contact of an
  operator (``c``); staff scan it at the door, the other side scans it at the table;
- a **meeting** code, printed on the agendas, names one meeting in one version (its SEQUENCE):
  a printed agenda older than a move no longer starts the meeting.

The codes do not expire by age: a badge is printed weeks ahead. The time they work is the
meeting's slot with the margin staff set (see ``onsite.services``).
"""

from dataclasses import dataclass

import segno
from django.conf import settings
from django.core import signing
from django.urls import reverse

BADGE_SALT = "onsite.badge"
MEETING_SALT = "onsite.meeting"


class CodeError(Exception):
    """The value is not one of our codes (forged, damaged, or of another kind)."""


@dataclass(frozen=True)
class BadgeCode:
    mission_id: int
    delegate_id: int | None = None
    contact_id: int | None = None


@dataclass(frozen=True)
class MeetingCode:
    mission_id: int
    meeting_id: int
    sequence: int


def badge_token(*, mission_id: int, delegate_id: int | None = None, contact_id=None) -> str:
    person = {"d": delegate_id} if delegate_id else {"c": contact_id}
    payload = {"s": mission_id, **person}
    return signing.dumps(payload, salt=BADGE_SALT, compress=True)


def meeting_token(meeting) -> str:
    return meeting_token_of(
        mission_id=meeting.mission_id, meeting_id=meeting.pk, sequence=meeting.sequence
    )


def meeting_token_of(*, mission_id: int, meeting_id: int, sequence: int) -> str:
    return signing.dumps(
        {"s": mission_id, "m": meeting_id, "q": sequence}, salt=MEETING_SALT, compress=True
    )


def _load(token: str, salt: str) -> dict:
    try:
        data = signing.loads(token, salt=salt)
    except signing.BadSignature as exc:
        raise CodeError from exc
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise CodeError
    return data


def badge_read(token: str) -> BadgeCode:
    data = _load(token, BADGE_SALT)
    delegate, contact = data.get("d"), data.get("c")
    if not (isinstance(delegate, int) ^ isinstance(contact, int)):
        raise CodeError
    return BadgeCode(mission_id=data["s"], delegate_id=delegate, contact_id=contact)


def meeting_read(token: str) -> MeetingCode:
    data = _load(token, MEETING_SALT)
    if not isinstance(data.get("m"), int) or not isinstance(data.get("q"), int):
        raise CodeError
    return MeetingCode(mission_id=data["s"], meeting_id=data["m"], sequence=data["q"])


def badge_url(mission, **person) -> str:
    token = badge_token(mission_id=mission.pk, **person)
    return settings.SITE_URL + reverse("onsite:badge", args=[mission.slug, token])


def meeting_url(meeting, slug: str) -> str:
    return settings.SITE_URL + reverse("onsite:meeting", args=[slug, meeting_token(meeting)])


def meeting_qr(*, mission, meeting_id: int, sequence: int) -> str:
    """The QR code of one meeting (a printed agenda's line)."""
    token = meeting_token_of(mission_id=mission.pk, meeting_id=meeting_id, sequence=sequence)
    return qr_svg(settings.SITE_URL + reverse("onsite:meeting", args=[mission.slug, token]))


def badge_qr(mission, **person) -> str:
    """The QR code of one badge: ``delegate_id=`` or ``contact_id=``."""
    return qr_svg(badge_url(mission, **person))


def qr_svg(url: str, *, title: str = "") -> str:
    """The URL as an inline SVG QR code (no XML declaration, no inline style: it passes the
    site's Content-Security-Policy and WeasyPrint draws it as vectors)."""
    code = segno.make(url, error="m", micro=False)
    return code.svg_inline(
        border=2, title=title or None, svgclass="qr", lineclass=None, omitsize=True, light="#fff"
    )
