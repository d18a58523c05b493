"""Sign in with ProConnect. Register with the provider the redirect URI
`https://<site>/oidc/callback/` and the post-logout URI `https://<site>/deconnexion/proconnect/`."""

from django.urls import path

from accompagnement.accounts import views as proconnect

app_name = "accounts"
urlpatterns = [
    path("oidc/authenticate/", proconnect.AuthenticateView.as_view(), name="authenticate"),
    path("oidc/callback/", proconnect.CallbackView.as_view(), name="callback"),
    path("connexion/proconnect/<slug:reason>/", proconnect.refused, name="refused"),
    path("deconnexion/proconnect/", proconnect.logout_done, name="logout_done"),
    path("pilotage/connexions/", proconnect.pending_list, name="pending_list"),
    path("pilotage/connexions/<int:pk>/ouvrir/", proconnect.open_account, name="open_account"),
]
