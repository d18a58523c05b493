"""Support requests: filing, replies, the workflow, and the helpers the team's actions
(`team_actions.py`) and the reminders (`reminders.py`) build on.

Every write checks the request's `version` (optimistic locking): a change made on a
stale page raises `ConcurrentUpdateError` instead of overwriting someone else's work.
Every change writes an `Event`; e-mails are recorded in the outbox and sent after commit.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import F, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from accompagnement.accounts import roles
from accompagnement.accounts.models import User
from accompagnement.axes.models import Category
from accompagnement.core.markdown import TEXT_MAX_LENGTH, check_text_length
from accompagnement.core.search import SEARCH_VECTOR_MAX_CHARS, searchable_prefix
from accompagnement.outbox.services import notification_record
from accompagnement.support import alerts, extensions
from accompagnement.support.chorus import normalise_reference, validate_reference
from accompagnement.support.enums import (
    OPEN_STATUSES,
    EventKind,
    Priority,
    Status,
)
from accompagnement.support.models import (
    Attachment,
    Event,
    Message,
    ReferenceCounter,
    SupportRequest,
)
from accompagnement.support.services.clock import clock_transition
from accompagnement.support.sla import (
    holiday_subdivision,
    schedule_fields,
    sla_schedule,
    working_days_elapsed,
)
from accompagnement.support.workflow import (
    Actor,
    agent_message_refused,
    can_transition,
)
from ddi.models import Programme, ServiceCentre


class ConcurrentUpdateError(Exception):
    """The request changed since the page was displayed; carries the current state."""

    def __init__(self, current: SupportRequest):
        super().__init__(current.reference)
        self.current = current


@dataclass(frozen=True)
class FileToStore:
    """An uploaded file already checked by `uploads.validate_upload`."""

    upload: UploadedFile
    content_type: str


# ---------------------------------------------------------------------------- helpers


def actor_for(user: User | None, request: SupportRequest) -> Actor:
    if user is None:
        return Actor.SYSTEM
    if roles.is_team(user):
        return Actor.TEAM
    if roles.is_agent(user) and user.ddi_id == request.ddi_id:
        return Actor.AGENT
    raise PermissionDenied


def reference_allocate(*, year: int) -> str:
    """The next `ACC-<year>-<5 digits>`, unique under concurrent submissions.

    The conditional UPDATE takes the counter row's write lock until the transaction ends,
    so two submissions can never read the same number.
    """
    ReferenceCounter.objects.get_or_create(year=year)
    ReferenceCounter.objects.filter(year=year).update(last_number=F("last_number") + 1)
    number = ReferenceCounter.objects.values_list("last_number", flat=True).get(year=year)
    return f"ACC-{year}-{number:05d}"


def event_record(
    request: SupportRequest,
    actor: User | None,
    kind: str,
    *,
    field: str = "",
    old: str = "",
    new: str = "",
    comment: str = "",
    public: bool = False,
) -> Event:
    return Event.objects.create(
        request=request,
        actor=actor,
        kind=kind,
        field=field,
        old_value=str(old)[:255],
        new_value=str(new)[:255],
        comment=comment,
        is_public=public,
    )


def ensure_not_anonymised(request: SupportRequest) -> None:
    """An anonymised request only serves the figures: nothing may change it any more."""
    if request.anonymised_at is not None:
        raise ValidationError(
            _(
                "Cette demande est anonymisée : elle ne peut plus être modifiée "
                "ni recevoir de message."
            )
        )


def request_write(request: SupportRequest, expected_version: int | None, **fields) -> None:
    """Apply `fields` only if nobody changed the request since `expected_version`.

    A new (or cleared) first response or resolution time comes with its duration in
    working days, so that the stored durations never disagree with the timestamps.
    """
    ensure_not_anonymised(request)
    version = request.version if expected_version is None else int(expected_version)
    fields.setdefault("last_activity_at", timezone.now())
    if "first_response_at" in fields:
        fields["first_response_days"] = working_days_elapsed(
            request.created_at, fields["first_response_at"]
        )
    if "resolved_at" in fields:
        fields["resolution_days"] = working_days_elapsed(request.created_at, fields["resolved_at"])
    updated = SupportRequest.objects.filter(pk=request.pk, version=version).update(
        version=F("version") + 1, **fields
    )
    if not updated:
        raise ConcurrentUpdateError(SupportRequest.objects.get(pk=request.pk))
    for name, value in fields.items():
        setattr(request, name, value)
    request.version = version + 1


def attachments_store(
    request: SupportRequest, message: Message | None, user: User, files: Iterable[FileToStore]
) -> list[Attachment]:
    stored = []
    for item in files:
        attachment = Attachment(
            request=request,
            message=message,
            uploaded_by=user,
            original_name=item.upload.name[:200],
            content_type=item.content_type,
            size=item.upload.size,
        )
        attachment.file.save(item.upload.name, item.upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def support_request_update_search(request: SupportRequest) -> None:
    """Refresh the French full-text vector (reference, title, body, every message): the
    first half of `SEARCH_VECTOR_MAX_CHARS` of the body, the other of the messages."""
    if connection.vendor != "postgresql":
        return
    half = SEARCH_VECTOR_MAX_CHARS // 2
    messages = " ".join(request.messages.values_list("body", flat=True))[:half]
    SupportRequest.objects.filter(pk=request.pk).update(
        search_vector=SearchVector("reference", weight="A", config="french")
        + SearchVector("title", weight="A", config="french")
        + SearchVector(searchable_prefix("body", half), weight="B", config="french")
        + SearchVector(Value(messages), weight="C", config="french")
    )


def public_recipients(request: SupportRequest, author: User | None) -> list[User]:
    # The team members who follow a request are told by their alerts (`alerts.py`).
    people = [request.requester, *(p for p in request.followers.all() if not p.is_team)]
    return [p for p in people if author is None or p.pk != author.pk]


def status_notify(request: SupportRequest, event: Event, author: User | None) -> None:
    notification_record(
        kind="status_changed",
        recipients=public_recipients(request, author),
        request=request,
        key=f"status:{event.pk}",
        context={"old": event.old_value, "new": event.new_value, "comment": event.comment},
    )


# ---------------------------------------------------------------------------- filing


@transaction.atomic
def support_request_create(
    *,
    requester: User,
    axis: str,
    category: Category,
    title: str,
    body: str,
    priority: str = Priority.NORMAL,
    programme: Programme | None = None,
    service_centre: ServiceCentre | None = None,
    chorus_object: str = "",
    chorus_reference: str = "",
    files: Iterable[FileToStore] = (),
    follows_up: SupportRequest | None = None,
) -> SupportRequest:
    """`follows_up`: the finished request of the DDI this one takes over (linked both ways)."""
    if not roles.is_agent(requester):
        raise PermissionDenied
    if follows_up is not None and follows_up.ddi_id != requester.ddi_id:
        raise ValidationError(_("Une demande ne peut faire suite qu'à une demande de votre DDI."))
    if category.axis != axis or not category.is_active:
        raise ValidationError({"category": _("Cette catégorie ne relève pas de l'axe choisi.")})
    ddi = requester.ddi
    served = ddi.attachments.all()
    if programme is not None and not served.filter(programme=programme).exists():
        raise ValidationError({"programme": _("Ce programme n'est pas suivi par votre DDI.")})
    if service_centre is not None and not served.filter(service_centre=service_centre).exists():
        raise ValidationError({"service_centre": _("Ce CSP ne sert pas votre DDI.")})
    chorus_reference = normalise_reference(chorus_reference)
    validate_reference(chorus_object, chorus_reference)
    check_text_length(body.strip(), limit=TEXT_MAX_LENGTH, field="body")

    now = timezone.now()
    schedule = sla_schedule(priority, now, holiday_subdivision(ddi.department.code))
    request = SupportRequest.objects.create(
        reference=reference_allocate(year=timezone.localtime(now).year),
        ddi=ddi,
        requester=requester,
        axis=axis,
        category=category,
        title=title.strip(),
        body=body.strip(),
        priority=priority,
        programme=programme,
        service_centre=service_centre,
        chorus_object=chorus_object,
        chorus_reference=chorus_reference,
        follows_up=follows_up,
        created_at=now,
        last_activity_at=now,
        **schedule_fields(schedule),
    )
    request.followers.add(requester)
    attachments_store(request, None, requester, files)
    event_record(request, requester, EventKind.CREATED, new=Status.NEW, public=True)
    if follows_up is not None:
        request.related.add(follows_up)
        event_record(
            request,
            requester,
            EventKind.LINKED,
            field="follows_up",
            new=follows_up.reference,
            public=True,
        )
        event_record(
            follows_up,
            requester,
            EventKind.LINKED,
            field="follow_ups",
            new=request.reference,
            public=True,
        )
    support_request_update_search(request)
    notification_record(
        kind="request_created",
        recipients=[requester],
        request=request,
        key=f"created:{request.pk}",
    )
    # Routing assigns (and alerts the assignee) before the triage alerts are decided. Imported
    # here: routing assigns through team_actions.py, which builds on this module.
    from accompagnement.support.services.routing import request_route

    request_route(request)
    alerts.alert_new_request(request)
    return request


# ---------------------------------------------------------------------------- messages

# The code of the `ValidationError` refusing a message on a finished request: the views
# keep the text and offer a new linked request (`views/requests.py`).
CLOSED_FOR_MESSAGES = "closed_for_messages"


def ensure_open_for_messages(request: SupportRequest, actor: Actor, now) -> None:
    """A message is never stored where nobody reads it: not on a merged request (its
    page leads to the other), nor from an agent on a request closed longer than
    `REOPEN_DELAY_DAYS`, redirected out of the team's remit (a new linked request then)."""
    if request.status == Status.MERGED:
        target = request.merged_into.reference if request.merged_into_id else ""
        raise ValidationError(
            _(
                "Cette demande a été fusionnée dans la demande %(reference)s : "
                "votre message n’a pas été envoyé, écrivez-le sur celle-ci."
            ),
            code=CLOSED_FOR_MESSAGES,
            params={"reference": target},
        )
    if actor == Actor.AGENT and agent_message_refused(request, now):
        raise ValidationError(
            _(
                "Cette demande est terminée et ne peut plus être rouverte : votre message "
                "n’a pas été envoyé. Déposez une nouvelle demande liée, qui le reprendra."
            ),
            code=CLOSED_FOR_MESSAGES,
        )


