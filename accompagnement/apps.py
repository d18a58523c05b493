"""The one Django app of the portal; its packages are listed in docs/architecture.md."""

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_migrate
from django.utils.translation import gettext_lazy as _


class AccompagnementConfig(AppConfig):
    name = "accompagnement"
    verbose_name = _("Accompagnement")

    def ready(self):
        # Imported here, not at the top: models may only be imported once the app registry
        # is ready (Django's documented place for start-up wiring). The `emails` modules
        # register their kinds of e-mail with the outbox (outbox/registry.py).
        from accompagnement import tasks  # noqa: F401  (registers every Celery task)
        from accompagnement.accounts.services import pilot_group_sync_after_migrate
        from accompagnement.alerts import emails as alerts_emails  # noqa: F401
        from accompagnement.campaigns import emails as campaigns_emails  # noqa: F401
        from accompagnement.interventions import emails as interventions_emails  # noqa: F401
        from accompagnement.partners import emails as partners_emails  # noqa: F401
        from accompagnement.partners import extensions as partners_extensions  # noqa: F401
        from accompagnement.partners import reminder_emails  # noqa: F401
        from accompagnement.problems import extensions  # noqa: F401  (support's screens)
        from accompagnement.steering import emails as steering_emails  # noqa: F401
        from accompagnement.steering.dashboards.aggregates import register_sqlite_functions
        from accompagnement.steering.dashboards.cache import on_request_deleted
        from accompagnement.support import emails as support_emails  # noqa: F401
        from accompagnement.web import emails as web_emails  # noqa: F401  (password reset)
        from accompagnement.web.middleware import stamp_session_on_login

        connection_created.connect(register_sqlite_functions, dispatch_uid="acc_sqlite_functions")
        # Cached dashboard tables must not count a deleted request.
        post_delete.connect(
            on_request_deleted,
            sender="accompagnement.SupportRequest",
            dispatch_uid="acc_dashboards_request_deleted",
        )
        # The session's inactivity expiry starts at login (web/middleware.py).
        user_logged_in.connect(stamp_session_on_login, dispatch_uid="acc_session_login_stamp")
        # After each `migrate` (each deployment), the pilots' group holds exactly the
        # permissions of accounts/services.py, whatever it held before.
        post_migrate.connect(
            pilot_group_sync_after_migrate, sender=self, dispatch_uid="acc_pilot_group_sync"
        )
