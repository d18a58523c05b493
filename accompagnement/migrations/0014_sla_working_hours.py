"""The due dates of every request recounted in the team's working hours.

Until now targets counted whole working days from the moment of filing, nights included.
Each request's clock now starts at the team's next opening after filing, in working
hours, with the local holidays of Alsace-Moselle for the DDIs there. A request waiting for
the DDI or escalated today has its clock paused since its last status change (the past
pauses of older requests are not rebuilt: their history only says when the status
changed, which the figures do not need).

Rows are written by one UPDATE per batch on PostgreSQL (from a VALUES list), by one
parameterised UPDATE per request elsewhere: `bulk_update`'s CASE over a batch grows with
the square of the batch, and took 109 s for 20,000 requests on SQLite.
"""

from django.db import migrations

PAUSED = ("waiting_ddi", "escalated")
BATCH = 2000
FIELDS = (
    "sla_started_at",
    "first_response_due",
    "first_response_warning_at",
    "resolution_due",
    "resolution_warning_at",
    "sla_paused_at",
)


def _paused_since(Event) -> dict[int, object]:
    """When each request now waiting (or escalated) was put in that status: one query."""
    since = {}
    rows = (
        Event.objects.filter(
            kind="status",
            new_value__in=PAUSED,
            request__status__in=PAUSED,
        )
        .order_by("request_id", "created_at", "pk")
        .values_list("request_id", "new_value", "request__status", "created_at")
    )
    for request_id, new_value, status, created_at in rows:
        if new_value == status:
            since[request_id] = created_at  # the latest wins
    return since


def recount(apps, schema_editor):
    from accompagnement.support.sla import holiday_subdivision, sla_schedule

    SupportRequest = apps.get_model("accompagnement", "SupportRequest")
    Event = apps.get_model("accompagnement", "Event")
    connection = schema_editor.connection
    quote, adapt = connection.ops.quote_name, connection.ops.adapt_datetimefield_value
    table = quote(SupportRequest._meta.db_table)

    def write(cursor, batch: list[list]) -> None:
        # Identifiers from the model, values as parameters.
        if connection.vendor == "postgresql":
            # One statement per batch: one round trip per row took 18 s for 20,000.
            rows = ", ".join(
                ["(" + ", ".join(["%s::timestamptz"] * len(FIELDS)) + ", %s)"] * len(batch)
            )
            cursor.execute(
                "UPDATE {} SET {} FROM (VALUES {}) AS v({}, id) WHERE {}.id = v.id".format(  # noqa: S608
                    table,
                    ", ".join(f"{quote(name)} = v.{quote(name)}" for name in FIELDS),
                    rows,
                    ", ".join(quote(name) for name in FIELDS),
                    table,
                ),
                [value for row in batch for value in row],
            )
            return
        cursor.executemany(
            "UPDATE {} SET {} WHERE id = %s".format(  # noqa: S608
                table, ", ".join(f"{quote(name)} = %s" for name in FIELDS)
            ),
            batch,
        )

    paused_since = _paused_since(Event)
    # Plain values, not models: a model per row and per joined row cost more than the
    # counting itself.
    rows = SupportRequest.objects.order_by("pk").values_list(
        "pk",
        "priority",
        "status",
        "created_at",
        "last_activity_at",
        "sla_paused_seconds",
        "ddi__department__code",
    )
    last = 0
    with connection.cursor() as cursor:
        # Page by page on the primary key: the rows read are never those being written.
        while page := list(rows.filter(pk__gt=last)[:BATCH]):
            batch = []
            for pk, priority, status, created_at, active_at, paused_seconds, department in page:
                schedule = sla_schedule(
                    priority,
                    created_at,
                    holiday_subdivision(department),
                    paused_seconds=paused_seconds,
                )
                paused_at = None
                if status in PAUSED:
                    paused_at = paused_since.get(pk) or active_at
                values = (
                    schedule.started_at,
                    schedule.first_response_due,
                    schedule.first_response_warning_at,
                    schedule.resolution_due,
                    schedule.resolution_warning_at,
                    paused_at,
                )
                batch.append([adapt(value) for value in values] + [pk])
            write(cursor, batch)
            last = page[-1][0]


class Migration(migrations.Migration):
    dependencies = [("accompagnement", "0013_team_daily_loop")]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop, elidable=True)]
