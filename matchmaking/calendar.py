"""Calendar files (iCalendar, RFC 5545) for meetings, in the mission's own time zone.

Each meeting keeps one UID for life; SEQUENCE goes up with every change, so calendar programs
update the event in place; a cancellation is sent with METHOD:CANCEL.
"""

import functools
from collections.abc import Iterable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from outbox.attachments import Attachment, attachment

from .models import Meeting

PRODID = "-//Maroc Export//B2B missions//FR"


def _address(email: str, name: str, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = vText(name or email)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def meeting_event(meeting: Meeting, *, cancelled: bool = False) -> Event:
    zone = meeting.mission.tzinfo
    session = meeting.slot.session
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", datetime.now(UTC))
    # Wall-clock time with its TZID (icalendar would write a zone at UTC+0, such as Abidjan's,
    # as plain UTC and lose the mission's zone).
    for name, moment in (("dtstart", meeting.slot.starts_at), ("dtend", meeting.slot.ends_at)):
        event.add(name, moment.astimezone(zone).replace(tzinfo=None), parameters={"TZID": zone.key})
    event.add(
        "summary",
        _("B2B meeting: %(firm)s – %(operator)s")
        % {"firm": meeting.company.display_name, "operator": meeting.operator.name},
    )
    where = [session.place, str(meeting.table)] if session.place else [str(meeting.table)]
    event.add("location", " · ".join(where))
    event.add(
        "description",
        _("%(firm)s, represented by %(delegate)s (%(role)s), meets %(operator)s.")
        % {
            "firm": meeting.company.display_name,
            "delegate": meeting.delegate.full_name,
            "role": meeting.delegate.role,
            "operator": meeting.operator.name,
        }
        + "\n"
        + settings.SITE_URL.rstrip("/")
        + reverse("matchmaking:agenda", args=[meeting.mission.slug]),
    )
    event.add("status", "CANCELLED" if cancelled or not meeting.is_active else "CONFIRMED")
    event.add("organizer", _address(settings.AGENCY_EMAIL, "Maroc Export"))
    people = [*meeting.company.members.all(), *meeting.operator.contacts.all()]
    for person in people:
        event.add(
            "attendee",
            _address(
                person.email, person.get_full_name(), ROLE="REQ-PARTICIPANT", PARTSTAT="ACCEPTED"
            ),
        )
    return event


def calendar_bytes(
    meetings: Iterable[Meeting], *, method: str | None = None, name: str = ""
) -> bytes:
    """A calendar of ``meetings``; ``method`` is REQUEST or CANCEL for an invitation."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    years: dict[str, set[int]] = {}
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, cancelled=method == "CANCEL"))
        years.setdefault(meeting.mission.timezone, set()).add(meeting.slot.starts_at.year)
    for zone, seen in years.items():
        calendar.subcomponents.insert(0, _vtimezone(zone, min(seen), max(seen)))
    return calendar.to_ical()


@functools.lru_cache(maxsize=128)
def _vtimezone(zone: str, first_year: int, last_year: int) -> Timezone:
    """The VTIMEZONE of a mission's zone around the years of its meetings, made once per process
    (icalendar derives it from every transition of the zone: tens of milliseconds)."""
    return Timezone.from_tzinfo(
        ZoneInfo(zone),
        tzid=zone,
        first_date=date(first_year - 1, 1, 1),
        last_date=date(last_year + 1, 12, 31),
    )


@attachment("meeting_invite")
def meeting_invite(*, meeting: Meeting, method: str) -> Attachment:
    """The invitation (REQUEST) or cancellation (CANCEL) of one meeting, for an e-mail."""
    return "invite.ics", calendar_bytes([meeting], method=method), f"text/calendar; method={method}"


@attachment("agenda_ics")
def agenda_ics(*, mission, company=None, operator=None) -> Attachment:
    """The whole agenda of a firm or an operator in a mission (the "agenda published" e-mail)."""
    party = {"company": company} if company is not None else {"operator": operator}
    meetings = (
        Meeting.objects.filter(mission=mission, **party)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("mission", "company", "operator", "delegate", "slot__session", "table")
        .prefetch_related("company__members", "operator__contacts")
        .order_by("slot__starts_at", "pk")
    )
    return (
        f"agenda-{mission.slug}.ics",
        calendar_bytes(meetings, method="REQUEST", name=mission.title),
        "text/calendar; method=REQUEST",
    )
