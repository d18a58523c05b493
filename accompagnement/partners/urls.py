"""The partners' URLs: the directory (team), escalation and redirection from a request page
(team), the partners' response times and the support actions' register (pilotage)."""

from django.urls import path

from accompagnement.partners.views import actions, directory, escalations, stats

urlpatterns = [
    # The directory: the team reads, the pilot edits.
    path("equipe/partenaires/", directory.partner_list, name="list"),
    path("equipe/partenaires/nouveau/", directory.partner_create, name="create"),
    path("equipe/partenaires/<slug:code>/", directory.partner_detail, name="detail"),
    path("equipe/partenaires/<slug:code>/modifier/", directory.partner_update, name="update"),
    # From a request page: escalate, redirect, then follow the escalation to its answer.
    path("demandes/<reference:reference>/escalader/", escalations.escalate, name="escalate"),
    path("demandes/<reference:reference>/reorienter/", escalations.redirect_out, name="redirect"),
    path(
        "demandes/<reference:reference>/escalades/<int:pk>/ticket/",
        escalations.escalation_reference,
        name="escalation_reference",
    ),
    path(
        "demandes/<reference:reference>/escalades/<int:pk>/reponse/",
        escalations.escalation_answer,
        name="escalation_answer",
    ),
    # The pilot's view of the partners' response times.
    path("pilotage/partenaires/", stats.partner_stats, name="stats"),
    path("pilotage/export/partenaires.<str:fmt>", stats.partner_stats_export, name="stats_export"),
    # The ministries' own support actions, their coverage, and the pilot's follow-ups.
    path("pilotage/actions/", actions.action_list, name="actions"),
    path("pilotage/actions/nouvelle/", actions.action_create, name="action_create"),
    path("pilotage/actions/<int:pk>/modifier/", actions.action_update, name="action_update"),
    path("pilotage/actions/importer/", actions.action_import, name="action_import"),
    path("pilotage/actions/couverture/", actions.coverage, name="coverage"),
    path("pilotage/actions/relances/", actions.follow_ups, name="follow_ups"),
    path(
        "pilotage/actions/relances/<int:pk>/faite/",
        actions.follow_up_done,
        name="follow_up_done",
    ),
]
