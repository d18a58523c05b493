"""The team's screens: the shared queue and the actions on a request."""

app_name = "team"
urlpatterns: list = []
