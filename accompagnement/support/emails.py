"""The e-mails about a request, registered with the outbox (outbox/registry.py).

Recorded by `services/requests.py`, `services/team_actions.py` and `services/reminders.py`
(problems' answers reach requests through `services/requests.py` too); each kind has
`templates/support/emails/<kind>{_subject.txt,.txt,.html}`.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accompagnement.accounts import roles
from accompagnement.core.markdown import render_markdown
from accompagnement.outbox.models import Notification
from accompagnement.outbox.registry import EmailKind, register
from accompagnement.support.enums import PRIORITY_SHORT_LABELS, Status

REQUEST_KINDS = (
    "request_created",
    "team_reply",
    "agent_reply",
    "internal_note",
    "status_changed",
    "assigned",
    "sla_reminder",
    "waiting_nudge",
    "auto_closed",
)
MESSAGE_KINDS = frozenset({"team_reply", "agent_reply", "internal_note"})
# Kinds only a team member may receive, whatever the message.
TEAM_ONLY_KINDS = frozenset({"internal_note"})
# Reminders for the team member who holds the request.
ASSIGNEE_KINDS = frozenset({"sla_reminder"})


def request_url(reference: str) -> str:
    """The absolute address of a request's page (`/demandes/<reference>/`)."""
    return settings.SITE_URL.rstrip("/") + reverse("support:detail", args=[reference])


def _gone_reason(notification: Notification) -> str:
    if notification.request is None:
        return _("La demande de cette notification n'existe plus.")
    if notification.kind in MESSAGE_KINDS and notification.message is None:
        return _("Le message de cette notification n'existe plus.")
    return ""


def _refusal_reason(notification: Notification) -> str:
    recipient, request, message = notification.recipient, notification.request, notification.message
    if notification.kind in ASSIGNEE_KINDS and not roles.is_team(recipient):
        return _("Un rappel de retard ne s'adresse qu'à un membre de l'équipe.")
    internal = notification.kind in TEAM_ONLY_KINDS or (message is not None and message.is_internal)
    if internal and not roles.is_team(recipient):
        # The first rule of the portal: an agent never reads an internal note.
        return _("Note interne adressée à une personne hors de l'équipe : rien n'a été envoyé.")
    if not roles.is_team(recipient) and not (
        roles.is_agent(recipient) and recipient.ddi_id == request.ddi_id
    ):
        return _("Le destinataire n'est ni de l'équipe ni de la DDI de la demande.")
    return ""


def _status_label(value: str) -> str:
    return Status(value).label if value in Status.values else value


def _moment(value: str | None):
    return parse_datetime(value) if value else None


def _context(notification: Notification) -> dict:
    request, message = notification.request, notification.message
    return {
        "request": request,
        "message": message,
        "message_html": render_markdown(message.body) if message is not None else "",
        "url": request_url(request.reference),
        "priority_label": PRIORITY_SHORT_LABELS.get(request.priority, request.priority),
        "old_status": _status_label(notification.context.get("old", "")),
        "new_status": _status_label(notification.context.get("new", "")),
        "comment": notification.context.get("comment", ""),
        "is_redirected": notification.context.get("new") == Status.REDIRECTED,
        # A reply sent with a status ("send and set status"): what the requester may do.
        "now_waiting": notification.context.get("new") == Status.WAITING_DDI,
        "now_resolved": notification.context.get("new") == Status.RESOLVED,
        # Reminders: which target is missed, and since when the team waits for the DDI.
        "now": timezone.now(),
        "waiting_since": _moment(notification.context.get("waiting_since")),
        "closes_on": _moment(notification.context.get("closes_on")),
    }


def _prefix(notification: Notification) -> str:
    return f"[{notification.request.reference}]"


for _kind in REQUEST_KINDS:
    register(
        EmailKind(
            name=_kind,
            template=f"support/emails/{_kind}",
            subject_prefix=_prefix,
            context=_context,
            gone_reason=_gone_reason,
            refusal_reason=_refusal_reason,
            select_related=(
                "request__ddi",
                "request__category",
                "request__assignee",
                "message__author",
            ),
        )
    )


# Corrections (`services/triage.py`) and merges (`services/merge.py`): the same rules, with
# what changed.
def _correction_context(notification: Notification) -> dict:
    return {
        **_context(notification),
        "changes": notification.context.get("changes", []),
        "source_reference": notification.context.get("source", ""),
        "source_title": notification.context.get("source_title", ""),
    }


for _kind in ("request_corrected", "request_merged"):
    register(
        EmailKind(
            name=_kind,
            template=f"support/emails/{_kind}",
            subject_prefix=_prefix,
            context=_correction_context,
            gone_reason=_gone_reason,
            refusal_reason=_refusal_reason,
            select_related=("request__ddi", "request__category", "request__assignee"),
        )
    )
