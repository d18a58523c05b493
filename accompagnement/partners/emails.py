"""The e-mail a partner receives when the team escalates a request to it (`escalation`),
registered with the outbox (outbox/registry.py).

Recorded once per escalation by `services/escalations.py`, to the partner's functional
mailbox. It says what the team asks (the member's summary) and what the DDI wrote (the
request's public description, its DDI, programme, CSP and Chorus object), carries the
files the member ticked (`ATTACHMENTS_MAX_BYTES` in all: the others are named, not
attached), and its `Reply-To` is the escalation's signed address (`addresses.py`): the
partner's answer comes back onto the request. Nothing is sent once the escalation is
closed (the team took the request back before the e-mail left).
Templates: `templates/partners/emails/escalation*`.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from accompagnement.outbox.models import Notification
from accompagnement.outbox.registry import Attachment as EmailAttachment
from accompagnement.outbox.registry import EmailKind, register
from accompagnement.partners.addresses import escalation_reply_address
from accompagnement.partners.models import Escalation
from accompagnement.partners.services.escalations import ESCALATION_EMAIL
from accompagnement.support.uploads import MAX_UPLOAD_SIZE

# What one e-mail carries at most (mail servers refuse larger messages): one upload's cap.
ATTACHMENTS_MAX_BYTES = MAX_UPLOAD_SIZE


@dataclass(frozen=True)
class EmailFile:
    """A ticked file, as the e-mail lists it: attached, or named only."""

    name: str
    size: int
    attached: bool


def _preload(notifications: list[Notification]) -> None:
    """The escalations of a batch, with what their e-mails read, in a few queries."""
    ids = {notification.context.get("escalation") for notification in notifications}
    found = (
        Escalation.objects.select_related(
            "partner",
            "created_by",
            "request__ddi__department",
            "request__programme",
            "request__service_centre",
        )
        .prefetch_related("attachments")
        .in_bulk([pk for pk in ids if pk])
    )
    for notification in notifications:
        notification._escalation = found.get(notification.context.get("escalation"))


def _escalation(notification: Notification) -> Escalation | None:
    if not hasattr(notification, "_escalation"):
        _preload([notification])
    return notification._escalation


def _gone_reason(notification: Notification) -> str:
    escalation = _escalation(notification)
    if notification.request is None or escalation is None:
        return _("L'escalade de ce courriel n'existe plus.")
    if not escalation.is_open:
        return _("L'escalade a été close avant l'envoi du courriel : rien n'a été envoyé.")
    return ""


def _files(escalation: Escalation) -> tuple[list[EmailFile], list[EmailAttachment]]:
    """The ticked files in the order they were filed, attached while the e-mail stays
    under `ATTACHMENTS_MAX_BYTES`; a missing file is named only."""
    listed, attached, total = [], [], 0
    for item in sorted(escalation.attachments.all(), key=lambda a: (a.created_at, a.pk)):
        content = None
        if total + item.size <= ATTACHMENTS_MAX_BYTES:
            try:
                with item.file.open("rb") as handle:
                    content = handle.read(ATTACHMENTS_MAX_BYTES - total + 1)
            except (FileNotFoundError, ValueError):
                content = None
            if content is not None and total + len(content) > ATTACHMENTS_MAX_BYTES:
                content = None
        if content is not None:
            total += len(content)
            attached.append((item.original_name, content, item.content_type))
        listed.append(EmailFile(item.original_name, item.size, content is not None))
    return listed, attached


def _cached_files(notification: Notification):
    if not hasattr(notification, "_files"):
        notification._files = _files(_escalation(notification))
    return notification._files


def _context(notification: Notification) -> dict:
    escalation = _escalation(notification)
    listed, _attached = _cached_files(notification)
    return {
        "escalation": escalation,
        "partner": escalation.partner,
        "request": escalation.request,
        "member": escalation.created_by,
        "files": listed,
        "files_left_out": [file for file in listed if not file.attached],
        "reply_address": escalation_reply_address(escalation.pk),
    }


def _attachments(notification: Notification) -> list[EmailAttachment]:
    return _cached_files(notification)[1]


def escalation_reply_to(notification: Notification) -> list[str]:
    """The signed address that brings the partner's answer back (escalation and reminders)."""
    return [escalation_reply_address(notification.context["escalation"])]


def request_prefix(notification: Notification) -> str:
    return f"[{notification.request.reference}]"


register(
    EmailKind(
        name=ESCALATION_EMAIL,
        template="partners/emails/escalation",
        subject_prefix=request_prefix,
        context=_context,
        gone_reason=_gone_reason,
        attachments=_attachments,
        reply_to=escalation_reply_to,
        preload=_preload,
        select_related=("request__ddi",),
    )
)
