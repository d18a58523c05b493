"""Path converters: a part of a URL that does not have its format is a 404 before any view
runs (a NUL byte never reaches the database: PostgreSQL would refuse it with an error)."""

import re

# A request's reference as `support.services.requests.reference_allocate` gives it out:
# `ACC-<year>-<5 digits>`, ASCII digits only (`\d` would accept "²" and "١"), upper case as
# stored (the database's check constraint `request_reference_format` says the same).
REFERENCE_FORMAT = r"ACC-[0-9]{4}-[0-9]{5}"
_REFERENCE = re.compile(REFERENCE_FORMAT)


def is_reference(text: str) -> bool:
    return _REFERENCE.fullmatch(text) is not None


class ReferenceConverter:
    """`<reference:reference>`: registered under the name `reference` by the root URL conf
    (`accompagnement/urls.py`), before the packages' URL confs are read."""

    regex = REFERENCE_FORMAT

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
