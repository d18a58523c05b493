"""Forms of the knowledge base: writing an article, the list's filters, the typed text
the suggestions are computed from."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accompagnement.axes.models import Axis, Category
from accompagnement.core.forms import DsfrForm, ModelMultipleChoiceField, ddi_kinds_field
from accompagnement.core.markdown import ARTICLE_MAX_LENGTH, TextLengthValidator
from accompagnement.knowledge.models import Article, ArticleKind, ArticleStatus
from ddi.models import Programme

CHECKBOXES_TEMPLATE = "core/fields/checkboxes.html"
RADIO_TEMPLATE = "core/fields/radio.html"
REQUIRED_NOTICE = HTML(
    '{% load i18n %}<p class="fr-hint-text">'
    "{% translate 'Les champs marqués d’un astérisque (*) sont obligatoires.' %}</p>"
)


class ArticleForm(DsfrForm):
    kind = forms.ChoiceField(label=_("Nature"), choices=ArticleKind.choices)
    title = forms.CharField(label=_("Titre"), max_length=200)
    summary = forms.CharField(
        label=_("Résumé"),
        max_length=300,
        help_text=_("Une ou deux phrases, montrées dans les listes et les suggestions."),
    )
    body = forms.CharField(
        label=_("Texte"),
        widget=forms.Textarea(attrs={"rows": 16}),
        validators=[TextLengthValidator(ARTICLE_MAX_LENGTH)],
        help_text=_(
            "Mise en forme Markdown : ### titre, **gras**, listes avec « - », "
            "[lien](https://…), tableaux."
        ),
    )
    axis = forms.ChoiceField(label=_("Axe"), choices=Axis.choices)
    categories = ModelMultipleChoiceField(
        label=_("Catégories"),
        queryset=Category.objects.filter(is_active=True).order_by("axis", "position", "name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Facultatif. Ctrl ou Cmd + clic pour en choisir plusieurs."),
    )
    programmes = ModelMultipleChoiceField(
        label=_("Programmes concernés"),
        queryset=Programme.objects.order_by("code"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Facultatif : aucun choisi, l’article concerne tous les programmes."),
    )
    ddi_kinds = ddi_kinds_field(
        _("Types de DDI concernés"),
        _("Facultatif : aucun coché, l’article concerne toutes les DDI."),
    )
    status = forms.ChoiceField(
        label=_("État"),
        choices=ArticleStatus.choices,
        initial=ArticleStatus.DRAFT,
        widget=forms.RadioSelect,
        help_text=_("Seuls les articles publiés sont visibles des DDI."),
    )
    reviewed_on = forms.DateField(
        label=_("Dernière relecture le"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    FIELDS = (
        "kind",
        "title",
        "summary",
        "body",
        "axis",
        "categories",
        "programmes",
        "ddi_kinds",
        "status",
        "reviewed_on",
    )

    def __init__(self, *args, article: Article | None = None, **kwargs):
        if article is not None:
            kwargs.setdefault("initial", self.initial_from(article))
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> holds the token
        self.helper.layout = Layout(
            REQUIRED_NOTICE,
            Fieldset(_("L’article"), "kind", "title", "summary", "body"),
            Fieldset(
                _("Classement"),
                "axis",
                "categories",
                "programmes",
                Field("ddi_kinds", template=CHECKBOXES_TEMPLATE),
            ),
            Fieldset(_("Publication"), Field("status", template=RADIO_TEMPLATE), "reviewed_on"),
            Submit("submit", _("Enregistrer l’article")),
        )

    @classmethod
    def initial_from(cls, article: Article) -> dict:
        initial = {name: getattr(article, name) for name in cls.FIELDS}
        initial["categories"] = list(article.categories.all())
        initial["programmes"] = list(article.programmes.all())
        return initial

    def clean(self):
        cleaned = super().clean()
        axis, categories = cleaned.get("axis"), cleaned.get("categories")
        if axis and categories:
            others = [category.name for category in categories if category.axis != axis]
            if others:
                self.add_error(
                    "categories",
                    forms.ValidationError(
                        _("Ces catégories ne relèvent pas de l’axe choisi : %(names)s."),
                        code="category_axis",
                        params={"names": ", ".join(others)},
                    ),
                )
        return cleaned

    def service_arguments(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class ArticleFilterForm(DsfrForm):
    """The list's search and filters (GET)."""

    q = forms.CharField(label=_("Rechercher"), required=False, max_length=200)
    axis = forms.ChoiceField(
        label=_("Axe"), choices=[("", _("Tous les axes")), *Axis.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Nature"),
        choices=[("", _("Toutes les natures")), *ArticleKind.choices],
        required=False,
    )
    category = forms.ModelChoiceField(
        label=_("Catégorie"),
        queryset=Category.objects.filter(is_active=True).order_by("axis", "position", "name"),
        required=False,
        empty_label=_("Toutes les catégories"),
    )

    FOR_MY_DDI = "ma-ddi"
    FOR_EVERYONE = "tous"

    def __init__(self, *args, ddi=None, **kwargs):
        """`ddi`: an agent's direction, whose articles the list shows unless asked
        for all of them."""
        super().__init__(*args, **kwargs)
        self.ddi = ddi
        first_row = [Div(Field("q"), css_class="fr-col-12 fr-col-md-6")]
        if ddi is None:
            first_row.append(Div(Field("kind"), css_class="fr-col-12 fr-col-md-6"))
        else:
            self.fields["pour"] = forms.ChoiceField(
                label=_("Articles"),
                choices=[
                    (
                        self.FOR_MY_DDI,
                        _("Pour ma direction (%(kind)s)") % {"kind": ddi.kind},
                    ),
                    (self.FOR_EVERYONE, _("Tous les articles")),
                ],
                required=False,
                initial=self.FOR_MY_DDI,
            )
            first_row.append(Div(Field("kind"), css_class="fr-col-12 fr-col-md-3"))
            first_row.append(Div(Field("pour"), css_class="fr-col-12 fr-col-md-3"))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Div(*first_row, css_class="fr-grid-row fr-grid-row--gutters"),
            Div(
                Div(Field("axis"), css_class="fr-col-12 fr-col-md-5"),
                Div(Field("category"), css_class="fr-col-12 fr-col-md-5"),
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
            self.is_valid()
            data = self.cleaned_data
        for_everyone = data.get("pour") == self.FOR_EVERYONE
        return {
            "search": (data.get("q") or "").strip(),
            "axis": data.get("axis") or "",
            "kind": data.get("kind") or "",
            "category": data.get("category"),
            "ddi": None if for_everyone else self.ddi,
        }


class SuggestionQueryForm(forms.Form):
    """What the agent typed so far in the filing form (same field names)."""

    # Only the beginning of a long description is compared.
    MAX_CHARACTERS = 2000

    title = forms.CharField(required=False)
    body = forms.CharField(required=False)

    def text(self) -> str:
        if not self.is_valid():
            return ""
        data = self.cleaned_data
        return f"{data['title']} {data['body']}"[: self.MAX_CHARACTERS].strip()
