"""Forms of the partners' support actions: an action (the team), the register's and the
coverage's filters (GET), the CSV import, and the pilot's follow-up notes."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, ButtonHolder, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.utils.html import conditional_escape
from django.utils.translation import gettext_lazy as _

from accompagnement.axes.models import Axis
from accompagnement.core.forms import (
    DateInput,
    DayField,
    DsfrForm,
    ModelMultipleChoiceField,
    ddi_kinds_field,
)
from accompagnement.core.forms import grid_col as _col
from accompagnement.core.forms import grid_row as _row
from accompagnement.partners.action_csv import MAX_FILE_BYTES
from accompagnement.partners.enums import PartnerKind, SupportActionKind, SupportActionStatus
from accompagnement.partners.models import Partner, SupportAction
from accompagnement.partners.selectors.actions import ActionFilters, action_owners
from accompagnement.partners.selectors.coverage import CORE_KINDS, CoverageFilters
from ddi.enums import DDIKind
from ddi.models import Department, Programme, Region

ENDS_BEFORE_START = _("La fin ne peut pas précéder le début.")
# The partners a follow-up note may be about, in this order.
PARTNER_GROUPS = [
    (PartnerKind.MINISTRY, _("Équipes Chorus des ministères")),
    (PartnerKind.AIFE, PartnerKind.AIFE.label),
    (PartnerKind.BUDGET, PartnerKind.BUDGET.label),
    (PartnerKind.CSP, _("Centres de services partagés")),
    (PartnerKind.ACCOUNTING, _("Comptables publics")),
    (PartnerKind.OTHER, _("Autres services de l’État")),
]


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def _filter_button(label) -> HTML:
    return HTML(
        '<button type="submit" class="fr-btn fr-btn--secondary fr-mb-3w">'
        f"{conditional_escape(label)}</button>"
    )


def _valid(form) -> dict:
    """The valid fields of a bound GET form: a tampered value is ignored, the page shows."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return {name: value for name, value in form.cleaned_data.items() if name not in form.errors}


# ---------------------------------------------------------------------------- an action


class SupportActionForm(DsfrForm):
    owner = OwnerChoiceField(label=_("Porteur"), queryset=Partner.objects.none())
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    kind = forms.ChoiceField(label=_("Nature"), choices=SupportActionKind.choices)
    axis = forms.ChoiceField(label=_("Axe"), choices=Axis.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    ddi_kinds = ddi_kinds_field(_("Types de DDI visés"))
    regions = ModelMultipleChoiceField(
        label=_("Régions visées"),
        queryset=Region.objects.none(),
        required=False,
        help_text=_("Aucune : toutes les régions."),
    )
    departments = ModelMultipleChoiceField(
        label=_("Départements visés"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("Aucun : tous les départements."),
    )
    programmes = ModelMultipleChoiceField(
        label=_("Programmes visés"),
        queryset=Programme.objects.none(),
        required=False,
        help_text=_("Aucun : toutes les DDI ; sinon celles rattachées pour l’un d’eux."),
    )
    starts_on = DayField(label=_("Début"), widget=DateInput())
    ends_on = DayField(label=_("Fin (vide : un seul jour)"), required=False, widget=DateInput())
    status = forms.ChoiceField(
        label=_("État"), choices=SupportActionStatus.choices, widget=forms.RadioSelect
    )
    external_id = forms.CharField(
        label=_("Identifiant chez le porteur"),
        max_length=100,
        required=False,
        help_text=_("Facultatif : la référence de l’action dans le fichier du partenaire."),
    )

    def __init__(self, *args, action: SupportAction | None = None, **kwargs):
        if action is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{name: getattr(action, name) for name in self.base_fields},
                "owner": action.owner_id,
                "regions": [r.pk for r in action.regions.all()],
                "departments": [d.pk for d in action.departments.all()],
                "programmes": [p.pk for p in action.programmes.all()],
            }
        kwargs.setdefault("auto_id", "id_action_%s")
        super().__init__(*args, **kwargs)
        owners = action_owners(active_only=True)
        if action is not None:
            owners = (owners | action_owners().filter(pk=action.owner_id)).distinct()
        self.fields["owner"].queryset = owners.order_by("name")
        self.fields["status"].initial = SupportActionStatus.PLANNED
        self.fields["status"].widget.inline = True  # read by the DSFR radio template
        self.fields["regions"].queryset = Region.objects.order_by("name")
        self.fields["departments"].queryset = Department.objects.order_by("code")
        self.fields["programmes"].queryset = Programme.objects.order_by("code")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(
                _("L’action"),
                _row(_col("owner", "fr-col-12 fr-col-md-6"), _col("kind", "fr-col-12 fr-col-md-6")),
                "title",
                "axis",
                "description",
            ),
            Fieldset(
                _("Quand"),
                _row(
                    _col("starts_on", "fr-col-12 fr-col-md-6"),
                    _col("ends_on", "fr-col-12 fr-col-md-6"),
                ),
                "status",
            ),
            Fieldset(
                _("DDI visées"),
                "ddi_kinds",
                _row(
                    _col("regions", "fr-col-12 fr-col-md-4"),
                    _col("departments", "fr-col-12 fr-col-md-4"),
                    _col("programmes", "fr-col-12 fr-col-md-4"),
                ),
            ),
            "external_id",
            ButtonHolder(Submit("submit", _("Enregistrer l’action"))),
        )

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", ENDS_BEFORE_START)
        return cleaned


