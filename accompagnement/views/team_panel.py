"""The team's action panel on the request page (assign, status, escalate…)."""


def team_panel_context(http_request, support_request) -> dict:
    """Extra context for `accompagnement/requests/_team_panel.html`."""
    return {}
