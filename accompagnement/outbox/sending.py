"""Sending the outbox: claim a notification, render it in French (text and HTML), send it.

`notification_send` is what the Celery task runs. It claims the row with a conditional
UPDATE (pending → sending), so a task delivered twice, or run by two workers at once,
sends the e-mail once. A transient failure (SMTP error, refused connection, timeout) puts
the row back to pending with the error and re-raises, so that the task retries with
backoff; `notifications_requeue`, run by the periodic sweep, picks up whatever was left
behind (broker down when the change was committed, retries exhausted, worker killed).

Policy: a row stays pending, and keeps being retried, until it has been waiting for
`GIVE_UP_AFTER`; then it is marked failed, with its last error. Nothing is deleted: the
pilot can put a failed row back to « À envoyer » in the admin and the sweep sends it.
Some rows fail at once, without sending anything: an internal note for someone outside
the team, a recipient without address or deactivated, an address the server refuses
for good (5xx).

While a row is `sending`, `sent_at` holds the moment it was claimed (the model has no
other column for it): the sweep uses it to find a send interrupted by a dead worker.
"""

import logging
import smtplib
from datetime import date, timedelta
from enum import StrEnum

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accompagnement.accounts import roles
from accompagnement.campaigns.models import Milestone
from accompagnement.core.markdown import render_markdown
from accompagnement.core.queueing import queue_task
from accompagnement.outbox.models import Notification, NotificationStatus
from accompagnement.support.enums import PRIORITY_SHORT_LABELS, Status

logger = logging.getLogger(__name__)

# The outbox's Celery tasks (tasks.py), queued by name (core/queueing.py).
SEND_NOTIFICATION = "accompagnement.send_notification"
SEND_NOTIFICATIONS = "accompagnement.send_notifications"
SEND_PENDING_NOTIFICATIONS = "accompagnement.send_pending_notifications"

# Each kind has emails/<kind>{_subject.txt,.txt,.html}.
# About a request (recorded by `services.requests` and `services.reminders`).
REQUEST_KINDS = frozenset(
    {
        "request_created",
        "team_reply",
        "agent_reply",
        "internal_note",
        "status_changed",
        "assigned",
        "sla_reminder",
        "waiting_nudge",
        "auto_closed",
    }
)
# A milestone reminder, for an agent of a targeted DDI (`context["milestone_id"]`).
MILESTONE_KINDS = frozenset({"milestone_reminder"})
# For the pilot only, about no request in particular (`context` holds the content).
PILOT_KINDS = frozenset({"weekly_digest"})
# About a training session (`context["intervention_id"]`; see services/interventions.py).
INTERVENTION_KINDS = frozenset(
    {
        "intervention_registered",
        "intervention_promoted",
        "intervention_reminder",
        "intervention_speaker_reminder",
        "intervention_changed",
        "intervention_cancelled",
        "intervention_feedback",
        "intervention_material",
    }
)
KINDS = REQUEST_KINDS | MILESTONE_KINDS | PILOT_KINDS | INTERVENTION_KINDS
MESSAGE_KINDS = frozenset({"team_reply", "agent_reply", "internal_note"})
# Kinds only a team member may receive, whatever the message.
TEAM_ONLY_KINDS = frozenset({"internal_note"})
# Reminders for the team member who holds the request.
ASSIGNEE_KINDS = frozenset({"sla_reminder"})

# Worth another try later: the mail server or the network is down. (SMTPException is an
# OSError; both are named for the reader.)
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)

GIVE_UP_AFTER = timedelta(days=3)
SWEEP_PENDING_AFTER = timedelta(minutes=2)
SWEEP_SENDING_AFTER = timedelta(minutes=15)
SWEEP_BATCH = 1000
# Far below SWEEP_SENDING_AFTER, so that a claimed row is never taken for a stuck one.
SMTP_TIMEOUT_SECONDS = 60


