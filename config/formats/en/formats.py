# The project's own date formats in English, beside Django's (``django/conf/locale/en``), which
# give every other format. Read with ``core.templatetags.dates``: "5 Mar", "7 Dec 2027".
SHORT_DAY_MONTH_FORMAT = "j M"
SHORT_DAY_MONTH_YEAR_FORMAT = "j M Y"
WEEKDAY_DAY_MONTH_FORMAT = "D j M"
RANGE_FIRST_DAY_FORMAT = "j"
