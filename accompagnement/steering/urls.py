"""The pilot's screens, under `/pilotage/`."""

from django.urls import path, re_path

from accompagnement.campaigns import views as steering_reminders
from accompagnement.steering import views as steering

app_name = "steering"
urlpatterns = [
    path("", steering.index, name="index"),
    path("qualite/", steering.quality_view, name="quality"),
    path("carte/", steering.map_view, name="map"),
    path("campagne/", steering.campaign_view, name="campaign"),
    path("charge/", steering.team_view, name="team"),
    re_path(
        r"^export/demandes\.(?P<fmt>csv|xlsx)$",
        steering.export_requests,
        name="export_requests",
    ),
    re_path(
        r"^export/(?P<view>[a-z]+)/(?P<key>[a-z_]+)\.(?P<fmt>csv|xlsx)$",
        steering.export_table,
        name="export",
    ),
    path("rappels/", steering_reminders.reminders, name="reminders"),
    path(
        "rappels/jalons/<int:pk>/renvoyer/",
        steering_reminders.reminders_resend,
        name="reminders_resend",
    ),
]
