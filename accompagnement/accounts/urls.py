"""Sign in with ProConnect, the pilot's pages that open the accounts of unknown sign-ins,
and the team's absences (`/equipe/absences/`).

Register with the provider the redirect URI `https://<site>/oidc/callback/` and the
post-logout URI `https://<site>/deconnexion/proconnect/`. Login and logout themselves are
mounted by `accompagnement/urls.py`."""

from django.urls import path

from accompagnement.accounts import views

app_name = "accounts"
urlpatterns = [
    path("oidc/authenticate/", views.AuthenticateView.as_view(), name="authenticate"),
    path("oidc/callback/", views.CallbackView.as_view(), name="callback"),
    path("connexion/proconnect/<slug:reason>/", views.refused, name="refused"),
    path("deconnexion/proconnect/", views.logout_done, name="logout_done"),
    path("pilotage/connexions/", views.pending_list, name="pending_list"),
    path("pilotage/connexions/<int:pk>/ouvrir/", views.open_account, name="open_account"),
    path("equipe/absences/", views.absences, name="absences"),
    path("equipe/absences/<int:pk>/supprimer/", views.absence_remove, name="absence_delete"),
]
