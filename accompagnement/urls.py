"""The app's URLs: each package's, mounted under its path and namespace; the home page, the
health check, the accessibility statement; Django's login, logout and password pages with
the portal's forms and rate limits."""

from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter, reverse_lazy

from accompagnement.accounts import forms as accounts_forms
from accompagnement.accounts import views as accounts_views
from accompagnement.core import converters, ratelimits
from accompagnement.privacy import views as privacy_views
from accompagnement.web import health, password_reset
from accompagnement.web import views as web_views

# `<reference:…>` in the packages' URL confs, read by the `include()`s below.
register_converter(converters.ReferenceConverter, "reference")

urlpatterns = [
    path("", web_views.home, name="home"),
    path("", include("accompagnement.support.urls")),
    path("equipe/problemes/", include(("accompagnement.problems.urls", "problems"))),
    path("", include(("accompagnement.campaigns.urls", "campaigns"))),
    path("", include(("accompagnement.partners.urls", "partners"))),
    path(
        "pilotage/donnees-personnelles/",
        privacy_views.personal_data_export,
        name="personal_data_export",
    ),
    path("pilotage/", include(("accompagnement.steering.urls", "steering"))),
    path("ressources/", include(("accompagnement.knowledge.urls", "knowledge"))),
    path("etude/", include(("accompagnement.study.urls", "study"))),
    path("interventions/", include(("accompagnement.interventions.urls", "interventions"))),
    path("notifications/", include(("accompagnement.alerts.urls", "alerts"))),
    path("", include(("accompagnement.accounts.urls", "accounts"))),
    path("sante/", health.health, name="health"),
    path("accessibilite/", web_views.accessibility, name="accessibility"),
    path(
        "connexion/",
        ratelimits.limit_posts(ratelimits.LOGIN)(
            accounts_views.LoginView.as_view(
                authentication_form=accounts_forms.LoginForm, redirect_authenticated_user=True
            )
        ),
        name="login",
    ),
    path("deconnexion/", accounts_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/oubli/",
        ratelimits.limit_posts(ratelimits.RESET_IP, ratelimits.RESET_EMAIL)(
            # The e-mail goes through the outbox (web/password_reset.py, web/emails.py).
            auth_views.PasswordResetView.as_view(form_class=password_reset.PasswordResetForm)
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=accounts_forms.SetPasswordForm,
            success_url=reverse_lazy("password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "mot-de-passe/changer/",
        auth_views.PasswordChangeView.as_view(form_class=accounts_forms.PasswordChangeForm),
        name="password_change",
    ),
    path(
        "mot-de-passe/changer/termine/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
