"""The short messages of meetings (WhatsApp, SMS), made at delivery in the reader's language:
the booking with its confirm-attendance link, a move, a cancellation, the evening reminder and
the morning's summary. Each gives its plain text and the approved WhatsApp template that says
the same (names and bodies in docs/messaging.md: Meta approves each in French, English and
Arabic). The outbox appends the stop link to both."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from outbox.texts import ShortMessage, short_message

from .attendance import attendance_token

PREFIX = "Maroc Export"


def _when(meeting, mission) -> tuple[str, str]:
    start = timezone.localtime(meeting.slot.starts_at, mission.tzinfo)
    return date_format(start, "l j F"), start.strftime("%H:%M")


def _pair(meeting) -> str:
    return f"{meeting.company.display_name} – {meeting.operator.name}"


def _agenda(mission) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("matchmaking:agenda", args=[mission.slug])


def _announce(meeting, mission, recipient, *, text: str, template: str) -> ShortMessage:
    """A meeting booked or moved: ``text`` (translated) filled, with the reader's own link to
    confirm they will attend."""
    day, time = _when(meeting, mission)
    link = settings.SITE_URL.rstrip("/") + reverse(
        "matchmaking:attend", args=[attendance_token(meeting, recipient.email)]
    )
    filled = text % {"prefix": PREFIX, "pair": _pair(meeting), "day": day, "time": time,
                     "table": meeting.table, "link": link}  # fmt: skip
    params = (_pair(meeting), day, time, str(meeting.table), link)
    return ShortMessage(text=filled, template=template, params=params)


@short_message("meeting_booked")
def meeting_booked(*, meeting, mission, recipient, **_context) -> ShortMessage:
    text = _(
        "%(prefix)s: meeting booked, %(pair)s, %(day)s at %(time)s, %(table)s. "
        "Confirm you will attend: %(link)s"
    )
    return _announce(meeting, mission, recipient, text=text, template="meeting_booked")


@short_message("meeting_moved")
def meeting_moved(*, meeting, mission, recipient, **_context) -> ShortMessage:
    text = _(
        "%(prefix)s: meeting moved, %(pair)s, now %(day)s at %(time)s, %(table)s. "
        "Confirm you will attend: %(link)s"
    )
    return _announce(meeting, mission, recipient, text=text, template="meeting_moved")


@short_message("meeting_cancelled")
def meeting_cancelled(*, meeting, mission, **_context) -> ShortMessage:
    day, time = _when(meeting, mission)
    text = _(
        "%(prefix)s: meeting cancelled, %(pair)s, %(day)s at %(time)s. Your agenda: %(link)s"
    ) % {"prefix": PREFIX, "pair": _pair(meeting), "day": day, "time": time,
         "link": _agenda(mission)}  # fmt: skip
    params = (_pair(meeting), day, time, _agenda(mission))
    return ShortMessage(text=text, template="meeting_cancelled", params=params)


def _day(mission, meetings) -> tuple[list, str, str, str]:
    active = [m for m in meetings if m.is_active]
    if not active:
        return active, "", "", ""
    first = active[0]
    start = timezone.localtime(first.slot.starts_at, mission.tzinfo)
    return active, start.strftime("%H:%M"), str(first.table), date_format(start, "l j F")


@short_message("meeting_reminder")
def meeting_reminder(*, mission, day, meetings, today=False, **_context) -> ShortMessage:
    """The evening before (``today`` false) or the morning of a B2B day: how many meetings,
    the first one's time and table."""
    active, first, table, when = _day(mission, meetings)
    if not active:
        text = _("%(prefix)s: your meetings of %(day)s have been cancelled. Your agenda: %(link)s")
        text %= {"prefix": PREFIX, "day": date_format(day, "l j F"), "link": _agenda(mission)}
        return ShortMessage(text=text)
    count = len(active)
    if today:
        text = ngettext(
            "%(prefix)s: %(count)s meeting today, first at %(time)s, %(table)s. "
            "Your agenda: %(link)s",
            "%(prefix)s: %(count)s meetings today, first at %(time)s, %(table)s. "
            "Your agenda: %(link)s",
            count,
        )
    else:
        text = ngettext(
            "%(prefix)s: %(count)s meeting tomorrow, %(day)s, first at %(time)s, %(table)s. "
            "Your agenda: %(link)s",
            "%(prefix)s: %(count)s meetings tomorrow, %(day)s, first at %(time)s, %(table)s. "
            "Your agenda: %(link)s",
            count,
        )
    text %= {"prefix": PREFIX, "count": count, "day": when, "time": first, "table": table,
             "link": _agenda(mission)}  # fmt: skip
    template = "day_summary" if today else "meeting_reminder"
    params = (str(count), *(() if today else (when,)), first, table, _agenda(mission))
    return ShortMessage(text=text, template=template, params=params)
