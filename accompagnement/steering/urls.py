"""The pilot's screens, under `/pilotage/`."""

from django.urls import path, re_path

from accompagnement.campaigns import views as campaigns_views
from accompagnement.steering import views

app_name = "steering"
urlpatterns = [
    path("", views.index, name="index"),
    path("qualite/", views.quality_view, name="quality"),
    path("carte/", views.map_view, name="map"),
    path("campagne/", views.campaign_view, name="campaign"),
    path("charge/", views.team_view, name="team"),
    re_path(
        r"^export/demandes\.(?P<fmt>csv|xlsx)$",
        views.export_requests,
        name="export_requests",
    ),
    re_path(
        r"^export/(?P<view>[a-z]+)/(?P<key>[a-z_]+)\.(?P<fmt>csv|xlsx)$",
        views.export_table,
        name="export",
    ),
    path("rappels/", campaigns_views.reminders, name="reminders"),
    path(
        "rappels/jalons/<int:pk>/renvoyer/",
        campaigns_views.reminders_resend,
        name="reminders_resend",
    ),
]
