"""The main menu: one list, filtered by the viewer's role and the pages that exist; and the
context processor (`site`) that gives every template the site's identity and that menu."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accompagnement.accounts import roles


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    allowed: object  # a predicate of accounts/roles.py taking the user


# Pages announced in DESIGN.md join the menu as soon as their URL exists.
MENU = [
    NavItem(_("Accueil"), "home", roles.is_authenticated),
    NavItem(_("Mes demandes"), "support:list", roles.is_agent),
    NavItem(_("File de l'équipe"), "support:queue", roles.is_team),
    NavItem(_("Réponses types"), "support:canned_list", roles.is_team),
    NavItem(_("Partenaires"), "partners:list", roles.is_team),
    NavItem(_("Problèmes"), "problems:list", roles.is_team),
    NavItem(_("Calendrier"), "campaigns:index", roles.is_authenticated),
    NavItem(_("Ressources"), "knowledge:index", roles.is_authenticated),
    NavItem(_("Interventions"), "interventions:index", roles.is_authenticated),
    NavItem(_("Étude d’optimisation"), "study:index", roles.is_team),
    NavItem(_("Pilotage"), "steering:index", roles.is_pilot),
    NavItem(_("Rappels envoyés"), "steering:reminders", roles.is_pilot),
]


def navigation_for(user, current_path: str) -> list[dict]:
    if not roles.is_authenticated(user):
        return []
    items = []
    for item in MENU:
        if not item.allowed(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "current": False})
    # The current entry is the one whose URL is the longest prefix of the page's path
    # (`/pilotage/rappels/` is "Rappels envoyés", not "Pilotage").
    matching = [
        entry
        for entry in items
        if (current_path == "/" if entry["url"] == "/" else current_path.startswith(entry["url"]))
    ]
    if matching:
        max(matching, key=lambda entry: len(entry["url"]))["current"] = True
    return items


def site(request):
    """Site identity and the role's navigation, without any database query."""
    user = getattr(request, "user", None)
    return {
        "SITE_TITLE": settings.SITE_TITLE,
        "SITE_TAGLINE": settings.SITE_TAGLINE,
        "navigation": navigation_for(user, request.path) if user is not None else [],
        # The footer's link to /sante/, whose details only the team reads (web/health.py).
        "show_health_link": roles.sees_diagnostics(user),
        # The header's link to the team's alerts; static/js/portail.js fetches its count
        # after the page is shown, so that no page (the queue's budget) pays for it.
        "show_alerts_link": roles.is_team(user),
    }
