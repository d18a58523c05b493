"""The milestone reminder, registered with the outbox (outbox/registry.py).

For an agent of a targeted DDI (`context["milestone_id"]`), recorded by
`services.milestone_reminders_record`; templates in `templates/campaigns/emails/`.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accompagnement.accounts import roles
from accompagnement.campaigns.models import Milestone
from accompagnement.outbox.models import Notification
from accompagnement.outbox.registry import EmailKind, register


def calendar_url(milestone_id: int) -> str:
    """The absolute address of a milestone on the calendar page (`/calendrier/#jalon-<pk>`)."""
    return settings.SITE_URL.rstrip("/") + reverse("campaigns:index") + f"#jalon-{milestone_id}"


def _milestone_of(notification: Notification):
    """The milestone a reminder is about (None once deleted), read once per notification."""

    if not hasattr(notification, "_milestone"):
        notification._milestone = (
            Milestone.objects.select_related("campaign")
            .filter(pk=notification.context.get("milestone_id"))
            .first()
        )
    return notification._milestone


def _preload(notifications: list[Notification]) -> None:
    """The milestones of a batch of reminders, in one query."""
    milestone_ids = {n.context.get("milestone_id") for n in notifications} - {None}
    milestones = (
        Milestone.objects.select_related("campaign").in_bulk(milestone_ids) if milestone_ids else {}
    )
    for notification in notifications:
        notification._milestone = milestones.get(notification.context.get("milestone_id"))


def _refusal_reason(notification: Notification) -> str:
    if _milestone_of(notification) is None:
        return _("Le jalon de ce rappel n'existe plus.")
    if not roles.is_agent(notification.recipient):
        return _("Un rappel de jalon ne s'adresse qu'à un agent de DDI.")
    return ""


def _context(notification: Notification) -> dict:
    milestone = _milestone_of(notification)
    return {
        "milestone": milestone,
        # From the day it is sent, not the day it was recorded (a late send says so).
        "days_left": (milestone.due_date - timezone.localdate()).days,
        "url": calendar_url(milestone.pk),
    }


register(
    EmailKind(
        name="milestone_reminder",
        template="campaigns/emails/milestone_reminder",
        subject_prefix=gettext_lazy("[Calendrier]"),
        context=_context,
        refusal_reason=_refusal_reason,
        preload=_preload,
    )
)
