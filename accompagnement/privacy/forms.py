"""The pilot's search of a person, for the export of their personal data."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accompagnement.core.forms import DsfrForm


class PersonSearchForm(DsfrForm):
    email = forms.EmailField(
        label=_("Adresse électronique de la personne"),
        help_text=_("L’adresse de son compte, par exemple prenom.nom@exemple.gouv.fr"),
        max_length=254,
    )
