"""Forms of the canned answers: writing one, the list's filters, and the choice of one on
the request page."""

from itertools import groupby

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from accompagnement.axes.models import Axis, Category
from accompagnement.core.forms import DsfrForm
from accompagnement.core.markdown import TEXT_MAX_LENGTH, TextLengthValidator
from accompagnement.support.canned import PLACEHOLDERS
from accompagnement.support.forms.requests import PK_MAX
from accompagnement.support.services.canned import TITLE_MAX_LENGTH
from accompagnement.support.team_models import CannedResponse

REQUIRED_NOTICE = HTML(
    '{% load i18n %}<p class="fr-hint-text">'
    "{% translate 'Les champs marqués d’un astérisque (*) sont obligatoires.' %}</p>"
)


def grouped_category_choices(first_label) -> list:
    """Active categories grouped by axis (one `<optgroup>` each), in the axes' order."""
    categories = sorted(
        Category.objects.filter(is_active=True),
        key=lambda c: (Axis.values.index(c.axis), c.position, c.name),
    )
    groups = [
        (Axis(axis).label, [(category.pk, category.name) for category in members])
        for axis, members in groupby(categories, key=lambda c: c.axis)
    ]
    return [("", first_label), *groups]


def _placeholder_help() -> HTML:
    """The list of placeholders under the text (a template: crispy renders it)."""
    items = "".join(
        f"<li><code>{{{name}}}</code> : {escape(text)}</li>" for name, text in PLACEHOLDERS.items()
    )
    title = escape(_("Champs remplacés par leur valeur à l’insertion dans une réponse :"))
    return HTML(
        f'<div class="fr-hint-text fr-mb-3w" id="champs-reponse-type">'
        f'<p class="fr-mb-1v">{title}</p><ul class="fr-mb-0">{items}</ul></div>'
    )


class CannedResponseForm(DsfrForm):
    title = forms.CharField(
        label=_("Titre"),
        max_length=TITLE_MAX_LENGTH,
        help_text=_("Ce que la réponse traite, en quelques mots : il sert à la retrouver."),
    )
    body = forms.CharField(
        label=_("Texte"),
        widget=forms.Textarea(attrs={"rows": 12}),
        validators=[TextLengthValidator(TEXT_MAX_LENGTH)],
        help_text=_(
            "Mise en forme Markdown possible : **gras**, *italique*, listes avec « - », liens."
        ),
    )
    axis = forms.ChoiceField(
        label=_("Axe"),
        choices=[("", _("Tous les axes")), *Axis.choices],
        required=False,
        help_text=_("Facultatif : sur une demande de cet axe, la réponse est proposée en premier."),
    )
    category = forms.ModelChoiceField(
        label=_("Catégorie"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        help_text=_("Facultatif : une catégorie de l’axe choisi."),
        error_messages={"invalid_choice": _("Choisissez une catégorie de la liste.")},
    )

    FIELDS = ("title", "body", "axis", "category")

    def __init__(self, *args, canned_response: CannedResponse | None = None, **kwargs):
        if canned_response is not None:
            kwargs.setdefault(
                "initial", {name: getattr(canned_response, name) for name in self.FIELDS}
            )
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = grouped_category_choices(_("Toutes les catégories"))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> holds the token
        self.helper.layout = Layout(
            REQUIRED_NOTICE,
            Fieldset(_("La réponse"), "title", "body", _placeholder_help()),
            Fieldset(_("Classement"), "axis", "category"),
            Submit("submit", _("Enregistrer la réponse type")),
        )

    def service_arguments(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}

    def add_service_error(self, error) -> None:
        for field, errors in error.error_dict.items():
            self.add_error(field if field in self.fields else None, errors)


class CannedFilterForm(DsfrForm):
    """The list's search and filters (GET)."""

    q = forms.CharField(label=_("Titre"), required=False, max_length=100)
    axis = forms.ChoiceField(
        label=_("Axe"), choices=[("", _("Tous les axes")), *Axis.choices], required=False
    )
    category = forms.ModelChoiceField(
        label=_("Catégorie"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = grouped_category_choices(_("Toutes les catégories"))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Div(
                Div(Field("q"), css_class="fr-col-12 fr-col-md-4"),
                Div(Field("axis"), css_class="fr-col-12 fr-col-md-3"),
                Div(Field("category"), css_class="fr-col-12 fr-col-md-3"),
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
        category = data.get("category")
        return {
            "search": (data.get("q") or "").strip(),
            "axis": data.get("axis") or "",
            "category_id": category.pk if category else None,
        }


class CannedPickForm(forms.Form):
    """`?reponse_type=<id>` on the request page (the picker without JavaScript), and the
    `?depuis=<message id>` of the creation form."""

    reponse_type = forms.IntegerField(required=False, min_value=1, max_value=PK_MAX)
    depuis = forms.IntegerField(required=False, min_value=1, max_value=PK_MAX)

    def value(self, name: str) -> int | None:
        """The field's number, None when absent or invalid (a tampered address shows
        the page as without it)."""
        self.is_valid()  # fills cleaned_data with the valid fields only
        return self.cleaned_data.get(name)
