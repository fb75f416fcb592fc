"""Arabic formats as Morocco writes them: Django's Arabic formats (``django/conf/locale/ar``),
with the 24-hour clock of Moroccan timetables, the week starting on Monday and amounts grouped
by a space as in Morocco (Django's "." would read as a decimal point to a French-speaking eye).

Digits stay Western (0-9): Django never substitutes Eastern Arabic digits (٠-٩), and Morocco
writes dates, times and amounts with Western digits in Arabic as in French.

Month names stay Django's (يناير، فبراير، مارس، أبريل، مايو…): they are the names understood
across the Arab world, not the Levantine ones (كانون الثاني، شباط…), and the Arabic readers of
these pages are as often operators in Nouakchott, Cairo or the Gulf as Moroccan firms; the Moroccan
forms (ماي، يوليوز، غشت، شتنبر) would puzzle the former, the common ones puzzle nobody.
"""

# Django's date syntax: https://docs.djangoproject.com/en/stable/ref/templates/builtins/#date
DATE_FORMAT = "j F، Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F، Y، H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
# The project's own short formats (core/templatetags/dates.py), as in fr/ and en/: Arabic has
# no abbreviated month names, so the full ones.
SHORT_DAY_MONTH_FORMAT = "j F"
SHORT_DAY_MONTH_YEAR_FORMAT = "j F Y"
WEEKDAY_DAY_MONTH_FORMAT = "l j F"
RANGE_FIRST_DAY_FORMAT = "j"
# The RIGHT-TO-LEFT MARKs of Django's Arabic format keep day/month/year in that order from right
# to left as well.
SHORT_DATE_FORMAT = "d\u200f/m\u200f/Y"
SHORT_DATETIME_FORMAT = "d\u200f/m\u200f/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

# Python's strptime syntax; day first, as written in Morocco.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # a no-break space, as Morocco writes amounts: 12 500,50
NUMBER_GROUPING = 3
