"""The partners' part of the team panel of a request page (`partners/_request_panel.html`,
registered in `extensions.py`): the escalation and redirection forms, the open
escalation with its ticket number and answer forms, and the closed ones as history.

The views (`views/escalations.py`) build their forms here too, so that a form posted
with errors comes back exactly as it was shown.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from accompagnement.partners.forms.escalations import (
    EscalateForm,
    EscalationAnswerForm,
    EscalationReferenceForm,
    RedirectForm,
)
from accompagnement.partners.models import Escalation
from accompagnement.partners.selectors.escalations import (
    PartnerLists,
    escalation_attachments,
    partner_choices,
    request_escalations,
)
from accompagnement.support.enums import Status
from accompagnement.support.models import SupportRequest
from accompagnement.support.workflow import Actor, allowed_targets


def escalate_form(
    support_request: SupportRequest, user, data=None, lists: PartnerLists | None = None
) -> EscalateForm:
    lists = lists or partner_choices(support_request)
    return EscalateForm(
        data,
        support_request=support_request,
        user=user,
        choices=lists.escalate,
        attachments=escalation_attachments(support_request),
    )


def redirect_form(
    support_request: SupportRequest, user, data=None, lists: PartnerLists | None = None
) -> RedirectForm:
    lists = lists or partner_choices(support_request)
    return RedirectForm(data, support_request=support_request, user=user, choices=lists.redirect)


def reference_form(
    support_request: SupportRequest, user, escalation: Escalation, data=None
) -> EscalationReferenceForm:
    return EscalationReferenceForm(
        data, support_request=support_request, user=user, escalation=escalation
    )


def answer_form(
    support_request: SupportRequest, user, escalation: Escalation, data=None
) -> EscalationAnswerForm:
    return EscalationAnswerForm(
        data, support_request=support_request, user=user, escalation=escalation
    )


@dataclass
class PartnersPanel:
    """What `partners/_request_panel.html` shows (None: not offered in this status)."""

    escalate_form: EscalateForm | None = None
    redirect_form: RedirectForm | None = None
    open_escalation: Escalation | None = None
    reference_form: EscalationReferenceForm | None = None
    answer_form: EscalationAnswerForm | None = None
    # Answered or withdrawn, the latest first.
    history: list[Escalation] = field(default_factory=list)
    now: datetime | None = None

    @property
    def overdue(self) -> bool:
        escalation = self.open_escalation
        return escalation is not None and self.now >= escalation.expected_at


def _bound(bound, form_class, escalation: Escalation | None = None):
    """The form posted with errors, when it is this part's form (of this escalation)."""
    if not isinstance(bound, form_class):
        return None
    if escalation is not None and bound.escalation.pk != escalation.pk:
        return None
    return bound


def partners_panel(support_request: SupportRequest, bound=None) -> PartnersPanel:
    now = timezone.now()
    escalations = request_escalations(support_request)
    open_escalation = next((e for e in escalations if e.is_open), None)
    panel = PartnersPanel(
        open_escalation=open_escalation,
        history=[e for e in escalations if not e.is_open],
        now=now,
    )
    # An anonymised request only serves the figures: no form.
    if support_request.anonymised_at is not None:
        return panel
    targets = allowed_targets(support_request.status, Actor.TEAM)
    lists = None
    if Status.ESCALATED in targets or Status.REDIRECTED in targets:
        lists = partner_choices(support_request)
    if Status.ESCALATED in targets:
        panel.escalate_form = _bound(bound, EscalateForm) or escalate_form(
            support_request, None, lists=lists
        )
    if Status.REDIRECTED in targets:
        panel.redirect_form = _bound(bound, RedirectForm) or redirect_form(
            support_request, None, lists=lists
        )
    if open_escalation is not None:
        panel.reference_form = _bound(
            bound, EscalationReferenceForm, open_escalation
        ) or reference_form(support_request, None, open_escalation)
        panel.answer_form = _bound(bound, EscalationAnswerForm, open_escalation) or answer_form(
            support_request, None, open_escalation
        )
    return panel
