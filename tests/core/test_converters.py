"""The path converters: a URL part without its format is a 404 before any view runs."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accompagnement.core.converters import ReferenceConverter, is_reference


@pytest.mark.parametrize("reference", ["ACC-2011-00001", "ACC-2026-99999"])
def test_a_reference_as_allocated_matches(reference):
    assert is_reference(reference)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00",
        "ACC-2011-0000\x00",
        "ACC-2011-0000²",
        "ACC-٢٠١١-00001",
        "ACC-2011-000001",
        "ACC-11-00001",
        "acc-2011-00001",  # never found today either: references are stored upper case
        " ACC-2011-00001",
        "ACC-2011-00001\n",
        "x" * 100_000,
    ],
)
def test_anything_else_does_not(text):
    assert not is_reference(text)


def _patterns(patterns=None):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            yield entry


def test_every_url_naming_a_request_by_its_reference_uses_the_converter():
    with_reference = [p for p in _patterns() if "reference" in p.pattern.converters]
    assert len(with_reference) >= 14  # the request's pages, the team's actions, problems
    for pattern in with_reference:
        assert isinstance(pattern.pattern.converters["reference"], ReferenceConverter), str(
            pattern.pattern
        )
