"""Requests, as DDI agents see them (and the team on the request page)."""

from django.urls import path

from .views import requests as views

app_name = "requests"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("nouvelle/", views.request_create, name="create"),
    path("<str:reference>/", views.request_detail, name="detail"),
    path("<str:reference>/confirmation/", views.request_confirmation, name="confirmation"),
    path("<str:reference>/repondre/", views.request_reply, name="reply"),
    path("<str:reference>/cloturer/", views.request_close, name="close"),
    path("<str:reference>/rouvrir/", views.request_reopen, name="reopen"),
    path(
        "<str:reference>/pieces-jointes/<int:pk>/",
        views.request_attachment,
        name="attachment",
    ),
]
