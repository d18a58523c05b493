"""The reminder a partner receives about an escalation it has not answered
(`escalation_reminder`), registered with the outbox (outbox/registry.py).

Recorded by `services/reminders.py` to the partner's functional mailbox, with the
escalation's signed Reply-To (`addresses.py`): the partner's answer comes back onto the
request. `context` holds the escalation's id, the reminder's number, its stage
(`approaching` or `overdue`) and how late the partner was when it was recorded. Nothing is
sent once the escalation is answered or withdrawn (it may happen between the recording
and the sending). Templates: `templates/partners/emails/escalation_reminder*`.
"""

from django.utils.translation import gettext as _

from accompagnement.outbox.models import Notification
from accompagnement.outbox.registry import EmailKind, register
from accompagnement.partners.emails import escalation_reply_to, request_prefix
from accompagnement.partners.models import Escalation
from accompagnement.partners.services.reminders import REMINDER_EMAIL, hours_label


def _preload(notifications: list[Notification]) -> None:
    """The escalations of a batch of reminders, with their partner, in one query."""
    ids = {notification.context.get("escalation") for notification in notifications}
    found = Escalation.objects.select_related("partner").in_bulk([pk for pk in ids if pk])
    for notification in notifications:
        notification._escalation = found.get(notification.context.get("escalation"))


def _escalation(notification: Notification) -> Escalation | None:
    if not hasattr(notification, "_escalation"):
        _preload([notification])
    return notification._escalation


def _gone_reason(notification: Notification) -> str:
    escalation = _escalation(notification)
    if notification.request is None or escalation is None:
        return _("L'escalade de cette relance n'existe plus.")
    if not escalation.is_open:
        return _("L'escalade a été close (réponse reçue ou reprise par l'équipe) avant la relance.")
    return ""


def _context(notification: Notification) -> dict:
    escalation = _escalation(notification)
    late_seconds = int(notification.context.get("late_seconds") or 0)
    return {
        "escalation": escalation,
        "partner": escalation.partner,
        "request": notification.request,
        "number": notification.context.get("number"),
        "approaching": notification.context.get("stage") == "approaching",
        "late_hours": hours_label(late_seconds) if late_seconds else "",
    }


register(
    EmailKind(
        name=REMINDER_EMAIL,
        template="partners/emails/escalation_reminder",
        subject_prefix=request_prefix,
        context=_context,
        gone_reason=_gone_reason,
        reply_to=escalation_reply_to,
        preload=_preload,
        select_related=("request__ddi",),
    )
)