# ---------------------------------------------------------------------------- the register


class ActionFilterForm(DsfrForm):
    """The register's filters (GET): every one is a URL parameter."""

    porteur = forms.TypedChoiceField(label=_("Porteur"), required=False, coerce=int)
    axe = forms.ChoiceField(
        label=_("Axe"), choices=[("", _("Tous les axes")), *Axis.choices], required=False
    )
    etat = forms.ChoiceField(
        label=_("État"),
        choices=[("", _("Tous les états")), *SupportActionStatus.choices],
        required=False,
    )
    type_ddi = forms.ChoiceField(
        label=_("Type de DDI atteint"),
        choices=[("", _("Tous les types")), *((k, k) for k in DDIKind.values)],
        required=False,
    )
    du = DayField(label=_("Du"), required=False, widget=DateInput())
    au = DayField(label=_("Au"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_filtre_%s")
        super().__init__(*args, **kwargs)
        self.fields["porteur"].choices = [
            ("", _("Tous les porteurs")),
            *((p.pk, p.name) for p in action_owners()),
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            _row(
                _col("porteur", "fr-col-12 fr-col-md-4"),
                _col("axe", "fr-col-12 fr-col-md-4"),
                _col("etat", "fr-col-12 fr-col-md-4"),
            ),
            Div(
                _col("type_ddi", "fr-col-12 fr-col-md-4"),
                _col("du", "fr-col-6 fr-col-md-3"),
                _col("au", "fr-col-6 fr-col-md-3"),
                Div(_filter_button(_("Filtrer")), css_class="fr-col-12 fr-col-md-2"),
                css_class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom",
            ),
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("du"), cleaned.get("au")
        if start and end and end < start:
            self.add_error("au", _("Le dernier jour doit suivre le premier."))
        return cleaned

    def filters(self) -> ActionFilters:
        valid = _valid(self)
        return ActionFilters(
            owner_id=valid.get("porteur") or None,
            axis=valid.get("axe") or "",
            status=valid.get("etat") or "",
            ddi_kind=valid.get("type_ddi") or "",
            start=valid.get("du"),
            end=valid.get("au"),
        )


# ---------------------------------------------------------------------------- import


class ActionImportForm(DsfrForm):
    """Step one: the partner's file."""

    fichier = forms.FileField(
        label=_("Fichier CSV"),
        help_text=_("UTF-8, séparateur « ; » ou « , », 1 Mo au plus."),
        widget=forms.ClearableFileInput(attrs={"class": "fr-upload", "accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_import_%s")
        super().__init__(*args, **kwargs)
        self.fields["fichier"].widget.group_class = "fr-upload-group"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "fichier", ButtonHolder(Submit("preview", _("Vérifier le fichier")))
        )

    def clean_fichier(self):
        upload = self.cleaned_data["fichier"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("Le fichier dépasse 1 Mo : découpez-le."))
        return upload


class ActionImportConfirmForm(forms.Form):
    """Step two: the same content, checked again before it is written."""

    contenu = forms.CharField(widget=forms.HiddenInput, max_length=MAX_FILE_BYTES)


# ---------------------------------------------------------------------------- coverage


class CoverageFilterForm(DsfrForm):
    """The coverage's filters (GET). Without any parameter: the core kinds of DDI."""

    axe = forms.ChoiceField(
        label=_("Axe"), choices=[("", _("Tous les axes")), *Axis.choices], required=False
    )
    region = forms.TypedChoiceField(label=_("Région"), required=False, coerce=int)
    types = forms.MultipleChoiceField(
        label=_("Types de DDI"),
        choices=[(k, k) for k in DDIKind.values],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucun coché : tous les types."),
    )
    du = DayField(label=_("Demandes du"), required=False, widget=DateInput())
    au = DayField(label=_("au"), required=False, widget=DateInput())

    def __init__(self, data=None, **kwargs):
        kwargs.setdefault("auto_id", "id_couverture_%s")
        # No filter in the URL (at most `export`): the team's core audience, as if chosen.
        if data is not None and not any(name in data for name in self.base_fields):
            data = None
        super().__init__(data, initial={"types": list(CORE_KINDS)}, **kwargs)
        self.fields["region"].choices = [
            ("", _("Toutes les régions")),
            *Region.objects.order_by("name").values_list("pk", "name"),
        ]
        self.fields["types"].widget.inline = True  # read by the DSFR checkbox template
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            _row(
                _col("axe", "fr-col-12 fr-col-md-6"),
                _col("region", "fr-col-12 fr-col-md-6"),
            ),
            Field("types"),
            Div(
                _col("du", "fr-col-6 fr-col-md-4"),
                _col("au", "fr-col-6 fr-col-md-4"),
                Div(_filter_button(_("Afficher")), css_class="fr-col-12 fr-col-md-4"),
                css_class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom",
            ),
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("du"), cleaned.get("au")
        if start and end and end < start:
            self.add_error("au", _("Le dernier jour doit suivre le premier."))
        return cleaned

    def filters(self) -> CoverageFilters:
        if not self.is_bound:
            return CoverageFilters()
        valid = _valid(self)
        return CoverageFilters(
            axis=valid.get("axe") or "",
            kinds=tuple(valid.get("types") or ()),
            region_id=valid.get("region") or None,
            start=valid.get("du"),
            end=valid.get("au"),
        )


# ---------------------------------------------------------------------------- follow-ups


class FollowUpForm(DsfrForm):
    partner = OwnerChoiceField(label=_("Partenaire"), queryset=Partner.objects.none())
    text = forms.CharField(
        label=_("Objet de la relance"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Par exemple : relancer le MEDDTL sur la formation des DDT aux restitutions."),
    )
    axis = forms.ChoiceField(
        label=_("Axe"), choices=[("", _("Aucun en particulier")), *Axis.choices], required=False
    )
    due_on = DayField(label=_("À relancer le"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_relance_%s")
        super().__init__(*args, **kwargs)
        partners = list(Partner.objects.filter(active=True).order_by("name"))
        self.fields["partner"].queryset = Partner.objects.filter(active=True)
        # Grouped by nature, the ministries' teams first (some 120 partners with the CSPs).
        self.fields["partner"].choices = [
            ("", "---------"),
            *(
                (label, [(p.pk, p.name) for p in partners if p.kind == kind])
                for kind, label in PARTNER_GROUPS
                if any(p.kind == kind for p in partners)
            ),
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "partner",
            "text",
            "axis",
            "due_on",
            ButtonHolder(Submit("submit", _("Ajouter la relance"))),
        )
