"""The campaign calendar: the page, a DDI's "done", the iCalendar feed and its secret; and
the pilot's view of the milestone reminders (mounted under `/pilotage/rappels/`).

Access and reads go through `selectors.py` (`can_view_calendar`, `get_<thing>_for`);
writes through `services.py`.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST, require_safe
from icalendar import Calendar, Event, vDuration

from accompagnement.accounts import roles
from accompagnement.campaigns import selectors, services
from accompagnement.campaigns.forms import CalendarFilterForm
from accompagnement.campaigns.services import milestone_reminders_resend_failed
from accompagnement.interventions import selectors as interventions_selectors
from accompagnement.interventions.services import intervention_ical_event

FEED_NAME = "Accompagnement Chorus"
FEED_PRODID = "-//SGG//Accompagnement Chorus des DDI//FR"
# A UID must stay the same for a milestone across reloads and servers: built from the
# campaign and the milestone's code, never from a database id or the site's address.
FEED_UID_DOMAIN = "accompagnement-chorus"
FEED_REFRESH = timedelta(hours=12)


def _feed_url(request, token) -> str | None:
    if token is None:
        return None
    query = urlencode({selectors.CALENDAR_FEED_PARAM: token.token})
    return request.build_absolute_uri(f"{reverse('campaigns:ics')}?{query}")


@require_safe
def calendar_index(request):
    user = request.user
    if not selectors.can_view_calendar(user):
        raise PermissionDenied
    filters = CalendarFilterForm(
        request.GET or None, campaigns=selectors.campaigns_with_milestones()
    )
    today = timezone.localdate()
    is_agent = roles.is_agent(user)
    if is_agent:
        campaigns = selectors.calendar_for_ddi(
            ddi_id=user.ddi_id, today=today, campaign_id=filters.campaign_id()
        )
    else:
        campaigns = selectors.calendar_with_shares(today=today, campaign_id=filters.campaign_id())
    token = selectors.calendar_token_of(user)
    return render(
        request,
        "campaigns/index.html",
        {
            "filters": filters,
            "campaigns": campaigns,
            "is_agent": is_agent,
            "today": today,
            "feed_url": _feed_url(request, token),
            "token_created_at": token.created_at if token else None,
            "sessions": interventions_selectors.upcoming_sessions_for_calendar(user),
        },
    )


@require_POST
def milestone_acknowledge(request, pk):
    milestone = selectors.get_milestone_to_acknowledge_for(request.user, pk)
    _acknowledgement, created = services.milestone_acknowledge(
        milestone=milestone, user=request.user
    )
    if created:
        messages.success(
            request, _("« %(title)s » est marqué fait pour votre direction.") % {"title": milestone}
        )
    else:
        messages.info(request, _("Ce jalon était déjà marqué fait pour votre direction."))
    return redirect(f"{reverse('campaigns:index')}#jalon-{milestone.pk}")


@require_POST
def calendar_token_renew(request):
    if not selectors.can_view_calendar(request.user):
        raise PermissionDenied
    services.calendar_token_renew(user=request.user)
    messages.success(
        request,
        _(
            "Votre nouveau lien d’abonnement est prêt. L’ancien ne fonctionne plus : "
            "remplacez-le dans votre agenda."
        ),
    )
    return redirect(f"{reverse('campaigns:index')}#abonnement")


# Public by secret: a calendar application subscribes without a session. Without a valid
# `?jeton=` (or a session), `selectors.get_calendar_feed_user` answers 404.
@login_not_required
@require_safe
def calendar_feed(request):
    user = selectors.get_calendar_feed_user(request)
    milestones = selectors.milestones_for_user(user)
    page_url = request.build_absolute_uri(reverse("campaigns:index"))
    sessions = interventions_selectors.sessions_for_calendar(user)
    response = HttpResponse(
        _ical_calendar(milestones, page_url=page_url, sessions=sessions),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="accompagnement-chorus.ics"'
    # The URL carries a secret: no shared cache may keep what it returns.
    response["Cache-Control"] = "private, no-store"
    return response


def _ical_calendar(milestones, *, page_url: str, sessions=()) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", FEED_PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", FEED_NAME)
    calendar.add("x-wr-caldesc", _("Échéances des campagnes de fin de gestion et de démarrage"))
    # How often a subscribed application should fetch the feed again (RFC 7986, Outlook).
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(FEED_REFRESH))
    stamp = timezone.now()
    for milestone in milestones:
        link = f"{page_url}#jalon-{milestone.pk}"
        summary = milestone.title
        description = [milestone.explanation]
        if milestone.is_date_indicative:
            summary = _("%(title)s (date indicative)") % {"title": summary}
            note = f" : {milestone.date_note}" if milestone.date_note else ""
            description.append(_("Date indicative%(note)s.") % {"note": note})
        description.append(link)
        event = Event()
        campaign = milestone.campaign
        event.add(
            "uid", f"{campaign.fiscal_year}-{campaign.kind}-{milestone.code}@{FEED_UID_DOMAIN}"
        )
        event.add("dtstamp", stamp)
        event.add("dtstart", milestone.due_date)
        event.add("dtend", milestone.due_date + timedelta(days=1))
        event.add("summary", summary)
        event.add("description", "\n\n".join(description))
        event.add("url", link)
        event.add("categories", [campaign.title])
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    # The training sessions the person holds a place at or speaks at (same UID as the
    # invitation sent by e-mail: the agenda keeps one entry).
    for session in sessions:
        calendar.add_component(intervention_ical_event(session))
    return calendar.to_ical()


# The pilot's view of the milestone reminders: what went out, what waits, what failed,
# and a button to send the failed ones again.
@roles.role_required(roles.is_pilot)
@require_GET
def reminders(request):
    today = timezone.localdate()
    return render(
        request,
        "steering/reminders.html",
        {
            "today": today,
            "due_today": selectors.reminders_due_on(today),
            "milestones": list(selectors.milestones_with_delivery_counts()),
        },
    )


@roles.role_required(roles.is_pilot)
@require_POST
def reminders_resend(request, pk):
    milestone = selectors.get_milestone_for_pilot(pk)
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