class SendOutcome(StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # not pending: sent already, or another worker has it
    REFUSED = "refused"  # marked failed without sending anything
    RELEASED = "released"  # transient failure: back to pending (the exception follows)


def request_url(reference: str) -> str:
    """The absolute address of a request's page (`/demandes/<reference>/`)."""
    return settings.SITE_URL.rstrip("/") + reverse("support:detail", args=[reference])


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


def _refusal_reason_without_request(notification: Notification) -> str:
    recipient = notification.recipient
    if not recipient.is_active:
        return _("Le destinataire est désactivé.")
    if not recipient.email:
        return _("Le destinataire n'a pas d'adresse électronique.")
    if notification.kind in MILESTONE_KINDS:
        if _milestone_of(notification) is None:
            return _("Le jalon de ce rappel n'existe plus.")
        if not roles.is_agent(recipient):
            return _("Un rappel de jalon ne s'adresse qu'à un agent de DDI.")
    if notification.kind in PILOT_KINDS and not roles.is_pilot(recipient):
        return _("Cette synthèse est réservée au pilotage.")
    if notification.kind in INTERVENTION_KINDS:
        from accompagnement.interventions.services import intervention_refusal_reason

        return intervention_refusal_reason(notification)
    return ""


def _refusal_reason(notification: Notification) -> str:
    """Why this e-mail must not be sent at all ("" when it may be)."""
    recipient, request, message = notification.recipient, notification.request, notification.message
    if notification.kind not in KINDS:
        return _("Nature de notification inconnue : « %(kind)s ».") % {"kind": notification.kind}
    if notification.kind not in REQUEST_KINDS:
        return _refusal_reason_without_request(notification)
    if request is None:
        return _("La demande de cette notification n'existe plus.")
    if notification.kind in MESSAGE_KINDS and message is None:
        return _("Le message de cette notification n'existe plus.")
    if not recipient.is_active:
        return _("Le destinataire est désactivé.")
    if not recipient.email:
        return _("Le destinataire n'a pas d'adresse électronique.")
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


def _milestone_context(notification: Notification) -> dict:
    milestone = _milestone_of(notification)
    return {
        "milestone": milestone,
        # From the day it is sent, not the day it was recorded (a late send says so).
        "days_left": (milestone.due_date - timezone.localdate()).days,
        "url": calendar_url(milestone.pk),
    }


def _digest_context(notification: Notification) -> dict:
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


def _email_without_request(notification: Notification) -> tuple[str, dict]:
    """Subject prefix and template context of the kinds about no request."""
    context = {
        "notification": notification,
        "recipient": notification.recipient,
        "site_title": settings.SITE_TITLE,
    }
    if notification.kind in MILESTONE_KINDS:
        return _("[Calendrier]"), {**context, **_milestone_context(notification)}
    if notification.kind in INTERVENTION_KINDS:
        from accompagnement.interventions.services import intervention_email_parts

        extra, attachments = intervention_email_parts(notification)
        return _("[Interventions]"), {**context, **extra, "attachments": attachments}
    return _("[Pilotage]"), {**context, **_digest_context(notification)}


def _moment(value: str | None):
    return parse_datetime(value) if value else None


def notification_email(notification: Notification) -> EmailMultiAlternatives:
    """The French e-mail of a notification, as text with an HTML alternative."""
    if notification.kind not in REQUEST_KINDS:
        prefix, context = _email_without_request(notification)
        return _email(notification, prefix, context)
    request, message = notification.request, notification.message
    context = {
        "notification": notification,
        "recipient": notification.recipient,
        "request": request,
        "message": message,
        "message_html": render_markdown(message.body) if message is not None else "",
        "url": request_url(request.reference),
        "site_title": settings.SITE_TITLE,
        "priority_label": PRIORITY_SHORT_LABELS.get(request.priority, request.priority),
        "old_status": _status_label(notification.context.get("old", "")),
        "new_status": _status_label(notification.context.get("new", "")),
        "comment": notification.context.get("comment", ""),
        "is_redirected": notification.context.get("new") == Status.REDIRECTED,
        # Reminders: which target is missed, and since when the team waits for the DDI.
        "now": timezone.now(),
        "waiting_since": _moment(notification.context.get("waiting_since")),
        "closes_on": _moment(notification.context.get("closes_on")),
    }
    return _email(notification, f"[{request.reference}]", context)


def _email(notification: Notification, prefix: str, context: dict) -> EmailMultiAlternatives:
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(
            render_to_string(f"emails/{notification.kind}_subject.txt", context).split()
        )
        text = render_to_string(f"emails/{notification.kind}.txt", context)
        html = render_to_string(f"emails/{notification.kind}.html", context)
    email = EmailMultiAlternatives(
        subject=f"{prefix} {subject}",
        body=text,
        to=[notification.recipient.email],
        headers={
            # No out-of-office replies to a mailbox nobody reads.
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
        },
    )
    email.attach_alternative(html, "text/html")
    for filename, content, mimetype in context.get("attachments", ()):
        email.attach(filename, content, mimetype)
    return email


def _finish(notification_id: int, status: str, error: str = "", **fields) -> None:
    Notification.objects.filter(pk=notification_id).update(
        status=status, last_error=error[:2000], **fields
    )


def mail_connection():
    """A connection to the mail server (opened on first use, closed by the caller)."""
    return get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or SMTP_TIMEOUT_SECONDS)


def _for_sending():
    return Notification.objects.select_related(
        "recipient", "request__ddi", "request__category", "request__assignee", "message__author"
    )


