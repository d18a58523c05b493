from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from .form_fields import DsfrForm


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
