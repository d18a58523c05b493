"""Reads of the partners' part of a request page: the partner lists of the escalation and
redirection forms (suggestions first), the files a member may send, the request's
escalations, and the access helper of one escalation.

Only the team reads any of this: an agent never sees a partner's mailbox, ticket
number or answer, nor what was sent to it.
"""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _

from accompagnement.accounts import roles
from accompagnement.partners.enums import PartnerKind
from accompagnement.partners.models import Escalation, Partner
from accompagnement.partners.selectors.suggestions import Suggestion, ranked_partners
from accompagnement.support.models import Attachment, SupportRequest

SUGGESTIONS = 3


@dataclass(frozen=True)
class PartnerChoices:
    """The options of a partner `<select>`: the suggestions (with their reasons), then
    every partner by kind; `first`: the suggestion preselected."""

    options: list[tuple]
    first: int | None
    suggestions: list[Suggestion]

    @property
    def help_text(self) -> str:
        """The suggestions and their reasons, in full (a `<select>` cuts long options)."""
        if not self.suggestions:
            return _(
                "Aucun partenaire de l’annuaire ne correspond au programme, au CSP, à l’objet "
                "Chorus ni à la région de la demande : choisissez dans la liste."
            )
        named = " ; ".join(f"{s.partner.name} ({', '.join(s.reasons)})" for s in self.suggestions)
        return _("Suggérés d’après la demande : %(partners)s.") % {"partners": named}


def _choices(partners: list[Partner], suggestions: list[Suggestion]) -> PartnerChoices:
    options: list[tuple] = []
    if suggestions:
        options.append((_("Suggérés"), [(s.partner.pk, s.label) for s in suggestions]))
    for kind in PartnerKind:
        group = [(p.pk, p.name) for p in partners if p.kind == kind]
        if group:
            options.append((kind.label, group))
    first = suggestions[0].partner.pk if suggestions else None
    return PartnerChoices(options=options, first=first, suggestions=suggestions)


@dataclass(frozen=True)
class PartnerLists:
    escalate: PartnerChoices  # partners with a mailbox (the portal writes to them)
    redirect: PartnerChoices  # every active partner


def partner_choices(support_request: SupportRequest) -> PartnerLists:
    """The partner lists of the two forms, in a handful of queries."""
    partners = list(Partner.objects.filter(active=True).order_by("name"))
    ranked = ranked_partners(support_request, partners)
    writable = [p for p in partners if p.mailbox]
    return PartnerLists(
        escalate=_choices(writable, [s for s in ranked if s.partner.mailbox][:SUGGESTIONS]),
        redirect=_choices(partners, ranked[:SUGGESTIONS]),
    )


def escalation_attachments(support_request: SupportRequest) -> list[Attachment]:
    """Every file of the request a member may send a partner: the DDI's, the messages',
    the internal notes'."""
    return list(
        Attachment.objects.filter(request_id=support_request.pk)
        .select_related("message")
        .order_by("created_at", "pk")
    )


def request_escalations(support_request: SupportRequest) -> list[Escalation]:
    """The request's escalations, the latest first, with what the panel shows."""
    return list(
        Escalation.objects.filter(request_id=support_request.pk)
        .select_related("partner", "created_by", "answered_by")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "pk"))
        )
        .order_by("-sent_at", "-pk")
    )


def get_escalation_for(user, support_request: SupportRequest, pk: int) -> Escalation:
    """An escalation of `support_request`, for the team; 404 otherwise (another request's
    escalation included)."""
    if not roles.is_team(user):
        raise Http404
    escalation = (
        Escalation.objects.filter(pk=pk, request_id=support_request.pk)
        .select_related("partner")
        .first()
    )
    if escalation is None:
        raise Http404
    escalation.request = support_request
    return escalation
