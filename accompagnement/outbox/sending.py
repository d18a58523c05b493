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

The outbox knows no domain: each kind of e-mail is registered, with its templates, its
context and its own rules, by the package that records it (`registry.py`, `<package>/emails.py`).

While a row is `sending`, `sent_at` holds the moment it was claimed (the model has no
other column for it): the sweep uses it to find a send interrupted by a dead worker.
"""

import logging
import smtplib
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accompagnement.core.queueing import queue_task
from accompagnement.outbox import registry
from accompagnement.outbox.models import Notification, NotificationStatus

logger = logging.getLogger(__name__)

# The outbox's Celery tasks (tasks.py), queued by name (core/queueing.py).
SEND_NOTIFICATION = "accompagnement.send_notification"
SEND_NOTIFICATIONS = "accompagnement.send_notifications"
SEND_PENDING_NOTIFICATIONS = "accompagnement.send_pending_notifications"

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


def _refusal_reason(notification: Notification) -> str:
    """Why this e-mail must not be sent at all ("" when it may be)."""
    kind = registry.get(notification.kind)
    if kind is None:
        return registry.unknown_kind_message(notification.kind)
    reason = kind.gone_reason(notification)
    if reason:
        return reason
    recipient = notification.recipient
    if recipient is None:  # an outside address (a partner's mailbox)
        if not notification.to_address:
            return _("Le destinataire n'a pas d'adresse électronique.")
        return kind.refusal_reason(notification)
    if not recipient.is_active:
        return _("Le destinataire est désactivé.")
    if not recipient.email:
        return _("Le destinataire n'a pas d'adresse électronique.")
    return kind.refusal_reason(notification)


def notification_email(notification: Notification) -> EmailMultiAlternatives:
    """The French e-mail of a notification, as text with an HTML alternative."""
    kind = registry.get(notification.kind)
    if kind is None:
        raise ValueError(registry.unknown_kind_message(notification.kind))
    prefix = kind.prefix(notification)
    context = {
        "notification": notification,
        "recipient": notification.recipient,
        "site_title": settings.SITE_TITLE,
        **kind.context(notification),
    }
    if kind.attachments is not None:
        context["attachments"] = list(kind.attachments(notification))
    if kind.reply_to is not None:
        context["reply_to"] = list(kind.reply_to(notification))
    return _email(notification, kind.template, prefix, context)


def _email(
    notification: Notification, template: str, prefix: str, context: dict
) -> EmailMultiAlternatives:
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    recipient = notification.recipient
    email = EmailMultiAlternatives(
        subject=f"{prefix} {subject}",
        body=text,
        to=[recipient.email if recipient is not None else notification.to_address],
        reply_to=context.get("reply_to") or None,
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
    return Notification.objects.select_related("recipient", *registry.select_related())


def notifications_for_sending(notification_ids: list[int]) -> dict[int, Notification]:
    """The rows of a batch with what their e-mails need, in few queries whatever its size:
    the notifications with their recipient and what their kinds join (request, message),
    then one query per kind that preloads more (the milestones of the reminders)."""

    notifications = _for_sending().in_bulk(notification_ids)
    by_kind: dict[str, list[Notification]] = {}
    for notification in notifications.values():
        by_kind.setdefault(notification.kind, []).append(notification)
    for name, rows in by_kind.items():
        kind = registry.get(name)
        if kind is not None and kind.preload is not None:
            kind.preload(rows)
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
