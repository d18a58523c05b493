"""The partner directory (`/equipe/partenaires/`): the team reads it, the pilot edits it.

Agents get a 403: a partner's contacts, notes and escalations are the team's. Reads through
`selectors/directory.py`, writes through `services/directory.py`.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accompagnement.accounts import roles
from accompagnement.partners.forms.directory import (
    PartnerFilterForm,
    PartnerForm,
    contact_formset,
)
from accompagnement.partners.selectors import directory as selectors
from accompagnement.partners.services import directory as services
from accompagnement.partners.wording import summary_of


@require_safe
@roles.role_required(selectors.can_read_partners)
def partner_list(request):
    filters = PartnerFilterForm(request.GET or None)
    criteria = filters.criteria()
    partners = selectors.partners_for_list(**criteria)
    return render(
        request,
        "partners/partner_list.html",
        {
            "filters": filters,
            "groups": selectors.grouped_by_kind(partners),
            "partner_count": len(partners),
            # National partners (or for all programmes) match any region (or programme).
            "scoped": bool(criteria["region_id"] or criteria["programme_id"]),
            "can_edit": selectors.can_edit_partners(request.user),
        },
    )


@require_safe
def partner_detail(request, code):
    partner = selectors.get_partner_for(request.user, code)
    return render(
        request,
        "partners/partner_detail.html",
        {
            "partner": partner,
            "summary": summary_of(partner),
            "open_escalations": selectors.open_escalations_of(partner),
            "answered_escalations": selectors.answered_escalations_of(partner),
            "now": timezone.now(),
            "can_edit": selectors.can_edit_partners(request.user),
        },
    )


def _form_page(request, form, contacts, partner=None):
    invalid = bool(form.errors) or (contacts.is_bound and not contacts.is_valid())
    return render(
        request,
        "partners/partner_form.html",
        {"form": form, "contacts": contacts, "partner": partner},
        status=400 if invalid else 200,
    )


def _save(request, form, contacts, partner=None):
    """The service's partner, or None with its refusal added to the form."""
    if not (form.is_valid() and contacts.is_valid()):
        return None
    kept, removed = contacts.contacts()
    try:
        if partner is None:
            return services.partner_create(
                user=request.user, contacts=kept, **form.service_arguments()
            )
        return services.partner_update(
            user=request.user,
            partner=partner,
            contacts=kept,
            removed_contact_ids=removed,
            **form.service_arguments(),
        )
    except ValidationError as error:
        form.add_service_error(error)
        return None


@require_http_methods(["GET", "POST"])
@roles.role_required(selectors.can_edit_partners)
def partner_create(request):
    if request.method == "POST":
        form, contacts = PartnerForm(request.POST), contact_formset(request.POST)
        if (partner := _save(request, form, contacts)) is not None:
            messages.success(
                request, _("Le partenaire « %(name)s » est créé.") % {"name": partner.name}
            )
            return redirect("partners:detail", partner.code)
    else:
        form, contacts = PartnerForm(), contact_formset()
    return _form_page(request, form, contacts)


@require_http_methods(["GET", "POST"])
def partner_update(request, code):
    partner = selectors.get_partner_to_edit(request.user, code)
    if request.method == "POST":
        form = PartnerForm(request.POST, partner=partner)
        contacts = contact_formset(request.POST, partner=partner)
        if (saved := _save(request, form, contacts, partner)) is not None:
            messages.success(
                request, _("Le partenaire « %(name)s » est modifié.") % {"name": saved.name}
            )
            return redirect("partners:detail", saved.code)
    else:
        form, contacts = PartnerForm(partner=partner), contact_formset(partner=partner)
    return _form_page(request, form, contacts, partner)
