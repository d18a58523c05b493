"""The optimisation study: the follow-up page and the team's forms, under `/etude/`."""

from django.urls import path

from accompagnement.study import views

app_name = "study"
urlpatterns = [
    path("", views.study_index, name="index"),
    path("visibilite/", views.study_visibility, name="visibility"),
    path("diagnostics/nouveau/", views.diagnostic_create, name="diagnostic_create"),
    path("diagnostics/<int:pk>/", views.diagnostic_update, name="diagnostic_update"),
    path("recommandations/nouvelle/", views.recommendation_create, name="recommendation_create"),
    path("recommandations/<int:pk>/", views.recommendation_update, name="recommendation_update"),
    path(
        "recommandations/<int:recommendation_pk>/experimentations/nouvelle/",
        views.experiment_create,
        name="experiment_create",
    ),
    path("experimentations/<int:pk>/", views.experiment_update, name="experiment_update"),
]
