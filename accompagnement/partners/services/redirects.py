"""Redirecting a request out of the team's remit, to a partner of the directory.

The request is closed as redirected with one standard public message that gives the DDI
the partner's contact once (name, mailbox, phone, first contact), e-mailed with the new
status; the public event says "Réorientée vers <partner>" (support's
`support_request_redirect` does the change).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accompagnement.accounts.models import User
from accompagnement.core.markdown import TEXT_MAX_LENGTH, check_text_length
from accompagnement.partners.models import Partner
from accompagnement.support.models import Message, SupportRequest
from accompagnement.support.services.requests import actor_for
from accompagnement.support.services.team_actions import support_request_redirect
from accompagnement.support.workflow import Actor


def partner_contact_text(partner: Partner) -> str:
    """The partner's contact, as the DDI reads it: one line each."""
    lines = [partner.name]
    if partner.mailbox:
        lines.append(_("Courriel : %(email)s") % {"email": partner.mailbox})
    if partner.phone:
        lines.append(_("Téléphone : %(phone)s") % {"phone": partner.phone})
    contact = partner.contacts.order_by("position", "name").first()
    if contact is not None:
        details = [part for part in (contact.email, contact.phone) if part]
        who = f"{contact.name}, {contact.role}" if contact.role else contact.name
        if details:
            who += " — " + ", ".join(details)
        lines.append(_("Premier contact : %(who)s") % {"who": who})
    return "\n".join(lines)


@transaction.atomic
def request_redirect_to_partner(
    *,
    request: SupportRequest,
    user: User,
    partner: Partner,
    complement: str = "",
    expected_version: int | None = None,
) -> Message:
    """Close the request as redirected to `partner`; `complement`: what the member adds
    for the DDI, in the same message."""
    if actor_for(user, request) != Actor.TEAM:
        raise PermissionDenied
    if not partner.active:
        raise ValidationError(
            {"partner": _("Ce partenaire n’est plus actif : choisissez-en un autre.")}
        )
    if not (partner.mailbox or partner.phone or partner.contacts.exists()):
        raise ValidationError(
            {
                "partner": _(
                    "L’annuaire ne donne ni courriel ni téléphone pour %(partner)s : "
                    "complétez-le avant d’y réorienter la DDI."
                )
                % {"partner": partner.name}
            }
        )
    complement = complement.strip()
    check_text_length(complement, limit=TEXT_MAX_LENGTH, field="complement")
    return support_request_redirect(
        request=request,
        user=user,
        contact=partner_contact_text(partner),
        name=partner.name,
        complement=complement,
        expected_version=expected_version,
    )
