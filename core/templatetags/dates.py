"""Dates as each language writes them, from its format module (``config/formats/<code>/``,
then Django's): ``{{ day|day_month }}`` "5 mars" / "5 Mar", ``{{ day|day_month_year }}``
"7 déc. 2027", ``{{ day|weekday_day_month }}`` "mardi 7 déc." / "Tue 7 Dec", and
``{{ moment|day_month_year_time }}`` "7 déc. 2027, 14:05", ``{% date_range start end %}``
"5–9 mars 2027", "28 févr. – 3 mars 2027".

A language without the project's formats (none of the interface's: fr, en and ar define them in
``config/formats``) falls back to full month names."""

from datetime import date

from django import template
from django.utils.formats import date_format, get_format

register = template.Library()

FALLBACKS = {
    "SHORT_DAY_MONTH_FORMAT": "j F",
    "SHORT_DAY_MONTH_YEAR_FORMAT": "j F Y",
    "WEEKDAY_DAY_MONTH_FORMAT": "l j F",
    "RANGE_FIRST_DAY_FORMAT": "j",
}


def _format(value, name: str) -> str:
    if value in (None, ""):
        return ""
    found = get_format(name)
    # get_format() answers the name itself when no format module defines it.
    return date_format(value, FALLBACKS[name] if found == name else found)


@register.filter(expects_localtime=True)
def day_month(value: date) -> str:
    return _format(value, "SHORT_DAY_MONTH_FORMAT")


@register.filter(expects_localtime=True)
def day_month_year(value: date) -> str:
    return _format(value, "SHORT_DAY_MONTH_YEAR_FORMAT")


@register.filter(expects_localtime=True)
def weekday_day_month(value: date) -> str:
    return _format(value, "WEEKDAY_DAY_MONTH_FORMAT")


@register.filter(expects_localtime=True)
def day_month_year_time(value) -> str:
    """ "7 déc. 2027, 14:05": a moment in the active (or the given, through ``local``) zone."""
    if value in (None, ""):
        return ""
    return f"{day_month_year(value)}, {date_format(value, 'H:i')}"


@register.simple_tag
def date_range(start: date | None, end: date | None) -> str:
    """The days from ``start`` to ``end``, the year and month said once where they are shared."""
    if not start or not end:
        return day_month_year(start or end)
    if start == end:
        return day_month_year(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{_format(start, 'RANGE_FIRST_DAY_FORMAT')}–{day_month_year(end)}"
    if start.year == end.year:
        return f"{day_month(start)} – {day_month_year(end)}"
    return f"{day_month_year(start)} – {day_month_year(end)}"
