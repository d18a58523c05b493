"""Stored working-day durations of requests (for medians and percentiles in SQL), and the
indexes the dashboards' period filters use (filing, resolution, end of the request)."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Coalesce

from accompagnement.support.sla import working_days_between_dates

BATCH_SIZE = 2_000


def durations_backfill(apps, schema_editor):
    """Fill both durations of existing requests, `BATCH_SIZE` requests at a time."""
    SupportRequest = apps.get_model("accompagnement", "SupportRequest")
    local = ZoneInfo(settings.TIME_ZONE)

    def days(start, end):
        if end is None:
            return None
        return working_days_between_dates(
            start.astimezone(local).date(), end.astimezone(local).date()
        )

    measured = (
        SupportRequest.objects.filter(
            models.Q(first_response_at__isnull=False) | models.Q(resolved_at__isnull=False)
        )
        .order_by("pk")
        .values_list("pk", "created_at", "first_response_at", "resolved_at")
    )
    last_pk = 0
    while batch := list(measured.filter(pk__gt=last_pk)[:BATCH_SIZE]):
        rows = [
            (pk, days(created, first), days(created, resolved))
            for pk, created, first, resolved in batch
        ]
        _durations_write(SupportRequest, schema_editor.connection, rows)
        last_pk = batch[-1][0]


def _durations_write(SupportRequest, connection, rows):
    if connection.vendor != "postgresql":
        SupportRequest.objects.bulk_update(
            [
                SupportRequest(pk=pk, first_response_days=first, resolution_days=resolution)
                for pk, first, resolution in rows
            ],
            ["first_response_days", "resolution_days"],
        )
        return
    # One UPDATE joined to the values: bulk_update's CASE per row took minutes here.
    table = connection.ops.quote_name(SupportRequest._meta.db_table)
    values = ", ".join(["(%s::bigint, %s::integer, %s::integer)"] * len(rows))
    # The table's own name; every value is a parameter.
    sql = (
        f"UPDATE {table} AS request SET first_response_days = v.first, "  # noqa: S608
        "resolution_days = v.resolution "
        f"FROM (VALUES {values}) AS v(id, first, resolution) WHERE request.id = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


class Migration(migrations.Migration):
    dependencies = [
        ("accompagnement", "0004_campaigns"),
    ]

    operations = [
        migrations.AddField(
            model_name="supportrequest",
            name="first_response_days",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="délai de première réponse (jours ouvrés)"
            ),
        ),
        migrations.AddField(
            model_name="supportrequest",
            name="resolution_days",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="délai de résolution (jours ouvrés)"
            ),
        ),
        migrations.AddIndex(
            model_name="supportrequest",
            index=models.Index(fields=["created_at", "ddi"], name="request_created_ddi"),
        ),
        migrations.AddIndex(
            model_name="supportrequest",
            index=models.Index(fields=["last_activity_at"], name="request_activity"),
        ),
        migrations.AddIndex(
            model_name="supportrequest",
            index=models.Index(fields=["resolved_at"], name="request_resolved"),
        ),
        migrations.AddIndex(
            model_name="supportrequest",
            index=models.Index(
                Coalesce("resolved_at", "closed_at"),
                name="request_finished",
            ),
        ),
        migrations.RunPython(durations_backfill, migrations.RunPython.noop, elidable=True),
    ]
