"""The team's screens: the shared queue and the actions on a request."""

from django.urls import path

from .views import queue, team_actions

app_name = "team"
urlpatterns = [
    path("file/", queue.queue, name="queue"),
    path("file/actions/", queue.bulk_action, name="bulk_action"),
    path("file/filtres/", queue.saved_filter_create, name="saved_filter_create"),
    path(
        "file/filtres/<int:pk>/supprimer/",
        queue.saved_filter_delete,
        name="saved_filter_delete",
    ),
    path("demandes/<str:reference>/attribuer/", team_actions.assign, name="assign"),
    path("demandes/<str:reference>/statut/", team_actions.transition, name="transition"),
    path("demandes/<str:reference>/escalader/", team_actions.escalate, name="escalate"),
    path("demandes/<str:reference>/reorienter/", team_actions.redirect_out, name="redirect"),
    path("demandes/<str:reference>/doublon/", team_actions.duplicate, name="duplicate"),
    path("demandes/<str:reference>/lier/", team_actions.link, name="link"),
]
