"""The knowledge base (`/ressources/`)."""

from django.urls import path

from accompagnement.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.resource_index, name="index"),
    path("nouvelle/", views.resource_create, name="create"),
    path("<slug:slug>/", views.resource_detail, name="detail"),
    path("<slug:slug>/modifier/", views.resource_update, name="update"),
    path("<slug:slug>/suivre/", views.resource_follow, name="follow"),
]
