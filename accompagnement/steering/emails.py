"""The pilot's weekly digest, registered with the outbox (outbox/registry.py).

For the pilot only, about no request in particular: `context` holds the content
(`services.weekly_digest_record`); templates in `templates/steering/emails/`.
"""

from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accompagnement.accounts import roles
from accompagnement.outbox.models import Notification
from accompagnement.outbox.registry import EmailKind, register


def _refusal_reason(notification: Notification) -> str:
    if not roles.is_pilot(notification.recipient):
        return _("Cette synthèse est réservée au pilotage.")
    return ""


def _context(notification: Notification) -> dict:
    digest = notification.context
    milestones = [
        {**row, "due_date": date.fromisoformat(row["due_date"])} for row in digest["milestones"]
    ]
    return {
        "digest": digest,
        "week_start": date.fromisoformat(digest["week_start"]),
        "week_end": date.fromisoformat(digest["week_end"]),
        "milestones": milestones,
        "url": settings.SITE_URL.rstrip("/") + reverse("campaigns:index"),
        "queue_url": settings.SITE_URL.rstrip("/") + reverse("support:queue"),
    }


register(
    EmailKind(
        name="weekly_digest",
        template="steering/emails/weekly_digest",
        subject_prefix=gettext_lazy("[Pilotage]"),
        context=_context,
        refusal_reason=_refusal_reason,
    )
)
