"""The home page, one per role, and the accessibility statement."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accompagnement.accounts import roles
from accompagnement.accounts import selectors as accounts_selectors
from ddi import selectors


def home(request):
    user = request.user
    if roles.is_agent(user):
        return render(
            request,
            "web/home_agent.html",
            {"ddi": user.ddi, "attachments": selectors.attachments_for_ddi(ddi=user.ddi)},
        )
    if roles.is_team(user):
        return render(
            request,
            "web/home_team.html",
            {"roster": accounts_selectors.team_roster(), "is_pilot": roles.is_pilot(user)},
        )
    # An account without a usable role (e.g. an agent whose DDI was removed).
    return render(request, "web/home_no_role.html", status=403)


@login_not_required
@require_GET
def accessibility(request):
    """Public: the accessibility statement (RGAA), linked from every page's footer."""
    return render(request, "web/accessibility.html")
