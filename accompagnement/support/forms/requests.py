"""Forms of the request screens: filing a request, the list's filters, and what the reply box
shares with them (attachments; the reply box itself is in `replies.py`)."""

from itertools import groupby

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accompagnement.axes.models import Axis, Category
from accompagnement.core.forms import DsfrForm
from accompagnement.core.markdown import TEXT_MAX_LENGTH, TextLengthValidator
from accompagnement.support.chorus import normalise_reference, validate_reference
from accompagnement.support.enums import ChorusObject, Priority, Status
from accompagnement.support.services.requests import FileToStore
from accompagnement.support.uploads import (
    ACCEPT_ATTRIBUTE,
    ALLOWED_FORMATS_LABEL,
    MAX_UPLOAD_FILES,
    MAX_UPLOAD_SIZE,
    validate_upload,
)
from ddi.models import Programme, ServiceCentre

# A primary key the database can hold.
PK_MAX = 2**31 - 1
# The project's own DSFR field templates for radios and checkboxes (templates/core/fields/).
RADIO_TEMPLATE = "core/fields/radio.html"
CHECKBOX_TEMPLATE = "core/fields/checkbox.html"
# Where the suggestions for the typed title and description appear (htmx; nothing
# without JavaScript).
SUGGESTIONS_SLOT = HTML('<div id="suggestions" aria-live="polite"></div>')
REQUIRED_NOTICE = HTML(
    '{% load i18n %}<p class="fr-hint-text">'
    "{% translate 'Les champs marqués d’un astérisque (*) sont obligatoires.' %}</p>"
)


class FilesToReselect:
    """Layout object: under the file input, the files the browser did not keep."""

    template = "support/_files_to_reselect.html"

    def render(self, form, context, **kwargs):
        return render_to_string(self.template, {"form": form})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files, each checked by its content (`uploads.validate_upload`).

    Cleans to a list of `FileToStore`. The names of the files that passed stay in
    `accepted_names` even when another file fails: browsers cannot keep files across
    a submission, so the page lists the ones to select again.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"class": "fr-upload", "accept": ACCEPT_ATTRIBUTE}),
        )
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.group_class = "fr-upload-group"
        self.accepted_names: list[str] = []

    def clean(self, data, initial=None):
        uploads = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        self.accepted_names = []
        if not uploads:
            return super().clean(None, initial) or []
        if len(uploads) > MAX_UPLOAD_FILES:
            raise ValidationError(
                _("Joignez au plus %(max)d fichiers (vous en avez sélectionné %(count)d)."),
                code="too_many_files",
                params={"max": MAX_UPLOAD_FILES, "count": len(uploads)},
            )
        accepted, errors = [], []
        for upload in uploads:
            try:
                content_type = validate_upload(upload)  # names the file in its errors
                super().clean(upload, initial)
                accepted.append(FileToStore(upload, content_type))
            except ValidationError as error:
                errors.extend(error.error_list)
        self.accepted_names = [item.upload.name for item in accepted]
        if errors:
            raise ValidationError(errors)
        return accepted


def attachments_field() -> AttachmentsField:
    return AttachmentsField(
        label=_("Pièces jointes"),
        help_text=format_lazy(
            _(
                "Facultatif. Jusqu’à {count} fichiers de {size} Mo au plus chacun. "
                "Formats acceptés : {formats}."
            ),
            count=MAX_UPLOAD_FILES,
            size=MAX_UPLOAD_SIZE // (1024 * 1024),
            formats=ALLOWED_FORMATS_LABEL,
        ),
    )


