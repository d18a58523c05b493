"""The form of the calendar page: which campaign to show (GET)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from accompagnement.core.forms import DsfrForm


class CalendarFilterForm(DsfrForm):
    campagne = forms.TypedChoiceField(label=_("Campagne"), coerce=int, required=False)

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campagne"].choices = [
            ("", _("Toutes les campagnes")),
            *((campaign.pk, campaign.title) for campaign in campaigns),
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Div(
                Div(Field("campagne"), css_class="fr-col-12 fr-col-md-6"),
                Div(
                    HTML(
                        '{% load i18n %}<button type="submit" class="fr-btn '
                        'fr-btn--secondary fr-mb-3w">{% translate "Afficher" %}</button>'
                    ),
                    css_class="fr-col-12 fr-col-md-6",
                ),
                css_class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom",
            )
        )

    def campaign_id(self) -> int | None:
        """The chosen campaign; a tampered value shows every campaign."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["campagne"] or None
        return None
