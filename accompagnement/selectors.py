"""Reads: each list the screens render, with its joins."""

from django.db.models import QuerySet

from ddi.models import DDI, ServiceCentreAttachment

from .models import TeamMember


def attachments_for_ddi(*, ddi: DDI) -> QuerySet[ServiceCentreAttachment]:
    """The CSP that serves the DDI for each programme, with contacts."""
    return (
        ServiceCentreAttachment.objects.filter(ddi=ddi)
        .select_related("programme", "service_centre", "service_centre__ministry")
        .order_by("programme__code")
    )


def team_roster() -> QuerySet[TeamMember]:
    return (
        TeamMember.objects.filter(user__is_active=True)
        .select_related("user", "structure", "referent_ministry")
        .prefetch_related("referent_programmes")
        .order_by("structure__name", "user__last_name", "user__first_name")
    )