class AttachmentsFormMixin:
    """What a form with an `attachments` field tells about files the browser dropped."""

    # Set by a view when a valid form could not be saved (e.g. a concurrent change).
    not_saved = False

    @property
    def files_to_reselect(self) -> list[str] | None:
        """None when no file was lost; otherwise the acceptable files to select again."""
        if not self.is_bound or not self.files.getlist(self.add_prefix("attachments")):
            return None
        if not (self.errors or self.not_saved):
            return None
        return self.fields["attachments"].accepted_names

    def add_service_error(self, error: ValidationError) -> None:
        """A service's `ValidationError`, on its field when the form has it."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)


class SupportRequestForm(AttachmentsFormMixin, DsfrForm):
    axis = forms.ChoiceField(
        label=_("Axe"),
        choices=Axis.choices,
        widget=forms.RadioSelect,
        help_text=_("Le domaine de votre question, parmi les quatre axes de l’équipe."),
    )
    category = forms.ModelChoiceField(
        label=_("Catégorie"),
        queryset=Category.objects.filter(is_active=True),
        help_text=_("Choisissez une catégorie de l’axe coché ci-dessus."),
        error_messages={"invalid_choice": _("Choisissez une catégorie de la liste.")},
    )
    title = forms.CharField(
        label=_("Titre"),
        max_length=200,
        help_text=_("En une phrase : ex. « Restitution INF-BUD-53 vide depuis lundi »."),
    )
    body = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 8}),
        validators=[TextLengthValidator(TEXT_MAX_LENGTH)],
        help_text=_(
            "Ce que vous avez fait, ce que vous attendiez, ce qui s’est passé, et le message "
            "d’erreur exact s’il y en a un. Mise en forme Markdown possible : **gras**, "
            "*italique*, listes avec « - », liens."
        ),
    )
    priority = forms.ChoiceField(
        label=_("Priorité"),
        choices=Priority.choices,
        initial=Priority.NORMAL,
        widget=forms.RadioSelect,
    )
    programme = forms.ModelChoiceField(
        label=_("Programme budgétaire"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=_("Aucun ou je ne sais pas"),
        help_text=_("Facultatif. Les programmes pour lesquels votre direction a un CSP."),
        error_messages={"invalid_choice": _("Ce programme n’est pas suivi par votre DDI.")},
    )
    service_centre = forms.ModelChoiceField(
        label=_("Centre de services partagés (CSP)"),
        queryset=ServiceCentre.objects.none(),
        required=False,
        empty_label=_("Aucun ou je ne sais pas"),
        help_text=_("Facultatif. Les CSP auxquels votre direction est rattachée."),
        error_messages={"invalid_choice": _("Ce CSP ne sert pas votre DDI.")},
    )
    chorus_object = forms.ChoiceField(
        label=_("Objet Chorus concerné"),
        choices=[("", _("Aucun en particulier")), *ChorusObject.choices],
        required=False,
        help_text=_("Facultatif."),
    )
    chorus_reference = forms.CharField(
        label=_("Référence Chorus"),
        max_length=40,
        required=False,
        help_text=_(
            "Facultatif. Le numéro de l’objet choisi ci-dessus : EJ, SF, DP et tiers ont "
            "10 chiffres (ex. EJ 2104410702, ou 2104410702/00001 pour un poste)."
        ),
    )
    attachments = attachments_field()
    # The finished request this one follows up (`?suite=<reference>`); the view checks it.
    suite = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        ddi_id = user.ddi_id
        self.fields["programme"].queryset = (
            Programme.objects.filter(attachments__ddi_id=ddi_id).distinct().order_by("code")
        )
        self.fields["service_centre"].queryset = (
            ServiceCentre.objects.filter(attachments__ddi_id=ddi_id).distinct().order_by("name")
        )
        self.fields["category"].choices = self._category_choices()
        suggestions = {
            "hx-get": reverse_lazy("support:suggestions"),
            "hx-trigger": "keyup changed delay:500ms",
            "hx-target": "#suggestions",
            "hx-include": "[name=title],[name=body]",
            "hx-sync": "closest form:replace",
        }
        self.fields["title"].widget.attrs.update(suggestions)
        self.fields["body"].widget.attrs.update(suggestions)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> holds the token
        self.helper.layout = Layout(
            REQUIRED_NOTICE,
            "suite",
            Fieldset(_("De quoi s’agit-il ?"), Field("axis", template=RADIO_TEMPLATE), "category"),
            Fieldset(
                _("Votre demande"),
                "title",
                "body",
                SUGGESTIONS_SLOT,
                Field("priority", template=RADIO_TEMPLATE),
            ),
            Fieldset(
                _("Précisions Chorus (facultatif)"),
                "programme",
                "service_centre",
                "chorus_object",
                "chorus_reference",
            ),
            Fieldset(_("Documents utiles"), "attachments", FilesToReselect()),
            Submit("submit", _("Envoyer la demande")),
        )

    def _category_choices(self):
        """Active categories grouped by axis (one `<optgroup>` each), in the axes' order."""
        categories = sorted(
            self.fields["category"].queryset,
            key=lambda c: (Axis.values.index(c.axis), c.position, c.name),
        )
        groups = [
            (Axis(axis).label, [(category.pk, category.name) for category in members])
            for axis, members in groupby(categories, key=lambda c: c.axis)
        ]
        return [("", _("Sélectionnez une catégorie")), *groups]

    def clean(self):
        cleaned = super().clean()
        axis, category = cleaned.get("axis"), cleaned.get("category")
        if axis and category and category.axis != axis:
            self.add_error(
                "category",
                ValidationError(
                    _(
                        "La catégorie « %(category)s » ne relève pas de l’axe choisi : "
                        "choisissez une catégorie du groupe « %(axis)s »."
                    ),
                    code="category_axis",
                    params={"category": category.name, "axis": Axis(axis).label},
                ),
            )
        if "chorus_reference" in cleaned:
            reference = normalise_reference(cleaned["chorus_reference"])
            try:
                validate_reference(cleaned.get("chorus_object", ""), reference)
            except ValidationError as error:
                self.add_error("chorus_reference", error)
            else:
                cleaned["chorus_reference"] = reference
        return cleaned

    def service_arguments(self) -> dict:
        """The keyword arguments of `support_request_create`, but the requester."""
        data = self.cleaned_data
        return {
            "axis": data["axis"],
            "category": data["category"],
            "title": data["title"],
            "body": data["body"],
            "priority": data["priority"],
            "programme": data["programme"],
            "service_centre": data["service_centre"],
            "chorus_object": data["chorus_object"],
            "chorus_reference": data["chorus_reference"],
            "files": data["attachments"],
        }


