"""Forms of the partner directory: the list's filters (GET), a partner, and its contacts as
a formset. The rules (departments inside the regions, known objects) are the service's
(`services/directory.py`)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from accompagnement.core.forms import DsfrForm, ModelMultipleChoiceField
from accompagnement.core.forms import grid_col as _col
from accompagnement.core.forms import grid_row as _row
from accompagnement.partners.enums import PartnerKind
from accompagnement.partners.loaders import MAX_REMINDERS, MAX_RESPONSE_HOURS
from accompagnement.partners.models import Partner, PartnerContact
from accompagnement.partners.services.directory import ContactData
from accompagnement.support.enums import ChorusObject
from accompagnement.support.forms.requests import PK_MAX
from ddi.models import Department, Ministry, Programme, Region

CHECKBOXES_TEMPLATE = "core/fields/checkboxes.html"
CHECKBOX_TEMPLATE = "core/fields/checkbox.html"
SPACED_CHECKBOX_TEMPLATE = "core/fields/checkbox_spaced.html"
SEARCH_MAX_LENGTH = 100
_SCOPE_CHORUS_OBJECTS = [(v, label) for v, label in ChorusObject.choices if v != ChorusObject.OTHER]


def _field_max(model, name: str) -> int:
    return model._meta.get_field(name).max_length


class PartnerFilterForm(DsfrForm):
    """The list's filters, in the URL: nature, region, programme, name."""

    q = forms.CharField(label=_("Nom"), required=False, max_length=SEARCH_MAX_LENGTH)
    nature = forms.ChoiceField(
        label=_("Nature"), required=False, choices=[("", _("Toutes")), *PartnerKind.choices]
    )
    region = forms.ModelChoiceField(
        label=_("Région"),
        queryset=Region.objects.order_by("name"),
        required=False,
        empty_label=_("Toutes"),
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.order_by("code"),
        required=False,
        empty_label=_("Tous"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_filtre_%s")
        super().__init__(*args, **kwargs)
        self.fields["programme"].label_from_instance = lambda p: f"{p.code} — {p.label}"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Div(
                Div(Field("q"), css_class="fr-col-12 fr-col-md-3"),
                Div(Field("nature"), css_class="fr-col-12 fr-col-md-3"),
                Div(Field("region"), css_class="fr-col-12 fr-col-md-2"),
                Div(Field("programme"), css_class="fr-col-12 fr-col-md-2"),
                Div(
                    HTML(
                        '{% load i18n %}<button type="submit" class="fr-btn '
                        'fr-btn--secondary fr-mb-3w">{% translate "Filtrer" %}</button>'
                    ),
                    css_class="fr-col-12 fr-col-md-2",
                ),
                css_class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom",
            ),
        )

    def criteria(self) -> dict:
        """Valid filters only: a tampered value is ignored, the list still shows."""
        data = {}
        if self.is_bound:
            self.is_valid()  # fills cleaned_data with the valid fields only
            data = self.cleaned_data
        region, programme = data.get("region"), data.get("programme")
        return {
            "kind": data.get("nature") or "",
            "region_id": region.pk if region else None,
            "programme_id": programme.pk if programme else None,
            "search": (data.get("q") or "").strip(),
        }


class PartnerForm(DsfrForm):
    name = forms.CharField(label=_("Nom"), max_length=_field_max(Partner, "name"))
    kind = forms.ChoiceField(label=_("Nature"), choices=PartnerKind.choices)
    active = forms.BooleanField(
        label=_("Partenaire actif"),
        required=False,
        initial=True,
        help_text=_("Un partenaire inactif n'est plus proposé pour les escalades."),
    )
    ministries = ModelMultipleChoiceField(
        label=_("Ministères"),
        queryset=Ministry.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Deux pour un centre commun (CPCM agriculture et écologie)."),
    )
    programmes = ModelMultipleChoiceField(
        label=_("Programmes"),
        queryset=Programme.objects.none(),
        required=False,
        help_text=_("Aucun : tous les programmes. Ctrl (ou Cmd) + clic pour en choisir plusieurs."),
    )
    chorus_objects = forms.MultipleChoiceField(
        label=_("Objets Chorus"),
        choices=_SCOPE_CHORUS_OBJECTS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucun coché : tous les objets."),
    )
    regions = ModelMultipleChoiceField(
        label=_("Régions"),
        queryset=Region.objects.none(),
        required=False,
        help_text=_("Aucune : compétence nationale. Ctrl (ou Cmd) + clic pour plusieurs."),
    )
    departments = ModelMultipleChoiceField(
        label=_("Départements"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("Aucun : tous ceux de ses régions. Ctrl (ou Cmd) + clic pour plusieurs."),
    )
    mailbox = forms.EmailField(
        label=_("Boîte fonctionnelle"),
        required=False,
        help_text=_("Les escalades partent vers cette adresse."),
    )
    phone = forms.CharField(
        label=_("Téléphone"), required=False, max_length=_field_max(Partner, "phone")
    )
    website = forms.URLField(
        label=_("Site ou intranet"),
        required=False,
        assume_scheme="https",
        max_length=_field_max(Partner, "website"),
    )
    response_hours = forms.IntegerField(
        label=_("Délai de réponse promis (heures ouvrées)"),
        min_value=1,
        max_value=MAX_RESPONSE_HOURS,
        help_text=_("9 heures ouvrées font un jour ouvré : 18 pour 2 jours."),
    )
    reminder_max = forms.IntegerField(
        label=_("Relances au plus par escalade"), min_value=0, max_value=MAX_REMINDERS
    )
    notes = forms.CharField(
        label=_("Notes de l'équipe"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ce qu'il faut savoir pour les solliciter (horaires, circuit, outil)."),
    )

    SCALARS = (
        "name",
        "kind",
        "active",
        "chorus_objects",
        "mailbox",
        "phone",
        "website",
        "response_hours",
        "reminder_max",
        "notes",
    )
    SCOPE = ("ministries", "programmes", "regions", "departments")

    def __init__(self, *args, partner: Partner | None = None, **kwargs):
        if partner is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{name: getattr(partner, name) for name in self.SCALARS},
                **{name: [o.pk for o in getattr(partner, name).all()] for name in self.SCOPE},
            }
        kwargs.setdefault("auto_id", "id_partenaire_%s")
        super().__init__(*args, **kwargs)
        self.fields["ministries"].queryset = Ministry.objects.order_by("code")
        self.fields["ministries"].label_from_instance = lambda m: f"{m.code} — {m.name}"
        self.fields["programmes"].queryset = Programme.objects.order_by("code")
        self.fields["programmes"].label_from_instance = lambda p: f"{p.code} — {p.label}"
        self.fields["regions"].queryset = Region.objects.order_by("name")
        self.fields["departments"].queryset = Department.objects.select_related("region").order_by(
            "code"
        )
        self.fields["departments"].label_from_instance = lambda d: f"{d.code} — {d.name}"
        for name in ("programmes", "regions", "departments"):
            self.fields[name].widget.attrs["size"] = 8
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> holds the token
        self.helper.layout = Layout(
            Fieldset(
                _("Le partenaire"),
                _row(_col("name", "fr-col-12 fr-col-md-8"), _col("kind", "fr-col-12 fr-col-md-4")),
                Field("active", template=SPACED_CHECKBOX_TEMPLATE),
            ),
            Fieldset(
                _("Périmètre"),
                Field("ministries", template=CHECKBOXES_TEMPLATE),
                Field("chorus_objects", template=CHECKBOXES_TEMPLATE),
                _row(
                    _col("programmes", "fr-col-12 fr-col-md-4"),
                    _col("regions", "fr-col-12 fr-col-md-4"),
                    _col("departments", "fr-col-12 fr-col-md-4"),
                ),
            ),
            Fieldset(
                _("Joindre le partenaire"),
                _row(
                    _col("mailbox", "fr-col-12 fr-col-md-6"),
                    _col("phone", "fr-col-12 fr-col-md-6"),
                    _col("website", "fr-col-12"),
                ),
            ),
            Fieldset(
                _("Engagement"),
                _row(
                    _col("response_hours", "fr-col-12 fr-col-md-6"),
                    _col("reminder_max", "fr-col-12 fr-col-md-6"),
                    _col("notes", "fr-col-12"),
                ),
            ),
        )

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            **{name: data[name] for name in self.SCALARS},
            "chorus_objects": list(data["chorus_objects"]),
            **{name: list(data[name]) for name in self.SCOPE},
        }

    def add_service_error(self, error) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            self.add_error(field if field in self.fields else None, errors)


class ContactForm(DsfrForm):
    id = forms.IntegerField(required=False, min_value=1, max_value=PK_MAX, widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Nom"), required=False, max_length=_field_max(PartnerContact, "name")
    )
    role = forms.CharField(
        label=_("Fonction"), required=False, max_length=_field_max(PartnerContact, "role")
    )
    email = forms.EmailField(label=_("Courriel"), required=False)
    phone = forms.CharField(
        label=_("Téléphone"), required=False, max_length=_field_max(PartnerContact, "phone")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "id",
            _row(
                _col("name", "fr-col-12 fr-col-md-3"),
                _col("role", "fr-col-12 fr-col-md-4"),
                _col("email", "fr-col-12 fr-col-md-3"),
                _col("phone", "fr-col-12 fr-col-md-2"),
            ),
        )
        # Only a saved contact can be removed (`can_delete_extra` is off).
        if self.initial.get("id"):
            self.helper.layout.append(Field("DELETE", template=CHECKBOX_TEMPLATE))

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("name") or "").strip() or cleaned.get("DELETE"):
            return cleaned
        if cleaned.get("id"):
            self.add_error("name", _("Indiquez le nom de ce contact, ou cochez « Supprimer »."))
        elif any(cleaned.get(name) for name in ("role", "email", "phone")):
            self.add_error("name", _("Indiquez le nom de ce contact, ou videz la ligne."))
        return cleaned


class BaseContactFormSet(forms.BaseFormSet):
    def contacts(self) -> tuple[list[ContactData], set[int]]:
        """The contacts to keep (in the form's order) and the ids of those to remove."""
        kept, removed = [], set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE"):
                if data.get("id"):
                    removed.add(data["id"])
                continue
            if not (data.get("name") or "").strip():
                continue
            kept.append(
                ContactData(
                    id=data.get("id"),
                    name=data["name"],
                    role=data.get("role") or "",
                    email=data.get("email") or "",
                    phone=data.get("phone") or "",
                )
            )
        return kept, removed


ContactFormSet = forms.formset_factory(
    ContactForm,
    formset=BaseContactFormSet,
    extra=2,
    can_delete=True,
    can_delete_extra=False,
    max_num=20,
    validate_max=True,
)


def contact_formset(data=None, *, partner: Partner | None = None) -> BaseContactFormSet:
    initial = None
    if partner is not None and data is None:
        initial = [
            {"id": c.pk, "name": c.name, "role": c.role, "email": c.email, "phone": c.phone}
            for c in partner.contacts.all()
        ]
    return ContactFormSet(data, initial=initial, prefix="contacts")
