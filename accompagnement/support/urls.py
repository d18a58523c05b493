"""Support requests: the agents' pages, the request page and the team's queue and actions."""

from django.urls import path

from accompagnement.support.views import (
    canned,
    following,
    queue,
    requests,
    routing,
    team_actions,
)

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
    # The team's corrections of the classification (from the request page's panel).
    path("demandes/<reference:reference>/trier/", team_actions.triage, name="triage"),
    path("demandes/<reference:reference>/suivre/", following.request_follow, name="follow"),
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
        "equipe/demandes/<reference:reference>/confirmer-attribution/",
        team_actions.accept_proposal,
        name="accept_proposal",
    ),
    path(
        "equipe/demandes/<reference:reference>/statut/", team_actions.transition, name="transition"
    ),
    path(
        "equipe/demandes/<reference:reference>/doublon/", team_actions.duplicate, name="duplicate"
    ),
    path("equipe/demandes/<reference:reference>/lier/", team_actions.link, name="link"),
    # Routing: the rules and the automatic assignment switch (the pilot edits, the team reads).
    path("equipe/regles/", routing.routing_rules, name="routing_rules"),
    path("equipe/regles/nouvelle/", routing.routing_rule_create, name="routing_rule_create"),
    path("equipe/regles/<int:pk>/", routing.routing_rule_update, name="routing_rule_update"),
    path(
        "equipe/regles/<int:pk>/supprimer/",
        routing.routing_rule_remove,
        name="routing_rule_delete",
    ),
    path(
        "equipe/regles/attribution-automatique/",
        routing.auto_assign_switch,
        name="auto_assign_switch",
    ),
    path("equipe/demandes/<reference:reference>/fusionner/", team_actions.merge, name="merge"),
    # Canned answers, and the text of one for a request's reply box.
    path("equipe/reponses-types/", canned.canned_list, name="canned_list"),
    path("equipe/reponses-types/nouvelle/", canned.canned_create, name="canned_create"),
    path("equipe/reponses-types/<int:pk>/modifier/", canned.canned_update, name="canned_update"),
    path("equipe/reponses-types/<int:pk>/supprimer/", canned.canned_delete, name="canned_delete"),
    path(
        "equipe/demandes/<reference:reference>/reponses-types/<int:pk>/",
        canned.canned_text,
        name="canned_text",
    ),
]
