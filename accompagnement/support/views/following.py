"""Following a request from its page: a team member's button, a POST, then back."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accompagnement.accounts import roles
from accompagnement.support.selectors import requests as request_selectors
from accompagnement.support.services.following import support_request_follow

ACTIONS = {"follow": True, "unfollow": False}


@roles.role_required(roles.is_team)
@require_POST
def request_follow(request, reference):
    support_request = request_selectors.get_request_for(request.user, reference)
    follow = ACTIONS.get(request.POST.get("action", ""))
    if follow is None:
        messages.error(request, _("Action inconnue : la demande n’a pas été modifiée."))
    else:
        support_request_follow(request=support_request, user=request.user, follow=follow)
        if follow:
            done = _(
                "Vous suivez cette demande : ses messages et changements de statut vous "
                "sont signalés."
            )
        else:
            done = _("Vous ne suivez plus cette demande.")
        messages.success(request, done)
    return redirect("support:detail", reference=support_request.reference)
