"""The pilot's export of one person's data (RGPD, right of access)."""

from django.http import FileResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accompagnement.accounts import roles
from accompagnement.privacy import selectors
from accompagnement.privacy.forms import PersonSearchForm


@roles.role_required(roles.is_pilot)
@require_GET
def personal_data_export(request):
    form = PersonSearchForm(request.GET or None)
    person = data = None
    if form.is_valid():
        person = selectors.person_by_email(form.cleaned_data["email"])
        if person is not None:
            data = selectors.personal_data_of(person)
            if request.GET.get("telecharger"):
                return _archive_download(person, data)
    return render(
        request,
        "privacy/export.html",
        {
            "form": form,
            "searched": form.is_valid(),
            "person": person,
            "counts": _counts(data) if data else None,
        },
    )


SECTION_LABELS = {
    "demandes_deposees": _("Demandes déposées"),
    "demandes_suivies": _("Demandes suivies"),
    "messages_ecrits": _("Messages et notes écrits"),
    "pieces_jointes_deposees": _("Pièces jointes déposées"),
    "jalons_marques_faits": _("Jalons marqués faits"),
    "inscriptions": _("Inscriptions aux interventions"),
    "tentatives_de_connexion_proconnect": _("Tentatives de connexion avec ProConnect"),
}


def _counts(data: dict) -> list[tuple[str, int]]:
    return [(label, len(data[key])) for key, label in SECTION_LABELS.items()]


def _archive_download(person, data) -> FileResponse:
    name, archive = selectors.personal_data_archive(person, data)
    return FileResponse(archive, as_attachment=True, filename=name, content_type="application/zip")
