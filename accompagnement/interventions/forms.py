"""Forms of the interventions: a session (the team), a registration (an agent), attendance
(the team) and the satisfaction form (an attendee)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import ButtonHolder, Div, Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accompagnement.accounts.models import Role, User
from accompagnement.axes.models import Axis, Category
from accompagnement.core.forms import DsfrForm, ModelMultipleChoiceField, MomentField
from accompagnement.interventions.models import Intervention, InterventionFormat
from accompagnement.knowledge.models import Article
from ddi.enums import DDIKind
from ddi.models import Department, Programme, Region

# The largest number of places the model's field holds (a small integer): the service's
# check of the model would refuse more with an error, not a message on the form.
MAX_CAPACITY = 32767


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"
    group_class = "fr-input-group"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name()


class PeopleChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name()


def _row(*names) -> Div:
    width = 12 // len(names)
    return Div(
        *(Div(name, css_class=f"fr-col-12 fr-col-md-{width}") for name in names),
        css_class="fr-grid-row fr-grid-row--gutters",
    )


class InterventionForm(DsfrForm):
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    description = forms.CharField(
        label=_("Programme de la session"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    axis = forms.ChoiceField(label=_("Axe"), choices=Axis.choices)
    topics = ModelMultipleChoiceField(
        label=_("Thèmes"),
        queryset=Category.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les catégories des demandes que la session traite."),
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=InterventionFormat.choices, widget=forms.RadioSelect
    )
    department = forms.ModelChoiceField(
        label=_("Département (sur place)"), queryset=Department.objects.none(), required=False
    )
    region = forms.ModelChoiceField(
        label=_("Région (sur place)"), queryset=Region.objects.none(), required=False
    )
    place = forms.CharField(label=_("Lieu"), max_length=250, required=False)
    link = forms.URLField(
        label=_("Lien de connexion"),
        assume_scheme="https",
        max_length=Intervention._meta.get_field("link").max_length,
        required=False,
        help_text=_("Pour une visioconférence ou un webinaire."),
    )
    starts_at = MomentField(label=_("Début"), widget=DateTimeInput())
    duration_minutes = forms.IntegerField(
        label=_("Durée (minutes)"), min_value=15, max_value=8 * 60, initial=120
    )
    capacity = forms.IntegerField(
        label=_("Nombre de places"),
        min_value=1,
        max_value=MAX_CAPACITY,
        initial=20,
        error_messages={"max_value": _("Indiquez au plus %(limit_value)s places.")},
    )
    registration_closes_at = MomentField(
        label=_("Clôture des inscriptions"), widget=DateTimeInput()
    )
    speakers = PeopleChoiceField(
        label=_("Intervenants"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    ddi_kinds = forms.MultipleChoiceField(
        label=_("Types de DDI visés"),
        choices=[(kind.value, kind.value) for kind in DDIKind],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucun coché : tous les types."),
    )
    regions = ModelMultipleChoiceField(
        label=_("Régions visées"),
        queryset=Region.objects.none(),
        required=False,
        help_text=_("Aucune : toutes les régions."),
    )
    programmes = ModelMultipleChoiceField(
        label=_("Programmes visés"),
        queryset=Programme.objects.none(),
        required=False,
        help_text=_("Aucun : toutes les DDI ; sinon celles rattachées pour l’un d’eux."),
    )
    articles = ModelMultipleChoiceField(
        label=_("Supports (articles des ressources)"),
        queryset=Article.objects.none(),
        required=False,
        help_text=_("Envoyés après la session aux inscrits qui n’ont pas pu venir."),
    )

    def __init__(self, *args, intervention=None, **kwargs):
        if intervention is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{name: getattr(intervention, name) for name in self.base_fields},
                "department": intervention.department_id,
                "region": intervention.region_id,
                "topics": list(intervention.topics.values_list("pk", flat=True)),
                "speakers": list(intervention.speakers.values_list("pk", flat=True)),
                "regions": list(intervention.regions.values_list("pk", flat=True)),
                "programmes": list(intervention.programmes.values_list("pk", flat=True)),
                "articles": list(intervention.articles.values_list("pk", flat=True)),
            }
        kwargs.setdefault("auto_id", "id_intervention_%s")
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Category.objects.filter(is_active=True).order_by(
            "position", "name"
        )
        self.fields["department"].queryset = Department.objects.order_by("code")
        self.fields["region"].queryset = Region.objects.order_by("name")
        self.fields["regions"].queryset = Region.objects.order_by("name")
        self.fields["programmes"].queryset = Programme.objects.order_by("code")
        self.fields["articles"].queryset = Article.objects.published().order_by("title")
        self.fields["speakers"].queryset = User.objects.filter(
            role__in=[Role.MEMBER, Role.PILOT], is_active=True
        ).order_by("last_name", "first_name")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(_("La session"), "title", "axis", "topics", "description"),
            Fieldset(
                _("Quand et où"),
                _row("starts_at", "duration_minutes"),
                "format",
                _row("department", "region"),
                _row("place", "link"),
            ),
            Fieldset(_("Inscriptions"), _row("capacity", "registration_closes_at"), "speakers"),
            Fieldset(_("DDI visées"), "ddi_kinds", _row("regions", "programmes")),
            Fieldset(_("Supports"), "articles"),
            ButtonHolder(Submit("submit", _("Enregistrer la session"))),
        )

    def clean(self):
        cleaned = super().clean()
        starts, closes = cleaned.get("starts_at"), cleaned.get("registration_closes_at")
        if starts and closes and closes > starts:
            self.add_error(
                "registration_closes_at",
                _("Les inscriptions doivent fermer au plus tard au début de la session."),
            )
        kind = cleaned.get("format")
        if kind == InterventionFormat.ON_SITE and not cleaned.get("place"):
            self.add_error("place", _("Indiquez le lieu d’une session sur place."))
        if kind in (InterventionFormat.VIDEO, InterventionFormat.WEBINAR) and not cleaned.get(
            "link"
        ):
            self.add_error("link", _("Indiquez le lien de connexion."))
        return cleaned


class RegistrationForm(DsfrForm):
    person = PersonChoiceField(
        label=_("Personne à inscrire"),
        queryset=User.objects.none(),
        empty_label=None,
        help_text=_("Vous-même ou un collègue de votre direction."),
    )

    def __init__(self, *args, colleagues, user, **kwargs):
        kwargs.setdefault("auto_id", "id_registration_%s")
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = colleagues
        if colleagues.filter(pk=user.pk).exists():
            self.fields["person"].initial = user.pk


class AttendanceForm(DsfrForm):
    attended = forms.TypedMultipleChoiceField(
        label=_("Présents"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(r.pk, r.person.get_full_name()) for r in registrations]


class FeedbackForm(DsfrForm):
    score = forms.TypedChoiceField(
        label=_("Votre appréciation de la session"),
        choices=[
            (5, _("5 — Très utile")),
            (4, _("4 — Utile")),
            (3, _("3 — Moyennement utile")),
            (2, _("2 — Peu utile")),
            (1, _("1 — Pas utile")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Facultatif : ce qui vous a servi, ce qui a manqué."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "score", "comment", ButtonHolder(Submit("submit", _("Envoyer mon avis")))
        )
