"""The due dates of every request recounted in the team's working hours.

Until now targets counted whole working days from the moment of filing, nights included.
Each request's clock now starts at the team's next opening after filing, in working
hours, with the local holidays of Alsace-Moselle for the DDIs there. A request waiting for
the DDI or escalated today has its clock paused since its last status change (the past
pauses of older requests are not rebuilt: their history only says when the status
changed, which the figures do not need).
"""

from django.db import migrations

PAUSED = ("waiting_ddi", "escalated")
BATCH = 2000


def recount(apps, schema_editor):
    from accompagnement.support.sla import holiday_subdivision, sla_schedule

    SupportRequest = apps.get_model("accompagnement", "SupportRequest")
    Event = apps.get_model("accompagnement", "Event")
    rows = (
        SupportRequest.objects.order_by("pk")
        .select_related("ddi__department")
        .only("pk", "priority", "status", "created_at", "last_activity_at", "ddi__department__code")
    )
    batch = []
    fields = [
        "sla_started_at",
        "first_response_due",
        "first_response_warning_at",
        "resolution_due",
        "resolution_warning_at",
        "sla_paused_at",
    ]
    for request in rows.iterator(chunk_size=BATCH):
        schedule = sla_schedule(
            request.priority, request.created_at, holiday_subdivision(request.ddi.department.code)
        )
        request.sla_started_at = schedule.started_at
        request.first_response_due = schedule.first_response_due
        request.first_response_warning_at = schedule.first_response_warning_at
        request.resolution_due = schedule.resolution_due
        request.resolution_warning_at = schedule.resolution_warning_at
        if request.status in PAUSED:
            paused_at = (
                Event.objects.filter(request_id=request.pk, kind="status", new_value=request.status)
                .order_by("-created_at")
                .values_list("created_at", flat=True)
                .first()
            )
            request.sla_paused_at = paused_at or request.last_activity_at
        batch.append(request)
        if len(batch) >= BATCH:
            SupportRequest.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        SupportRequest.objects.bulk_update(batch, fields)


class Migration(migrations.Migration):
    dependencies = [("accompagnement", "0013_team_daily_loop")]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop, elidable=True)]
