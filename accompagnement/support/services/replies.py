"""Messages on a request: a public reply or an internal note, and the reply box's "send
and set the status" (the reply then the transition, in one transaction).

An agent's reply reopens a request waiting for the DDI, resolved, or closed within the
reopening delay; the rules for a status stay in `requests.py`."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accompagnement.accounts.models import User
from accompagnement.core.markdown import TEXT_MAX_LENGTH, check_text_length
from accompagnement.outbox.services import notification_record
from accompagnement.support import alerts
from accompagnement.support.enums import (
    EventKind,
    MessageKind,
    Status,
)
from accompagnement.support.models import (
    Message,
    SupportRequest,
)
from accompagnement.support.services.canned import canned_response_record_use
from accompagnement.support.services.clock import clock_transition
from accompagnement.support.services.requests import (
    FileToStore,
    actor_for,
    attachments_store,
    ensure_open_for_messages,
    event_record,
    public_recipients,
    request_write,
    support_request_transition,
    support_request_update_search,
)
from accompagnement.support.workflow import (
    Actor,
    reply_then_targets,
)


@transaction.atomic
def support_request_reply(
    *,
    request: SupportRequest,
    author: User,
    body: str,
    files: Iterable[FileToStore] = (),
    internal: bool = False,
    expected_version: int | None = None,
    notification_key: str | None = None,
    notification_context: dict | None = None,
) -> Message:
    """A public reply or an internal note; an agent's reply reopens a waiting request.

    `notification_key` replaces the default key of the e-mails (one per message) when
    the caller has a key of its own, e.g. a problem's answer copied into many requests;
    `notification_context` goes with them (`support_request_reply_and_transition`).
    """
    actor = actor_for(author, request)
    if internal and actor != Actor.TEAM:
        raise PermissionDenied
    if not body.strip():
        raise ValidationError({"body": _("Le message est vide.")})
    check_text_length(body.strip(), limit=TEXT_MAX_LENGTH, field="body")
    now = timezone.now()
    ensure_open_for_messages(request, actor, now)
    old_status = request.status
    fields: dict = {"last_activity_at": now}
    if not internal:
        if actor == Actor.TEAM:
            if request.first_response_at is None:
                fields["first_response_at"] = now
            if old_status == Status.NEW:
                fields["status"] = Status.IN_PROGRESS
        elif old_status in (Status.WAITING_DDI, Status.RESOLVED, Status.CLOSED):
            # A closed request within the delay (past it, refused above).
            fields["status"] = Status.IN_PROGRESS
            fields["resolved_at"] = None
            if old_status != Status.WAITING_DDI:
                fields["reopened_count"] = request.reopened_count + 1
            if old_status == Status.CLOSED:
                fields["closed_at"] = None
    clock_event = None
    if fields.get("status", old_status) != old_status:
        clock_fields, clock_event = clock_transition(request, old_status, fields["status"], now)
        fields.update(clock_fields)
    request_write(request, expected_version, **fields)

    message = Message.objects.create(
        request=request,
        author=author,
        kind=MessageKind.INTERNAL if internal else MessageKind.PUBLIC,
        body=body.strip(),
        created_at=now,
    )
    attachments_store(request, message, author, files)
    event_record(
        request,
        author,
        EventKind.NOTE if internal else EventKind.REPLIED,
        public=not internal,
    )
    if request.status != old_status:
        event_record(
            request,
            author,
            EventKind.STATUS,
            field="status",
            old=old_status,
            new=request.status,
            public=True,
        )
    if clock_event:
        event_record(request, None, clock_event[0], comment=clock_event[1])
    support_request_update_search(request)

    if internal:
        recipients = [request.assignee] if request.assignee_id != author.pk else []
        kind = "internal_note"
    elif actor == Actor.TEAM:
        recipients, kind = public_recipients(request, author), "team_reply"
    else:
        recipients = alerts.agent_reply_email_recipients(request)
        kind = "agent_reply"
    notification_record(
        kind=kind,
        recipients=recipients,
        request=request,
        message=message,
        key=notification_key or f"{kind}:{message.pk}",
        context=notification_context,
    )
    alerts.alert_message(request, message, author)
    return message


# ---------------------------------------------------------------------------- the reply box


@transaction.atomic
def support_request_reply_and_transition(
    *,
    request: SupportRequest,
    author: User,
    body: str,
    to_status: str = "",
    files: Iterable[FileToStore] = (),
    internal: bool = False,
    expected_version: int | None = None,
    canned_response_id: int | None = None,
) -> Message:
    """What the reply box sends: the message and, when `to_status` is given, the next
    status ("send and set status": waiting for the DDI, resolved), in one transaction
    checked once against `expected_version` — a stale page changes nothing.

    The requester and followers get one e-mail, the reply's, which tells the new status
    (the transition's own e-mail is not recorded). `canned_response_id`: the canned
    answer the text was started from, counted once the message is saved.
    """
    if to_status:
        if internal or actor_for(author, request) != Actor.TEAM:
            raise ValidationError(
                _("Seule une réponse de l'équipe à la DDI peut changer le statut de la demande.")
            )
        # On a stale page the version check below speaks first.
        seen_current = expected_version is None or int(expected_version) == request.version
        if seen_current and to_status not in reply_then_targets(request.status):
            raise ValidationError(
                _(
                    "Impossible d'envoyer la réponse et de passer la demande au statut "
                    "« %(new)s » : elle est au statut « %(old)s »."
                ),
                params={
                    "new": Status(to_status).label if to_status in Status.values else to_status,
                    "old": Status(request.status).label,
                },
            )
    old_status = request.status
    message = support_request_reply(
        request=request,
        author=author,
        body=body,
        files=files,
        internal=internal,
        expected_version=expected_version,
        notification_context={"old": old_status, "new": to_status} if to_status else None,
    )
    if to_status and request.status != to_status:
        # Checked against the table again: a refusal undoes the reply too.
        support_request_transition(request=request, user=author, to_status=to_status, notify=False)
    if canned_response_id is not None:
        canned_response_record_use(canned_response_id=canned_response_id)
    return message
