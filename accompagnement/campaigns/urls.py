"""The campaign calendar: the page, its iCalendar feed, a DDI's "done", the feed's secret.

Included at the root: the feed lives at `/calendrier.ics`, next to `/calendrier/`.
"""

from django.urls import path

from accompagnement.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("calendrier/", views.calendar_index, name="index"),
    path("calendrier.ics", views.calendar_feed, name="ics"),
    path("calendrier/jalons/<int:pk>/fait/", views.milestone_acknowledge, name="acknowledge"),
    path("calendrier/abonnement/renouveler/", views.calendar_token_renew, name="renew_token"),
]
