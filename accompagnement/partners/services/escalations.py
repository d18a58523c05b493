"""Escalating a request to a partner, and following the escalation to its answer.

- `escalation_create`: the request goes to the partner (support's
  `support_request_escalate`: status, the team's clock paused, the public event "Escaladée
  vers <partner>"), the `Escalation` is recorded with the partner's own clock
  (`expected_at`: their commitment in the team's working hours), and the partner's
  mailbox gets one e-mail (`emails.py`: the summary, the ticked files, a signed Reply-To
  that brings the answer back onto the request);
- `escalation_reference_record`: the partner's ticket number (team only);
- `escalation_answer_record`: the partner's answer, once: an internal note on the
  request, the request back "en cours" (the team's clock resumes), its assignee alerted;
- `escalations_withdraw`: run by support's status change (`extensions.py`) when the request
  leaves "escalated" any other way: its open escalation is closed without an answer.

What the partner is sent, its ticket number and its answer are the team's: the DDI sees
only the public event.
"""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accompagnement.accounts.models import User
from accompagnement.core.markdown import TEXT_MAX_LENGTH, check_text_length
from accompagnement.outbox.models import Notification
from accompagnement.outbox.services import notification_record_to_address
from accompagnement.partners.alerts import alert_escalation_answered
from accompagnement.partners.enums import AnswerChannel
from accompagnement.partners.models import Escalation, Partner
from accompagnement.partners.selectors.suggestions import escalation_ministry
from accompagnement.support.enums import EventKind, Status
from accompagnement.support.models import Attachment, SupportRequest
from accompagnement.support.services.replies import support_request_reply
from accompagnement.support.services.requests import (
    actor_for,
    event_record,
    request_write,
    support_request_transition,
)
from accompagnement.support.services.team_actions import support_request_escalate
from accompagnement.support.sla import add_working_time
from accompagnement.support.workflow import Actor

# The outbox kind of the e-mail to the partner (`emails.py`).
ESCALATION_EMAIL = "escalation"
# An answer "received" a little ahead of the server's clock is a clock skew, not the future.
CLOCK_SKEW = timedelta(minutes=5)


def _ensure_team(user: User | None, request: SupportRequest) -> None:
    if user is None or actor_for(user, request) != Actor.TEAM:
        raise PermissionDenied


def _moment(value: datetime) -> str:
    return date_format(timezone.localtime(value), r"j F Y à H\hi")


# ---------------------------------------------------------------------------- escalating


@transaction.atomic
def escalation_create(
    *,
    request: SupportRequest,
    user: User,
    partner: Partner,
    summary: str,
    attachments: list[Attachment] | tuple[Attachment, ...] = (),
    expected_version: int | None = None,
) -> Escalation:
    """Send the request to `partner`, tracked to its answer (see the module's text).

    `attachments`: files of the request (the DDI's, the messages', the internal notes')
    the member ticked for the partner. A stale page (`expected_version`) changes nothing.
    """
    _ensure_team(user, request)
    if not partner.active:
        raise ValidationError(
            {"partner": _("Ce partenaire n’est plus actif : choisissez-en un autre.")}
        )
    if not partner.mailbox:
        raise ValidationError(
            {
                "partner": _(
                    "%(partner)s n’a pas de boîte fonctionnelle : le portail ne peut pas lui "
                    "écrire. Complétez l’annuaire des partenaires ou choisissez-en un autre."
                )
                % {"partner": partner.name}
            }
        )
    summary = summary.strip()
    if not summary:
        raise ValidationError({"summary": _("Dites au partenaire ce que vous lui demandez.")})
    check_text_length(summary, limit=TEXT_MAX_LENGTH, field="summary")
    attachments = list(attachments)
    if any(attachment.request_id != request.pk for attachment in attachments):
        raise ValidationError(
            {"attachments": _("Une pièce jointe cochée n’appartient pas à cette demande.")}
        )

    support_request_escalate(
        request=request,
        user=user,
        # A partner's kind is the target the request records (one list: PartnerKind).
        target=partner.kind,
        name=partner.name,
        ministry=escalation_ministry(partner, request),
        service_centre=partner.service_centre,
        expected_version=expected_version,
    )
    sent_at = timezone.now()
    # An escalation left open by an earlier state of the request is closed first.
    Escalation.objects.open().filter(request=request).update(withdrawn_at=sent_at)
    escalation = Escalation.objects.create(
        request=request,
        partner=partner,
        created_by=user,
        sent_at=sent_at,
        summary=summary,
        # The partner's clock: their commitment, counted in the team's working hours.
        expected_at=add_working_time(sent_at, partner.response_hours * 3600),
    )
    escalation.attachments.set(attachments)
    escalation_email_record(escalation)
    return escalation


def escalation_email_record(escalation: Escalation) -> Notification | None:
    """The e-mail to the partner's mailbox, recorded once per escalation (sent after
    commit); None when it was recorded already."""
    return notification_record_to_address(
        kind=ESCALATION_EMAIL,
        address=escalation.partner.mailbox,
        request=escalation.request,
        key=f"escalation:{escalation.pk}",
        context={"escalation": escalation.pk},
    )


# ---------------------------------------------------------------------------- following


