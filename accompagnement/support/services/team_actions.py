"""The team's actions on a request: assign, escalate, redirect out of the team's remit,
close as a duplicate, link to another request. Each writes its event and notifies through
the helpers of `requests.py`, and checks the version the member saw.

Escalating and redirecting are started from the partners' part of the request page
(`partners/services/`): the functions here only change the request."""

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
    public_recipients,
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
    name: str,
    ministry: Ministry | None = None,
    service_centre: ServiceCentre | None = None,
    expected_version: int | None = None,
) -> Event:
    """The request handed to a partner named `name` (a ministry's Chorus team, the AIFE,
    a CSP…): escalated, the team's clock paused, one public event "Escaladée vers <name>".

    The partners package records the escalation itself (its summary, the e-mail to the
    partner, the partner's clock: `partners/services/escalations.py`); the request keeps
    the target's nature, ministry and CSP for the queue's filters and the dashboards.
    """
    target = EscalationTarget(target)
    if not name.strip():
        raise ValidationError(_("Indiquez vers qui escalader la demande."))
    support_request_transition(
        request=request,
        user=user,
        to_status=Status.ESCALATED,
        expected_version=expected_version,
        escalation_target=target,
        escalation_ministry=ministry,
        escalation_service_centre=service_centre,
    )
    return event_record(
        request, user, EventKind.ESCALATED, field="escalated_to", new=name.strip(), public=True
    )


@transaction.atomic
def support_request_redirect(
    *,
    request: SupportRequest,
    user: User,
    contact: str,
    name: str = "",
    complement: str = "",
    expected_version: int | None = None,
) -> Message:
    """Outside the team's remit: closed, and the DDI is given the right contact once.

    `contact` (who to write to, how) is said in one standard public message, e-mailed to
    the requester and the followers with the new status; the public event says whom the
    request went to (`name`, "Réorientée vers <name>"), and the page shows the message.
    `complement`: what the member adds for the DDI, in the same message.
    """
    contact, complement = contact.strip(), complement.strip()
    if not contact:
        raise ValidationError(
            {"contact": _("Indiquez l'interlocuteur vers qui réorienter la DDI.")}
        )
    old_status = request.status
    # The message's e-mail tells the new status: the transition's own is not recorded.
    support_request_transition(
        request=request,
        user=user,
        to_status=Status.REDIRECTED,
        expected_version=expected_version,
        notify=False,
        redirect_contact=contact,
    )
    event_record(
        request,
        user,
        EventKind.REDIRECTED,
        field="redirected_to",
        new=name.strip() or contact,
        public=True,
    )
    body = _(
        "Votre demande ne relève pas de l'équipe interministérielle d'accompagnement. "
        "Adressez-vous à :\n\n%(contact)s"
    ) % {"contact": contact}
    if complement:
        body += "\n\n" + complement
    message = Message.objects.create(
        request=request, author=user, kind=MessageKind.PUBLIC, body=body
    )
    notification_record(
        kind="team_reply",
        recipients=public_recipients(request, user),
        request=request,
        message=message,
        key=f"team_reply:{message.pk}",
        context={"old": old_status, "new": Status.REDIRECTED},
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
