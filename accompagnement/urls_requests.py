"""Requests, as DDI agents see them (and the team on the request page)."""

app_name = "requests"
urlpatterns: list = []
