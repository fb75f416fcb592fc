"""Calendar files (iCalendar, RFC 5545) for meetings, in the mission's own time zone.

Each meeting keeps one UID for life; SEQUENCE goes up with every change, so calendar programs
update the event in place; a cancellation is sent with METHOD:CANCEL.
"""

from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

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
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, cancelled=method == "CANCEL"))
    calendar.add_missing_timezones()
    return calendar.to_ical()


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
