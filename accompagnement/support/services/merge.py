"""Merging request B (the source) into request A (the target): one request, one timeline.

B's messages, files, events and followers move onto A, each moved row keeping its date
and marked as coming from B (`merged_from`); B's own description becomes a message of A
at the time B was filed. B is closed as merged (`Status.MERGED`, through the transition
table) and its page leads to A's. Both requesters are told.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accompagnement.accounts.models import User
from accompagnement.outbox.services import notification_record
from accompagnement.support.enums import OPEN_STATUSES, EventKind, MessageKind, Status
from accompagnement.support.models import Attachment, Event, Message, SupportRequest
from accompagnement.support.services.requests import (
    actor_for,
    ensure_not_anonymised,
    event_record,
    request_write,
    support_request_transition,
    support_request_update_search,
)
from accompagnement.support.workflow import Actor


def _check(source: SupportRequest, target: SupportRequest) -> None:
    if source.pk == target.pk:
        raise ValidationError({"target": _("Une demande ne peut pas être fusionnée en elle-même.")})
    if source.ddi_id != target.ddi_id:
        raise ValidationError(
            {
                "target": _(
                    "Seules deux demandes de la même DDI peuvent être fusionnées. Pour une "
                    "difficulté signalée par plusieurs DDI, regroupez plutôt les demandes "
                    "en un problème."
                )
            }
        )
    if source.status not in OPEN_STATUSES:
        raise ValidationError(
            _(
                "La demande %(reference)s est terminée (%(status)s) : "
                "elle ne peut plus être fusionnée."
            )
            % {"reference": source.reference, "status": Status(source.status).label.lower()}
        )
    if target.status == Status.MERGED:
        raise ValidationError(
            {
                "target": _(
                    "La demande %(reference)s a elle-même été fusionnée dans une autre : "
                    "indiquez celle-ci."
                )
                % {"reference": target.reference}
            }
        )
    ensure_not_anonymised(target)


def _move(model, source: SupportRequest, target: SupportRequest, **exclude) -> int:
    """Move `source`'s rows of `model` to `target`; rows that came from a third request
    by an earlier merge keep their origin."""
    rows = model.objects.filter(request=source).exclude(Q(**exclude))
    moved = rows.filter(merged_from__isnull=True).update(request=target, merged_from=source)
    return moved + rows.update(request=target)


@transaction.atomic
def support_request_merge(
    *,
    source: SupportRequest,
    target: SupportRequest,
    user: User,
    expected_version: int | None = None,
) -> Event:
    """Merge `source` (B) into `target` (A); `expected_version` is B's, as the member saw
    it. Returns the event written on A."""
    if actor_for(user, source) != Actor.TEAM:
        raise PermissionDenied
    _check(source, target)

    # B's problem (several DDIs' requests answered together) goes with its content: to A
    # if A has none; B leaves it either way, so that no answer is copied to a merged request.
    problem_id = source.problem_id
    # B first: the version check guards it, and its row stays locked until the end, so
    # no message can land on B once it is merged.
    status_event = support_request_transition(
        request=source,
        user=user,
        to_status=Status.MERGED,
        expected_version=expected_version,
        comment=_("Fusionnée dans la demande %(reference)s.") % {"reference": target.reference},
        notify=False,
        merged_into=target,
        problem=None,
    )
    takes_problem = problem_id is not None and target.problem_id is None
    request_write(target, None, **({"problem_id": problem_id} if takes_problem else {}))

    # B's description: a message of A at the time B was filed (just after its "filed"
    # event, as on B's page), with B's own files.
    filed_at = (
        source.events.filter(kind=EventKind.CREATED).values_list("created_at", flat=True).first()
    )
    description = Message.objects.create(
        request=target,
        author=source.requester,
        kind=MessageKind.PUBLIC,
        body=f"**{source.reference} — {source.title}**\n\n{source.body}",
        created_at=max(filed_at or source.created_at, source.created_at),
        merged_from=source,
    )
    Attachment.objects.filter(request=source, message__isnull=True).update(message=description)
    _move(Message, source, target)
    _move(Attachment, source, target)
    _move(Event, source, target, pk__gte=status_event.pk)

    target.followers.add(*source.followers.all())
    target.related.add(*source.related.exclude(pk=target.pk))

    event = event_record(
        target, user, EventKind.MERGED, field="merged_from", new=source.reference, public=True
    )
    event_record(
        source, user, EventKind.MERGED, field="merged_into", new=target.reference, public=True
    )
    support_request_update_search(target)
    notification_record(
        kind="request_merged",
        recipients=[target.requester, source.requester],
        request=target,
        key=f"merged:{source.pk}",
        context={"source": source.reference, "source_title": source.title[:200]},
    )
    return event
