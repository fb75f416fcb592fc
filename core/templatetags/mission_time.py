"""Times are stored in UTC and always shown in the mission's own time zone, with the zone named."""

import zoneinfo
from datetime import datetime

from django import template
from django.templatetags.tz import do_timezone
from django.utils import formats

from core.templatetags.bidi import ltr

register = template.Library()


@register.filter
def local(value: datetime | None, tz: str):
    """``{{ item.starts_at|local:mission.timezone|time:"H:i" }}``: the datetime in ``tz``.

    Django's own ``timezone`` filter marks its result so that the ``date`` and ``time`` filters
    that follow do not convert it back to the active time zone."""
    if value is None:
        return None
    return do_timezone(value, tz)


@register.simple_tag
def tz_label(tz: str, when: datetime | None = None) -> str:
    """``Africa/Abidjan (GMT)`` or ``America/Los_Angeles (PST)``: the zone and its abbreviation
    at ``when`` (daylight saving may change it during a mission); kept left to right in Arabic."""
    moment = when or datetime.now(zoneinfo.ZoneInfo("UTC"))
    abbreviation = moment.astimezone(zoneinfo.ZoneInfo(tz)).tzname()
    return ltr(f"{tz.replace('_', ' ')} ({abbreviation})")


@register.simple_tag
def local_time_range(start: datetime, end: datetime, tz: str) -> str:
    """``lun. 6 mars 2017, 09:00–10:30``: one day, in the mission's zone and the reader's locale."""
    zone = zoneinfo.ZoneInfo(tz)
    start, end = start.astimezone(zone), end.astimezone(zone)
    day = formats.date_format(start, "DATE_FORMAT")
    hours = f"{formats.time_format(start, 'H:i')}–{formats.time_format(end, 'H:i')}"
    return f"{day}, {ltr(hours)}"
