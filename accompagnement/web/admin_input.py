"""The addresses of Django's admin: what its pages would pass unchecked to the database is
refused (400, Django's page "mal formé") before any admin view runs.

The changelists put the query string's values in their queries as they come: the search
(`?q=`), each list filter's parameters, the date hierarchy's. So, on every admin page,
present and future, the portal's own admins and those of django-axes and Celery beat:

- a NUL byte, in the path or the query string: PostgreSQL refuses it in a query (500);
- a value longer than `ADMIN_VALUE_MAX_CHARS`: SQLite refuses a long search pattern
  ("LIKE or GLOB pattern too complex"), and nobody types one;
- a day out of the portal's range (`core.dates`, 1900 to 2999) in a filter's parameter
  (`<field>__gte=0001-01-01`, `<field>__year=9999&<field>__month=12`): Django turns a
  malformed day into its "?e=1" page, but reading one at the calendar's ends in UTC, or
  adding a day or a month to it, overflows (OverflowError), and so does a year too large
  for the machine's integers.

The portal's own pages check their parameters in their forms (Django's form fields refuse
a NUL byte) and their path converters (`core/converters.py`).
"""

import re

from django.core.exceptions import BadRequest

from accompagnement.core.dates import FIRST_DAY, LAST_DAY

ADMIN_NAMESPACE = "admin"
ADMIN_VALUE_MAX_CHARS = 2_000
# A filter's day or moment (ISO, as Django's date fields read them) and a date
# hierarchy's year; its month and day.
STARTS_WITH_A_DAY = re.compile(r"([0-9]{4})-[0-9]{1,2}-[0-9]{1,2}")
YEAR_PART = re.compile(r"__year\Z")
MONTH_OR_DAY_PART = re.compile(r"__(month|day)\Z")
YEAR = re.compile(r"[0-9]{1,4}\Z")
MONTH_OR_DAY = re.compile(r"[0-9]{1,2}\Z")


def _year_in_range(text: str) -> bool:
    return FIRST_DAY.year <= int(text) <= LAST_DAY.year


def _value_refusal(name: str, value: str) -> str | None:
    if "\x00" in name or "\x00" in value:
        return "NUL byte in the query string"
    if len(value) > ADMIN_VALUE_MAX_CHARS:
        return "value too long"
    if "__" not in name:  # the search, the ordering, the page: not a filter's lookup
        return None
    if YEAR_PART.search(name):
        return None if YEAR.match(value) and _year_in_range(value) else "year out of range"
    if MONTH_OR_DAY_PART.search(name):
        return None if MONTH_OR_DAY.match(value) else "month or day out of range"
    day = STARTS_WITH_A_DAY.match(value)
    if day and not _year_in_range(day.group(1)):
        return "day out of range"
    return None


def refusal(request) -> str | None:
    """Why the admin must not read this request's address; None when it may."""
    if "\x00" in request.path_info:
        return "NUL byte in the path"
    for name, values in request.GET.lists():
        for value in values:
            reason = _value_refusal(name, value)
            if reason is not None:
                return f"{name[:50]!r}: {reason}"
    return None


class AdminInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and ADMIN_NAMESPACE in match.namespaces:
            reason = refusal(request)
            if reason is not None:
                raise BadRequest(f"Admin address refused: {reason}")
        return None
