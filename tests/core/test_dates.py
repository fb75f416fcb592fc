"""Short dates and ranges in each language's own way, from its format module."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from core.templatetags.dates import date_range, day_month, day_month_year, weekday_day_month


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["5 mars", "7 déc. 2027", "mardi 7 déc.", "5–9 mars 2027"]),
        ("en", ["5 Mar", "7 Dec 2027", "Tue 7 Dec", "5–9 Mar 2027"]),
    ],
)
def test_short_dates_follow_the_language(language, expected):
    with translation.override(language):
        assert [
            day_month(date(2027, 3, 5)),
            day_month_year(date(2027, 12, 7)),
            weekday_day_month(date(2027, 12, 7)),
            date_range(date(2027, 3, 5), date(2027, 3, 9)),
        ] == expected


def test_ranges_say_the_month_and_year_once_where_they_are_shared():
    with translation.override("fr"):
        assert date_range(date(2027, 3, 5), date(2027, 3, 5)) == "5 mars 2027"
        assert date_range(date(2027, 2, 26), date(2027, 3, 2)) == "26 fév. – 2 mars 2027"
        assert date_range(date(2026, 12, 28), date(2027, 1, 3)) == "28 déc. 2026 – 3 jan. 2027"
        assert date_range(None, date(2027, 3, 5)) == "5 mars 2027"
    with translation.override("en"):
        assert date_range(date(2027, 2, 26), date(2027, 3, 2)) == "26 Feb – 2 Mar 2027"


def test_a_language_without_the_project_formats_falls_back_to_full_months():
    with translation.override("de"):
        assert day_month(date(2027, 3, 5)) == "5 März"


def test_templates_show_moments_in_the_zone_they_are_given():
    moment = datetime(2027, 12, 7, 23, 30, tzinfo=ZoneInfo("UTC"))
    template = Template(
        "{% load dates mission_time %}{{ moment|local:'Asia/Tokyo'|day_month_year_time }}"
    )
    with translation.override("fr"):
        assert template.render(Context({"moment": moment})) == "8 déc. 2027, 08:30"
