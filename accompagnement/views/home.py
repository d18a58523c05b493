from django.shortcuts import render

from .. import permissions, selectors


def home(request):
    user = request.user
    if permissions.is_agent(user):
        return render(
            request,
            "accompagnement/home_agent.html",
            {"ddi": user.ddi, "attachments": selectors.attachments_for_ddi(ddi=user.ddi)},
        )
    if permissions.is_team(user):
        return render(
            request,
            "accompagnement/home_team.html",
            {"roster": selectors.team_roster(), "is_pilot": permissions.is_pilot(user)},
        )
    # An account without a usable role (e.g. an agent whose DDI was removed).
    return render(request, "accompagnement/home_no_role.html", status=403)
