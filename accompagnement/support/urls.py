"""Support requests: the agents' pages, the request page and the team's queue and actions."""

from django.urls import path

from accompagnement.support.views import queue, requests, team_actions

app_name = "support"
urlpatterns = [
    path("demandes/", requests.request_list, name="list"),
    path("demandes/nouvelle/", requests.request_create, name="create"),
    path("demandes/<reference:reference>/", requests.request_detail, name="detail"),
    path(
        "demandes/<reference:reference>/confirmation/",
        requests.request_confirmation,
        name="confirmation",
    ),
    path("demandes/<reference:reference>/repondre/", requests.request_reply, name="reply"),
    path("demandes/<reference:reference>/cloturer/", requests.request_close, name="close"),
    path("demandes/<reference:reference>/rouvrir/", requests.request_reopen, name="reopen"),
    path(
        "demandes/<reference:reference>/pieces-jointes/<int:pk>/",
        requests.request_attachment,
        name="attachment",
    ),
    # Suggestions while an agent types a request (htmx), under the knowledge base's path.
    path("ressources/suggestions/", requests.request_suggestions, name="suggestions"),
    path("equipe/file/", queue.queue, name="queue"),
    path("equipe/file/actions/", queue.bulk_action, name="bulk_action"),
    path("equipe/file/filtres/", queue.saved_filter_create, name="saved_filter_create"),
    path(
        "equipe/file/filtres/<int:pk>/supprimer/",
        queue.saved_filter_delete,
        name="saved_filter_delete",
    ),
    path("equipe/demandes/<reference:reference>/attribuer/", team_actions.assign, name="assign"),
    path(
        "equipe/demandes/<reference:reference>/statut/", team_actions.transition, name="transition"
    ),
    path(
        "equipe/demandes/<reference:reference>/escalader/", team_actions.escalate, name="escalate"
    ),
    path(
        "equipe/demandes/<reference:reference>/reorienter/",
        team_actions.redirect_out,
        name="redirect",
    ),
    path(
        "equipe/demandes/<reference:reference>/doublon/", team_actions.duplicate, name="duplicate"
    ),
    path("equipe/demandes/<reference:reference>/lier/", team_actions.link, name="link"),
]
