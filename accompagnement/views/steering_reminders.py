"""The pilot's view of the milestone reminders: what went out, what waits, what failed,
and a button to send the failed ones again."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from .. import permissions, selectors_reminders
from ..services.reminders import milestone_reminders_resend_failed


@permissions.role_required(permissions.is_pilot)
@require_GET
def reminders(request):
    today = timezone.localdate()
    return render(
        request,
        "accompagnement/steering/reminders.html",
        {
            "today": today,
            "due_today": selectors_reminders.reminders_due_on(today),
            "milestones": list(selectors_reminders.milestones_with_delivery_counts()),
        },
    )


@permissions.role_required(permissions.is_pilot)
@require_POST
def reminders_resend(request, pk):
    milestone = selectors_reminders.milestone_or_404(pk)
    count = milestone_reminders_resend_failed(milestone=milestone, user=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d rappel en échec de « %(title)s » est remis en file d’envoi.",
                "%(count)d rappels en échec de « %(title)s » sont remis en file d’envoi.",
                count,
            )
            % {"count": count, "title": milestone.title},
        )
    else:
        messages.info(
            request,
            _("Aucun rappel en échec pour « %(title)s » : rien n’a été renvoyé.")
            % {"title": milestone.title},
        )
    return redirect("steering:reminders")
