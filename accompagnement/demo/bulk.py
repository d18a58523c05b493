"""Writing the demo's large batches fast: plain rows by COPY on PostgreSQL (bulk_create
elsewhere), the cyclic garbage collector paused while millions of tuples are built, and the
planner's statistics refreshed once the tables have grown."""

import gc
from contextlib import contextmanager

from django.db import connection

BATCH_SIZE = 5_000


def statistics_refresh() -> None:
    """PostgreSQL's planner statistics and visibility map, after the tables grew by a
    large batch (outside the transaction; autovacuum would get there later, the pages
    need them now: the queue counts its rows from an index alone only once the table's
    pages are marked all-visible)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        # The whole database: the reference tables were just loaded too (a second or two).
        cursor.execute("VACUUM (ANALYZE)")


def rows_write(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert plain rows: COPY on PostgreSQL, `bulk_create` in batches elsewhere.

    On PostgreSQL, bulk_create took 5 minutes for 200,000 requests and their 2.3 million
    messages and events (Django's per-field preparation and a 130,000-parameter INSERT
    per batch); COPY takes a fraction of that.
    """
    if not rows:
        return
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        sql = (
            f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
            "FROM STDIN"
        )
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    model.objects.bulk_create(
        [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=BATCH_SIZE
    )


@contextmanager
def garbage_collector_paused():
    """Millions of small tuples are built here, and no reference cycle: the cyclic
    garbage collector would only rescan them, over and over."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