# ---------------------------------------------------------------------------- workflow


@transaction.atomic
def support_request_transition(
    *,
    request: SupportRequest,
    user: User | None,
    to_status: str,
    expected_version: int | None = None,
    comment: str = "",
    notify: bool = True,
    **extra_fields,
) -> Event:
    """The only way a status changes: checks the transition table, logs, notifies
    (unless `notify` is false: the caller's own e-mail tells the change)."""
    actor = actor_for(user, request)
    old_status = request.status
    if not can_transition(old_status, to_status, actor):
        raise ValidationError(
            _("Impossible de passer du statut « %(old)s » au statut « %(new)s »."),
            params={"old": Status(old_status).label, "new": Status(to_status).label},
        )
    now = timezone.now()
    if actor == Actor.AGENT and old_status == Status.CLOSED:
        ensure_open_for_messages(request, actor, now)
    fields = {"status": to_status, **extra_fields}
    if to_status == Status.RESOLVED:
        fields["resolved_at"] = now
    if to_status in (Status.CLOSED, Status.REDIRECTED, Status.MERGED):
        fields["closed_at"] = now
    clock_fields, clock_event = clock_transition(request, old_status, to_status, now)
    fields.update(clock_fields)
    if to_status in OPEN_STATUSES and old_status not in OPEN_STATUSES:
        fields.update(resolved_at=None, closed_at=None, reopened_count=request.reopened_count + 1)
    request_write(request, expected_version, **fields)
    event = event_record(
        request,
        user,
        EventKind.STATUS,
        field="status",
        old=old_status,
        new=to_status,
        comment=comment,
        public=True,
    )
    if clock_event:
        event_record(request, None, clock_event[0], comment=clock_event[1])
    # Other packages follow the status (support/extensions.py), in this transaction.
    extensions.status_change_hooks_run(
        request, old_status=old_status, new_status=to_status, user=user
    )
    if notify:
        status_notify(request, event, user)
    alerts.alert_status(request, event, user)
    return event
