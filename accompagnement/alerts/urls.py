"""The notifications: `/notifications/` and the member's e-mail choices."""

from django.urls import path

from accompagnement.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list, name="list"),
    path("non-lues/", views.unread, name="unread"),
    path("preferences/", views.preferences, name="preferences"),
]
