from django.conf import settings

from .navigation import navigation_for


def site(request):
    """Site identity and the role's navigation, without any database query."""
    user = getattr(request, "user", None)
    return {
        "SITE_TITLE": settings.SITE_TITLE,
        "SITE_TAGLINE": settings.SITE_TAGLINE,
        "navigation": navigation_for(user, request.path) if user is not None else [],
    }
