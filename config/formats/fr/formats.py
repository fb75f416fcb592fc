# The project's own date formats in French, beside Django's (``django/conf/locale/fr``), which
# give every other format. Read with ``core.templatetags.dates``: "5 mars", "7 déc. 2027".
SHORT_DAY_MONTH_FORMAT = "j N"
SHORT_DAY_MONTH_YEAR_FORMAT = "j N Y"
WEEKDAY_DAY_MONTH_FORMAT = "l j N"
# A range within one month ("5–9 mars 2027"): the first day alone, then the last one in full.
RANGE_FIRST_DAY_FORMAT = "j"
