"""The team's actions on a request: assign, escalate, redirect out of the team's remit,
close as a duplicate, link to another request. Each writes its event and notifies through
the helpers of `requests.py`, and checks the version the member saw."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accompagnement.accounts import roles
from accompagnement.accounts.models import User
from accompagnement.outbox.services import notification_record
from accompagnement.support import alerts
from accompagnement.support.enums import (
    EscalationTarget,
    EventKind,
    MessageKind,
    Status,
)
from accompagnement.support.models import (
    Event,
    Message,
    SupportRequest,
)
from accompagnement.support.services.requests import (
    actor_for,
    ensure_not_anonymised,
    event_record,
    request_write,
    support_request_transition,
)
from accompagnement.support.workflow import Actor
from ddi.models import Ministry, ServiceCentre


@transaction.atomic
def support_request_assign(
    *,
    request: SupportRequest,
    user: User | None,
    assignee: User | None,
    expected_version: int | None = None,
    comment: str = "",
) -> Event:
    """Give the request to `assignee` (None: to nobody); `user` None is the routing.

    Any assignment settles a pending routing proposal. The routing's own assignments
    are recorded for the team only: their reason names rules, time shares and loads.
    """
    if actor_for(user, request) not in (Actor.TEAM, Actor.SYSTEM):
        raise PermissionDenied
    if assignee is not None and not (roles.is_team(assignee)):
        raise ValidationError({"assignee": _("Seul un membre de l'équipe peut être désigné.")})
    old = request.assignee
    request_write(request, expected_version, assignee=assignee, proposed_assignee=None)
    event = event_record(
        request,
        user,
        EventKind.ASSIGNED,
        field="assignee",
        old=old.get_full_name() if old else "",
        new=assignee.get_full_name() if assignee else "",
        comment=comment,
        public=user is not None,
    )
    if assignee is not None and (user is None or assignee.pk != user.pk):
        notification_record(
            kind="assigned",
            recipients=alerts.assigned_email_recipients(assignee),
            request=request,
            key=f"assigned:{event.pk}",
        )
    alerts.alert_assigned(request, assignee, user)
    return event


@transaction.atomic
def support_request_escalate(
    *,
    request: SupportRequest,
    user: User,
    target: str,
    ministry: Ministry | None = None,
    service_centre: ServiceCentre | None = None,
    comment: str = "",
    expected_version: int | None = None,
) -> Event:
    if target == EscalationTarget.MINISTRY and ministry is None:
        raise ValidationError({"ministry": _("Indiquez le ministère.")})
    if target == EscalationTarget.CSP and service_centre is None:
        raise ValidationError({"service_centre": _("Indiquez le CSP.")})
    labels = {
        EscalationTarget.MINISTRY: _("l'équipe Chorus du ministère %(name)s"),
        EscalationTarget.AIFE: _("l'AIFE"),
        EscalationTarget.BUDGET: _("la direction du Budget"),
        EscalationTarget.CSP: _("le CSP %(name)s"),
    }
    name = ministry.code if ministry else (service_centre.name if service_centre else "")
    support_request_transition(
        request=request,
        user=user,
        to_status=Status.ESCALATED,
        expected_version=expected_version,
        comment=comment,
        escalation_target=target,
        escalation_ministry=ministry if target == EscalationTarget.MINISTRY else None,
        escalation_service_centre=service_centre if target == EscalationTarget.CSP else None,
    )
    return event_record(
        request,
        user,
        EventKind.ESCALATED,
        field="escalation_target",
        new=labels[EscalationTarget(target)] % {"name": name},
        comment=comment,
        public=True,
    )


@transaction.atomic
def support_request_redirect(
    *, request: SupportRequest, user: User, contact: str, expected_version: int | None = None
) -> Message:
    """Outside the team's remit: closed, with the right ministerial contact for the DDI."""
    if not contact.strip():
        raise ValidationError(
            {"contact": _("Indiquez l'interlocuteur vers qui réorienter la DDI.")}
        )
    support_request_transition(
        request=request,
        user=user,
        to_status=Status.REDIRECTED,
        expected_version=expected_version,
        redirect_contact=contact.strip(),
    )
    event_record(request, user, EventKind.REDIRECTED, new=contact.strip()[:255], public=True)
    body = _(
        "Votre demande ne relève pas de l'équipe interministérielle d'accompagnement. "
        "Adressez-vous à :\n\n%(contact)s"
    ) % {"contact": contact.strip()}
    message = Message.objects.create(
        request=request, author=user, kind=MessageKind.PUBLIC, body=body
    )
    return message


@transaction.atomic
def support_request_mark_duplicate(
    *,
    request: SupportRequest,
    user: User,
    original: SupportRequest,
    expected_version: int | None = None,
) -> Event:
    if original.pk == request.pk:
        raise ValidationError({"original": _("Une demande ne peut pas être son propre doublon.")})
    if original.ddi_id != request.ddi_id:
        raise ValidationError(
            {
                "original": _(
                    "Le doublon doit être une demande de la même DDI ; "
                    "pour plusieurs DDI, regroupez les demandes en un problème."
                )
            }
        )
    support_request_transition(
        request=request,
        user=user,
        to_status=Status.CLOSED,
        expected_version=expected_version,
        comment=_("Doublon de la demande %(reference)s.") % {"reference": original.reference},
        duplicate_of=original,
    )
    return event_record(
        request,
        user,
        EventKind.DUPLICATE,
        field="duplicate_of",
        new=original.reference,
        public=True,
    )


@transaction.atomic
def support_request_link(*, request: SupportRequest, user: User, other: SupportRequest) -> Event:
    if actor_for(user, request) != Actor.TEAM:
        raise PermissionDenied
    if other.pk == request.pk:
        raise ValidationError({"other": _("Choisissez une autre demande.")})
    ensure_not_anonymised(request)
    request.related.add(other)
    SupportRequest.objects.filter(pk=request.pk).update(last_activity_at=timezone.now())
    return event_record(request, user, EventKind.LINKED, field="related", new=other.reference)
