"""The member's choice of the alerts that also come by e-mail."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accompagnement.alerts.enums import AlertKind
from accompagnement.core.forms import DsfrForm


class EmailChoicesForm(DsfrForm):
    email_kinds = forms.MultipleChoiceField(
        label=_("Alertes reçues aussi par courriel"),
        choices=AlertKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Toutes les alertes restent dans vos notifications. Celles cochées vous sont "
            "aussi envoyées par courriel : les demandes urgentes aussitôt, les autres "
            "regroupées en un courriel toutes les %(minutes)s minutes."
        ),
    )

    def __init__(self, *args, digest_minutes: int, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["email_kinds"]
        field.help_text = field.help_text % {"minutes": digest_minutes}
        # The DSFR form made its bound fields already, with the text as it was.
        self["email_kinds"].help_text = field.help_text

    @classmethod
    def initial_for(cls, alerts_without_email: list[str]) -> dict:
        return {"email_kinds": [k for k in AlertKind.values if k not in alerts_without_email]}
