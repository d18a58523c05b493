"""Problems reported by many DDIs (`/equipe/problemes/`), for the team."""

from django.urls import path

from accompagnement.problems import views

app_name = "problems"
urlpatterns = [
    path("", views.problem_list, name="list"),
    path("nouveau/", views.problem_create_from_queue, name="create_from_queue"),
    path(
        "depuis/<reference:reference>/",
        views.problem_create_from_request,
        name="create_from_request",
    ),
    path("rattacher/<reference:reference>/", views.request_attach, name="request_attach"),
    path("<int:pk>/", views.problem_detail, name="detail"),
    path("<int:pk>/rattacher/", views.problem_attach, name="attach"),
    path("<int:pk>/detacher/", views.problem_detach, name="detach"),
    path("<int:pk>/modifier/", views.problem_edit, name="edit"),
    path("<int:pk>/rouvrir/", views.problem_reopen_view, name="reopen"),
    path("<int:pk>/repondre/", views.problem_answer, name="answer"),
    path("<int:pk>/resoudre/", views.problem_resolve_view, name="resolve"),
    path("<int:pk>/publier/", views.problem_publish, name="publish"),
]
