"""The notifications page (`/notifications/`), the header's count and the member's e-mail
choices.

Every signed-in person has the page (an agent's is empty: alerts are the team's). Opening
it marks read the alerts it shows, once the page is rendered: they still stand out this
time, and the header's count drops on the next page. The count is not rendered with the
pages (each would pay a query: the queue has a budget of 10): the header's script asks
`unread` for it.
"""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from accompagnement.accounts import roles
from accompagnement.alerts import selectors
from accompagnement.alerts.forms import EmailChoicesForm
from accompagnement.alerts.services import alerts_mark_read, team_member_email_choices_set

PAGE_SIZE = 25


@require_safe
def alert_list(request):
    paginator = Paginator(selectors.alerts_for(request.user), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    response = render(
        request,
        "alerts/list.html",
        {
            "page_obj": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2),
            "ellipsis": paginator.ELLIPSIS,
            "can_choose_emails": roles.is_team(request.user),
        },
    )
    if request.method == "GET":
        alerts_mark_read(
            user=request.user,
            alert_ids=[alert.pk for alert in page.object_list if alert.read_at is None],
        )
    return response


@require_safe
def unread(request):
    """The header's count (static/js/portail.js asks for it once a page is shown)."""
    count = selectors.unread_count(request.user) if roles.is_team(request.user) else 0
    label = ngettext("%(count)s non lue", "%(count)s non lues", count) % {"count": count}
    return JsonResponse({"count": count, "label": label if count else ""})


@roles.role_required(roles.is_team)
@require_http_methods(["GET", "POST"])
def preferences(request):
    member = selectors.get_team_profile_for(request.user)
    minutes = settings.ALERT_DIGEST_MINUTES
    if request.method == "POST":
        form = EmailChoicesForm(request.POST, digest_minutes=minutes)
        if form.is_valid():
            team_member_email_choices_set(
                member=member, email_kinds=form.cleaned_data["email_kinds"]
            )
            messages.success(request, _("Vos choix de courriels sont enregistrés."))
            return redirect("alerts:preferences")
        status = 400
    else:
        form = EmailChoicesForm(
            initial=EmailChoicesForm.initial_for(member.alerts_without_email),
            digest_minutes=minutes,
        )
        status = 200
    return render(request, "alerts/preferences.html", {"form": form}, status=status)