class VersionForm(forms.Form):
    """The version of the request the page showed (close, reopen)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class RequestFilterForm(DsfrForm):
    """The filters of an agent's list of their DDI's requests (GET)."""

    OPEN, ALL = "open", "all"

    status = forms.ChoiceField(
        label=_("Statut"),
        choices=[(OPEN, _("Ouvertes")), (ALL, _("Toutes")), *Status.choices],
        required=False,
    )
    axis = forms.ChoiceField(
        label=_("Axe"), choices=[("", _("Tous les axes")), *Axis.choices], required=False
    )
    q = forms.CharField(label=_("Titre ou référence"), required=False, max_length=100)
    mine = forms.BooleanField(label=_("Mes demandes seulement"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> holds the token
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Div(
                Div(Field("q"), css_class="fr-col-12 fr-col-md-6"),
                Div(Field("status"), css_class="fr-col-12 fr-col-md-3"),
                Div(Field("axis"), css_class="fr-col-12 fr-col-md-3"),
                css_class="fr-grid-row fr-grid-row--gutters",
            ),
            Div(
                Div(Field("mine", template=CHECKBOX_TEMPLATE), css_class="fr-col-12 fr-col-md-6"),
                Div(
                    HTML(
                        '{% load i18n %}<button type="submit" class="fr-btn '
                        'fr-btn--secondary">{% translate "Filtrer" %}</button>'
                    ),
                    css_class="fr-col-12 fr-col-md-6",
                ),
                css_class="fr-grid-row fr-grid-row--gutters fr-grid-row--middle",
            ),
        )

    def criteria(self) -> dict:
        """Valid filters only: a tampered value is ignored, the list still shows."""
        data = {}
        if self.is_bound:
            self.is_valid()  # fills cleaned_data with the valid fields only
            data = self.cleaned_data
        return {
            "status": data.get("status") or self.OPEN,
            "axis": data.get("axis") or "",
            "search": (data.get("q") or "").strip(),
            "mine": bool(data.get("mine")),
        }
