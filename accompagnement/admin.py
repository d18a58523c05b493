"""The Django admin: the site's identity here, each package's model admins in its own
`admin.py`, imported below so that they register."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from dsfr.models import DsfrConfig

from accompagnement.accounts import admin as accounts_admin  # noqa: F401
from accompagnement.axes import admin as axes_admin  # noqa: F401
from accompagnement.campaigns import admin as campaigns_admin  # noqa: F401
from accompagnement.core import ratelimits
from accompagnement.interventions import admin as interventions_admin  # noqa: F401
from accompagnement.knowledge import admin as knowledge_admin  # noqa: F401
from accompagnement.outbox import admin as outbox_admin  # noqa: F401
from accompagnement.partners import admin as partners_admin  # noqa: F401
from accompagnement.problems import admin as problems_admin  # noqa: F401
from accompagnement.study import admin as study_admin  # noqa: F401
from accompagnement.support import admin as support_admin  # noqa: F401

admin.site.site_header = _("Accompagnement Chorus — administration")
admin.site.site_title = _("Accompagnement Chorus")
admin.site.index_title = _("Données de référence et comptes")
# The admin's password form is the portal's twin: django-axes locks it out on the same
# failures, and each attempt counts in the same sign-in rate limit per address.
admin.site.login = ratelimits.limit_posts(ratelimits.LOGIN)(admin.site.login)


# The site identity lives in the settings (no database query per page), so
# django-dsfr's own configuration model has nothing to edit here.
if admin.site.is_registered(DsfrConfig):
    admin.site.unregister(DsfrConfig)
