"""The account forms: sign-in, password reset and change (Django's, in DSFR markup), the
pilot's form that opens the account of a ProConnect sign-in, and the team's absences."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import ButtonHolder, Div, Field, Layout, Submit
from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accompagnement.accounts.models import Role
from accompagnement.core.forms import DateInput, DayField, DsfrForm
from ddi.models import DDI, Structure


class LoginForm(auth_forms.AuthenticationForm, DsfrForm):
    username = forms.EmailField(
        label=_("Adresse électronique"),
        help_text=_("Format attendu : nom@domaine.fr"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    error_messages = {
        "invalid_login": _(
            "Adresse électronique ou mot de passe incorrect. "
            "Après plusieurs erreurs, le compte est bloqué pendant quelques minutes."
        ),
        "inactive": _("Ce compte est désactivé. Contactez l'équipe d'accompagnement."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout("username", "password", Submit("submit", _("Se connecter")))


class PasswordResetForm(auth_forms.PasswordResetForm, DsfrForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Adresse électronique")
        self.fields["email"].help_text = _("Format attendu : nom@domaine.fr")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout("email", Submit("submit", _("Recevoir un lien")))


class SetPasswordForm(auth_forms.SetPasswordForm, DsfrForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "new_password1", "new_password2", Submit("submit", _("Enregistrer le mot de passe"))
        )


class PasswordChangeForm(auth_forms.PasswordChangeForm, DsfrForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "old_password",
            "new_password1",
            "new_password2",
            Submit("submit", _("Changer le mot de passe")),
        )


RADIO_TEMPLATE = "core/fields/radio_compact.html"


class DdiChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class OpenAccountForm(DsfrForm):
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    role = forms.ChoiceField(
        label=_("Ouvrir le compte comme"),
        choices=[(Role.AGENT, _("Agent d’une DDI")), (Role.MEMBER, _("Membre de l’équipe"))],
        widget=forms.RadioSelect,
    )
    ddi = DdiChoiceField(
        label=_("DDI de l’agent"),
        queryset=DDI.objects.select_related("department"),
        required=False,
        help_text=_("Obligatoire pour un agent de DDI."),
    )
    structure = forms.ModelChoiceField(
        label=_("Structure d’origine du membre"),
        queryset=Structure.objects.all(),
        required=False,
        help_text=_("Obligatoire pour un membre de l’équipe."),
    )

    def __init__(self, *args, pending=None, **kwargs):
        if pending is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "first_name": pending.given_name,
                "last_name": pending.usual_name,
            }
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> holds the token
        self.helper.layout = Layout(
            Div(
                Div("first_name", css_class="fr-col-12 fr-col-sm-6"),
                Div("last_name", css_class="fr-col-12 fr-col-sm-6"),
                css_class="fr-grid-row fr-grid-row--gutters",
            ),
            Field("role", template=RADIO_TEMPLATE),
            "ddi",
            "structure",
            ButtonHolder(Submit("submit", _("Ouvrir le compte"))),
        )

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role == Role.AGENT and not cleaned.get("ddi"):
            self.add_error("ddi", ValidationError(_("Choisissez la DDI de l’agent.")))
        if role == Role.MEMBER and not cleaned.get("structure"):
            self.add_error(
                "structure", ValidationError(_("Choisissez la structure d’origine du membre."))
            )
        return cleaned


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.user.get_full_name()


class AbsenceForm(DsfrForm):
    """An absence of a team member: their own for a member (the field is hidden), anyone's
    for the pilot. The rules (order of the days, overlaps, how far back) are the
    service's (`services.absence_create`)."""

    member = MemberChoiceField(label=_("Membre"), queryset=None, empty_label=_("Choisir un membre"))
    start = DayField(label=_("Du"), widget=DateInput())
    end = DayField(label=_("Au (inclus)"), widget=DateInput())
    reason = forms.CharField(
        label=_("Motif (facultatif)"),
        max_length=120,
        required=False,
        help_text=_("Visible par toute l’équipe : « congés », « formation »…"),
    )

    def __init__(self, *args, members, own=None, **kwargs):
        kwargs.setdefault("auto_id", "id_absence_%s")
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        if own is not None:
            # A member records their own absences only.
            self.fields["member"].widget = forms.HiddenInput()
            self.fields["member"].initial = own.pk
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> holds the token
        # Hidden (a member's own), the member field takes no column of the grid.
        days = [
            Div("start", css_class="fr-col-6 fr-col-md-4"),
            Div("end", css_class="fr-col-6 fr-col-md-4"),
        ]
        if own is None:
            days.insert(0, Div("member", css_class="fr-col-12 fr-col-md-4"))
        self.helper.layout = Layout(
            *(["member"] if own is not None else []),
            Div(*days, css_class="fr-grid-row fr-grid-row--gutters"),
            "reason",
            ButtonHolder(Submit("submit", _("Enregistrer l’absence"))),
        )