@transaction.atomic
def escalation_reference_record(
    *,
    escalation: Escalation,
    user: User,
    reference: str,
    expected_version: int | None = None,
) -> Escalation:
    """The partner's own ticket number (an internal line of the timeline)."""
    request = escalation.request
    _ensure_team(user, request)
    reference = " ".join(reference.split())
    if not reference:
        raise ValidationError(
            {"partner_reference": _("Indiquez le numéro de ticket donné par le partenaire.")}
        )
    max_length = Escalation._meta.get_field("partner_reference").max_length
    if len(reference) > max_length:
        raise ValidationError(
            {
                "partner_reference": _("Le numéro de ticket tient en %(max)d caractères au plus.")
                % {"max": max_length}
            }
        )
    previous = escalation.partner_reference
    # The version seen: a stale page changes nothing.
    request_write(request, expected_version)
    escalation.partner_reference = reference
    escalation.save(update_fields=["partner_reference"])
    event_record(
        request,
        user,
        EventKind.ESCALATED,
        field="partner_reference",
        old=previous,
        new=reference,
        public=False,
    )
    return escalation


@transaction.atomic
def escalation_answer_record(
    *,
    escalation: Escalation,
    user: User,
    answer: str,
    channel: str,
    answered_at: datetime | None = None,
    expected_version: int | None = None,
) -> Escalation:
    """The partner's answer, recorded once: an internal note "Réponse de <partner> : …",
    the request back "en cours" (the team's clock resumes) and its assignee alerted.

    A second answer, or an answer to an escalation the team took back, is refused."""
    request = escalation.request
    _ensure_team(user, request)
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": _("Indiquez la réponse du partenaire.")})
    check_text_length(answer, limit=TEXT_MAX_LENGTH, field="answer")
    if channel not in AnswerChannel.values:
        raise ValidationError({"channel": _("Indiquez par quel moyen la réponse est arrivée.")})
    now = timezone.now()
    answered_at = answered_at or now
    if answered_at > now + CLOCK_SKEW:
        raise ValidationError({"answered_at": _("La date de la réponse est dans le futur.")})
    if answered_at < escalation.sent_at.replace(second=0, microsecond=0):
        raise ValidationError(
            {
                "answered_at": _(
                    "La réponse ne peut pas précéder l’envoi de l’escalade (le %(sent)s)."
                )
                % {"sent": _moment(escalation.sent_at)}
            }
        )
    # A date typed to the minute, in the minute the escalation left: not before it.
    answered_at = max(answered_at, escalation.sent_at)
    # Claimed with a conditional UPDATE: two members recording the answer at once, or the
    # inbound mail and a member, record it once.
    claimed = (
        Escalation.objects.open()
        .filter(pk=escalation.pk)
        .update(answered_at=answered_at, answered_via=channel, answer=answer, answered_by=user)
    )
    if not claimed:
        escalation.refresh_from_db()
        if escalation.answered_at is not None:
            raise ValidationError(
                _(
                    "La réponse de %(partner)s est déjà enregistrée (le %(date)s) : "
                    "elle ne peut pas l’être une seconde fois. Ajoutez une note interne "
                    "pour la compléter."
                )
                % {"partner": escalation.partner.name, "date": _moment(escalation.answered_at)}
            )
        raise ValidationError(
            _(
                "Cette escalade a été reprise par l’équipe le %(date)s : ajoutez la réponse "
                "du partenaire en note interne."
            )
            % {"date": _moment(escalation.withdrawn_at)}
        )
    escalation.refresh_from_db()

    channel_label = AnswerChannel(channel).label.lower()
    heading = _("Réponse de %(partner)s (%(channel)s, le %(date)s) :") % {
        "partner": escalation.partner.name,
        "channel": channel_label,
        "date": _moment(answered_at),
    }
    # The note e-mails the assignee the answer (unless they recorded it themself).
    support_request_reply(
        request=request,
        author=user,
        body=f"{heading}\n\n{answer}",
        internal=True,
        expected_version=expected_version,
    )
    if request.status == Status.ESCALATED:
        # Answered: no longer open, so the status change withdraws nothing.
        support_request_transition(request=request, user=user, to_status=Status.IN_PROGRESS)
    alert_escalation_answered(escalation, user)
    return escalation


# ---------------------------------------------------------------------------- withdrawing


def escalations_withdraw(
    request: SupportRequest, *, old_status: str, new_status: str, user: User | None
) -> int:
    """The request left "escalated" another way than by the partner's answer (a member
    set it in progress, resolved or closed it; the DDI closed it): its open escalation is
    closed without an answer (an internal line of the timeline). Runs inside support's
    status change (`extensions.py`). Returns how many were closed."""
    if old_status != Status.ESCALATED or new_status == Status.ESCALATED:
        return 0
    now = timezone.now()
    withdrawn = 0
    for escalation in Escalation.objects.open().filter(request=request).select_related("partner"):
        if Escalation.objects.open().filter(pk=escalation.pk).update(withdrawn_at=now):
            withdrawn += 1
            event_record(
                request,
                user,
                EventKind.ESCALATED,
                field="escalation_withdrawn",
                new=escalation.partner.name,
                public=False,
            )
    return withdrawn
