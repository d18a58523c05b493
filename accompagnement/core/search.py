"""What the French full-text vectors (PostgreSQL) are built from: the first part of each long
text, so that a vector always fits.

PostgreSQL refuses a vector over 1 MB ("string is too long for tsvector"), and the write
that builds it fails with it (a reply was lost so). A text of distinct short words makes
up to about five bytes of vector per character: the long texts of one vector together are
cut to `SEARCH_VECTOR_MAX_CHARS` characters (about half a megabyte of vector at worst)
before `to_tsvector`. The rest of a text is stored and shown, but not found by a search.
"""

from django.db.models.functions import Left

# The long texts of one vector together, in characters: a request's description and its
# messages get half each, an article's text all of it (titles and summaries are short).
SEARCH_VECTOR_MAX_CHARS = 100_000


def searchable_prefix(expression, chars: int):
    """The first `chars` characters of `expression` (a field's name or an expression)."""
    return Left(expression, chars)
