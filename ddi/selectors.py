"""Reads: each list the screens render, with its joins."""

from django.db.models import QuerySet

from ddi.models import DDI, ServiceCentreAttachment


def attachments_for_ddi(*, ddi: DDI) -> QuerySet[ServiceCentreAttachment]:
    """The CSP that serves the DDI for each programme, with contacts."""
    return (
        ServiceCentreAttachment.objects.filter(ddi=ddi)
        .select_related("programme", "service_centre", "service_centre__ministry")
        .order_by("programme__code")
    )
