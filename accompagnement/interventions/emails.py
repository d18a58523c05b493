"""The e-mails about a training session, registered with the outbox (outbox/registry.py).

Recorded by `services` (`context["intervention_id"]`, see its docstring for the keys);
templates in `templates/interventions/emails/`. Registration, promotion and change carry
the iCalendar invitation, cancellation its cancellation.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accompagnement.accounts import roles
from accompagnement.interventions.models import Intervention, Registration
from accompagnement.interventions.selectors import attending_ddis
from accompagnement.interventions.services import intervention_invitation, intervention_url
from accompagnement.outbox.models import Notification
from accompagnement.outbox.registry import EmailKind, register

INTERVENTION_KINDS = (
    "intervention_registered",
    "intervention_promoted",
    "intervention_reminder",
    "intervention_speaker_reminder",
    "intervention_changed",
    "intervention_cancelled",
    "intervention_feedback",
    "intervention_material",
)
# Kinds whose e-mail carries the invitation (REQUEST), or its cancellation.
INVITATION_KINDS = frozenset(
    {"intervention_registered", "intervention_promoted", "intervention_changed"}
)


def _intervention_of(notification: Notification) -> Intervention | None:
    if not hasattr(notification, "_intervention"):
        notification._intervention = (
            Intervention.objects.select_related("department", "region")
            .prefetch_related("articles", "speakers")
            .filter(pk=notification.context.get("intervention_id"))
            .first()
        )
    return notification._intervention


def intervention_refusal_reason(notification: Notification) -> str:
    """Why this e-mail must not be sent ("" when it may be)."""
    if _intervention_of(notification) is None:
        return _("La session de cette notification n'existe plus.")
    if notification.kind == "intervention_speaker_reminder":
        if not roles.is_team(notification.recipient):
            return _("Le rappel des intervenants ne s'adresse qu'à l'équipe.")
    elif not roles.is_agent(notification.recipient):
        return _("Cette notification ne s'adresse qu'à un agent de DDI.")
    return ""


def _registration_of(notification: Notification, intervention: Intervention):
    """The registration the e-mail is about, read once per notification."""
    if not hasattr(notification, "_registration"):
        registration_id = notification.context.get("registration_id")
        if registration_id is None:
            notification._registration = (
                intervention.registrations.active().filter(person=notification.recipient).first()
            )
        else:
            notification._registration = Registration.objects.filter(pk=registration_id).first()
    return notification._registration


def intervention_email_context(notification: Notification) -> dict:
    """The template context of an intervention e-mail."""

    intervention = _intervention_of(notification)
    registration = _registration_of(notification, intervention)
    context = {
        "intervention": intervention,
        "registration": registration,
        "url": intervention_url(intervention.pk),
        "offset_days": notification.context.get("offset_days"),
        "articles": [
            {"title": a.title, "url": settings.SITE_URL.rstrip("/") + a.get_absolute_url()}
            for a in intervention.articles.all()
        ],
        "attending_ddis": (
            attending_ddis(intervention)
            if notification.kind == "intervention_speaker_reminder"
            else []
        ),
        "feedback_url": (
            settings.SITE_URL.rstrip("/")
            + reverse("interventions:feedback", args=[registration.pk])
            if registration is not None
            else ""
        ),
    }
    if notification.kind == "intervention_feedback":
        context["url"] = context["feedback_url"]
    return context


def intervention_email_attachments(notification: Notification) -> list:
    """The invitation (or its cancellation) an intervention e-mail carries, if any."""

    intervention = _intervention_of(notification)
    registration = _registration_of(notification, intervention)
    attachments = []
    confirmed = registration is not None and registration.is_confirmed
    if notification.kind in INVITATION_KINDS and confirmed:
        invitation = intervention_invitation(intervention, notification.recipient, cancel=False)
        attachments.append(("invitation.ics", invitation, "text/calendar; method=REQUEST"))
    elif notification.kind == "intervention_cancelled":
        cancellation = intervention_invitation(intervention, notification.recipient, cancel=True)
        attachments.append(("annulation.ics", cancellation, "text/calendar; method=CANCEL"))
    return attachments


for _kind in INTERVENTION_KINDS:
    register(
        EmailKind(
            name=_kind,
            template=f"interventions/emails/{_kind}",
            subject_prefix=gettext_lazy("[Interventions]"),
            context=intervention_email_context,
            refusal_reason=intervention_refusal_reason,
            attachments=intervention_email_attachments,
        )
    )
