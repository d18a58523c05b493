"""Forms of the pilot's routing page: a routing rule, and the automatic assignment switch.
The rules themselves (a category of the chosen axis, team members only) are the service's
(`services/routing.py`)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from accompagnement.axes.models import Axis, Category
from accompagnement.core.forms import DsfrForm, ModelMultipleChoiceField
from accompagnement.core.forms import grid_col as _col
from accompagnement.core.forms import grid_row as _row
from accompagnement.support.selectors import queue as queue_selectors
from ddi.enums import DDIKind
from ddi.models import Programme

CHECKBOX_TEMPLATE = "core/fields/checkbox_spaced.html"
RADIO_TEMPLATE = "core/fields/radio_compact.html"
ANY = ("", _("Tous"))
ANY_FEMININE = ("", _("Toutes"))


class RoutingRuleForm(DsfrForm):
    name = forms.CharField(label=_("Nom de la règle"), max_length=120)
    position = forms.IntegerField(
        label=_("Ordre"),
        min_value=0,
        max_value=32767,
        initial=100,
    )
    is_active = forms.BooleanField(label=_("Règle active"), required=False, initial=True)
    axis = forms.ChoiceField(label=_("Axe"), required=False, choices=[ANY, *Axis.choices])
    category = forms.ModelChoiceField(
        label=_("Catégorie"),
        queryset=Category.objects.all(),
        required=False,
        error_messages={"invalid_choice": _("Choisissez une catégorie de la liste.")},
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.all(),
        required=False,
        error_messages={"invalid_choice": _("Choisissez un programme de la liste.")},
    )
    ddi_kind = forms.ChoiceField(
        label=_("Type de DDI"), required=False, choices=[ANY, *DDIKind.choices]
    )
    members = ModelMultipleChoiceField(
        label=_("Membres qui reçoivent les demandes"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Parmi eux, la demande va au membre présent le moins chargé au regard de sa quotité."
        ),
        error_messages={"required": _("Choisissez au moins un membre de l’équipe.")},
    )

    def __init__(self, *args, members, **kwargs):
        kwargs.setdefault("auto_id", "id_rule_%s")
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members
        self.fields["members"].label_from_instance = queue_selectors.member_label
        # The cached lists; the querysets still check the choice.
        choices = queue_selectors.reference_choices("categories", "programmes")
        self.fields["category"].choices = [ANY_FEMININE, *choices["categories"]]
        self.fields["programme"].choices = [ANY, *choices["programmes"]]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> holds the token
        self.helper.layout = Layout(
            _row(
                _col("name", "fr-col-12 fr-col-md-8"),
                _col("position", "fr-col-12 fr-col-md-4"),
            ),
            Div(Field("is_active", template=CHECKBOX_TEMPLATE), css_class="fr-mb-2w"),
            _row(
                _col("axis", "fr-col-12 fr-col-md-6"),
                _col("category", "fr-col-12 fr-col-md-6"),
                _col("programme", "fr-col-12 fr-col-md-6"),
                _col("ddi_kind", "fr-col-12 fr-col-md-6"),
            ),
            Div("members", css_class="fr-mt-3w"),
        )


class AutoAssignForm(DsfrForm):
    ON, OFF = "on", "off"

    auto_assign = forms.ChoiceField(
        label=_("Attribution des nouvelles demandes"),
        choices=[
            (ON, _("Automatique : la demande est attribuée au membre choisi par les règles")),
            (OFF, _("Proposée : les règles proposent un membre, un membre de l’équipe confirme")),
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_settings_%s")
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(Field("auto_assign", template=RADIO_TEMPLATE))
