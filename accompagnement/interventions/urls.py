"""Interventions (`/interventions/`): training sessions and workshops for the DDIs."""

from django.urls import path

from accompagnement.interventions import views

app_name = "interventions"
urlpatterns = [
    path("", views.intervention_list, name="index"),
    path("nouvelle/", views.intervention_create, name="create"),
    path("couverture/", views.coverage, name="coverage"),
    path("<int:pk>/", views.intervention_detail, name="detail"),
    path("<int:pk>/modifier/", views.intervention_update, name="update"),
    path("<int:pk>/ouvrir/", views.intervention_open, name="open"),
    path("<int:pk>/annuler/", views.intervention_cancel, name="cancel"),
    path("<int:pk>/inscrire/", views.registration_create, name="register"),
    path("<int:pk>/presences/", views.attendance_record, name="attendance"),
    path("inscriptions/<int:pk>/annuler/", views.registration_cancel, name="unregister"),
    path("inscriptions/<int:pk>/avis/", views.feedback, name="feedback"),
]
