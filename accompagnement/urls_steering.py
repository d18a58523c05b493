"""The pilot's screens, under `/pilotage/`."""

from django.urls import path

from .views import steering_reminders

app_name = "steering"
urlpatterns = [
    path("rappels/", steering_reminders.reminders, name="reminders"),
    path(
        "rappels/jalons/<int:pk>/renvoyer/",
        steering_reminders.reminders_resend,
        name="reminders_resend",
    ),
]