def notifications_for_sending(notification_ids: list[int]) -> dict[int, Notification]:
    """The rows of a batch with what their e-mails need, in two queries whatever its size:
    the notifications with their recipient, request and message, then the milestones of
    the reminders among them."""

    notifications = _for_sending().in_bulk(notification_ids)
    reminders = [n for n in notifications.values() if n.kind in MILESTONE_KINDS]
    milestone_ids = {n.context.get("milestone_id") for n in reminders} - {None}
    milestones = (
        Milestone.objects.select_related("campaign").in_bulk(milestone_ids) if milestone_ids else {}
    )
    for notification in reminders:
        notification._milestone = milestones.get(notification.context.get("milestone_id"))
    return notifications


def notification_send(
    *, notification_id: int, connection=None, notification: Notification | None = None
) -> SendOutcome:
    """Send one notification of the outbox, at most once.

    A batch passes its open mail `connection` (else one is opened for this e-mail) and the
    row as read by `notifications_for_sending` (else it is read here, once claimed). The
    claim is committed before the sending, the outcome after it, as for a single e-mail.

    Raises one of `TRANSIENT_ERRORS` after putting the row back to pending, so that the
    caller (the task) may retry.
    """
    claimed = Notification.objects.filter(
        pk=notification_id, status=NotificationStatus.PENDING
    ).update(status=NotificationStatus.SENDING, attempts=F("attempts") + 1, sent_at=timezone.now())
    if not claimed:
        return SendOutcome.SKIPPED
    if notification is None:
        notification = _for_sending().get(pk=notification_id)
    else:
        notification.status = NotificationStatus.SENDING
        notification.attempts += 1

    reason = _refusal_reason(notification)
    if reason:
        logger.warning("Notification %s not sent: %s", notification_id, reason)
        _finish(notification_id, NotificationStatus.FAILED, reason, sent_at=None)
        return SendOutcome.REFUSED

    try:
        email = notification_email(notification)
        if connection is None:
            email.connection = mail_connection()
        else:
            connection.open()  # once: kept open for the rest of the batch
            email.connection = connection
        email.send()
    except smtplib.SMTPRecipientsRefused as exc:
        if all(code >= 500 for code, _message in exc.recipients.values()):
            error = _("Adresse refusée par le serveur de messagerie : %(error)s") % {"error": exc}
            _finish(notification_id, NotificationStatus.FAILED, error, sent_at=None)
            return SendOutcome.REFUSED
        _release(notification, exc)
        raise
    except TRANSIENT_ERRORS as exc:
        _release(notification, exc)
        raise
    except Exception as exc:
        # A bug (template, data): retrying will not help, the pilot sees the error.
        logger.exception("Notification %s could not be rendered", notification_id)
        _finish(
            notification_id,
            NotificationStatus.FAILED,
            f"{type(exc).__name__}: {exc}",
            sent_at=None,
        )
        return SendOutcome.REFUSED

    _finish(notification_id, NotificationStatus.SENT, sent_at=timezone.now())
    return SendOutcome.SENT


def _release(notification: Notification, exc: BaseException) -> None:
    """A transient failure: back to pending for a retry, or failed when too old."""
    error = f"{type(exc).__name__}: {exc}"
    too_old = notification.created_at < timezone.now() - GIVE_UP_AFTER
    logger.warning(
        "Notification %s, attempt %s failed: %s", notification.pk, notification.attempts, error
    )
    Notification.objects.filter(pk=notification.pk, status=NotificationStatus.SENDING).update(
        status=NotificationStatus.FAILED if too_old else NotificationStatus.PENDING,
        last_error=error[:2000],
        sent_at=None,
    )


def notifications_requeue(*, now=None) -> dict[str, int]:
    """The periodic sweep: queue again what was left behind.

    Rows stuck in `sending` for `SWEEP_SENDING_AFTER` (the worker died mid-send) go back
    to pending; pending rows older than `SWEEP_PENDING_AFTER` are queued for one attempt
    each (the task's own retries are for the first delivery only), oldest first.
    """

    now = now or timezone.now()
    stuck_before = now - SWEEP_SENDING_AFTER
    unstuck = Notification.objects.filter(
        Q(sent_at__lt=stuck_before) | Q(sent_at__isnull=True, created_at__lt=stuck_before),
        status=NotificationStatus.SENDING,
    ).update(
        status=NotificationStatus.PENDING,
        sent_at=None,
        last_error=_("Envoi interrompu (worker arrêté pendant l'envoi) : remise en attente."),
    )
    pending = list(
        Notification.objects.filter(
            status=NotificationStatus.PENDING, created_at__lt=now - SWEEP_PENDING_AFTER
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    queued = 0
    for notification_id in pending:
        try:
            queue_task(SEND_NOTIFICATION, notification_id, retry=False)
        except Exception:  # broker down: the next sweep will try again
            logger.warning("Broker unavailable, %s notifications left pending", len(pending))
            break
        queued += 1
    return {"unstuck": unstuck, "pending": len(pending), "queued": queued}
