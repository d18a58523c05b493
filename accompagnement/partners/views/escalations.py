"""Escalating a request to a partner, redirecting it to one, and following the escalation
(the partner's ticket number, their answer), from the team panel of the request page.

Like the panel's own actions (support/views/team_actions.py, whose `panel_action_perform`
answers for them): POST only, for the team; without JavaScript back to the request page
with a message, with htmx the panel alone; a stale page changes nothing.
"""

from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accompagnement.accounts import roles
from accompagnement.partners import panel
from accompagnement.partners.selectors.escalations import get_escalation_for
from accompagnement.partners.services.escalations import (
    escalation_answer_record,
    escalation_create,
    escalation_reference_record,
)
from accompagnement.partners.services.redirects import request_redirect_to_partner
from accompagnement.support.selectors.requests import get_request_for
from accompagnement.support.views.team_actions import panel_action_perform


@roles.role_required(roles.is_team)
@require_POST
def escalate(request, reference):
    """To a partner of the directory: the e-mail, the partner's clock, the request paused."""
    support_request = get_request_for(request.user, reference)
    form = panel.escalate_form(support_request, request.user, data=request.POST)

    def run(form):
        data = form.cleaned_data
        escalation = escalation_create(
            request=support_request,
            user=request.user,
            partner=data["partner"],
            summary=data["summary"],
            attachments=list(data["attachments"]),
            expected_version=data["version"],
        )
        return _("Demande escaladée vers %(partner)s : le courriel part à %(mailbox)s.") % {
            "partner": escalation.partner.name,
            "mailbox": escalation.partner.mailbox,
        }

    return panel_action_perform(request, support_request, form, run)


@roles.role_required(roles.is_team)
@require_POST
def redirect_out(request, reference):
    """Outside the team's remit: closed, the DDI is given the partner's contact once."""
    support_request = get_request_for(request.user, reference)
    form = panel.redirect_form(support_request, request.user, data=request.POST)

    def run(form):
        data = form.cleaned_data
        request_redirect_to_partner(
            request=support_request,
            user=request.user,
            partner=data["partner"],
            complement=data["complement"],
            expected_version=data["version"],
        )
        return _(
            "Demande réorientée vers %(partner)s : ses coordonnées ont été données à la DDI."
        ) % {"partner": data["partner"].name}

    return panel_action_perform(request, support_request, form, run)


@roles.role_required(roles.is_team)
@require_POST
def escalation_reference(request, reference, pk):
    """The partner's own ticket number."""
    support_request = get_request_for(request.user, reference)
    escalation = get_escalation_for(request.user, support_request, pk)
    form = panel.reference_form(support_request, request.user, escalation, data=request.POST)

    def run(form):
        escalation_reference_record(
            escalation=escalation,
            user=request.user,
            reference=form.cleaned_data["partner_reference"],
            expected_version=form.cleaned_data["version"],
        )
        return _("Numéro de ticket de %(partner)s enregistré : %(reference)s.") % {
            "partner": escalation.partner.name,
            "reference": escalation.partner_reference,
        }

    return panel_action_perform(request, support_request, form, run)


@roles.role_required(roles.is_team)
@require_POST
def escalation_answer(request, reference, pk):
    """The partner's answer: an internal note, the request back in progress."""
    support_request = get_request_for(request.user, reference)
    escalation = get_escalation_for(request.user, support_request, pk)
    form = panel.answer_form(support_request, request.user, escalation, data=request.POST)

    def run(form):
        data = form.cleaned_data
        escalation_answer_record(
            escalation=escalation,
            user=request.user,
            answer=data["answer"],
            channel=data["channel"],
            answered_at=data["answered_at"],
            expected_version=data["version"],
        )
        return _("Réponse de %(partner)s enregistrée : la demande repasse « En cours ».") % {
            "partner": escalation.partner.name
        }

    return panel_action_perform(request, support_request, form, run)
