from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class AccompagnementConfig(AppConfig):
    name = "accompagnement"
    verbose_name = _("Accompagnement")

    def ready(self):
        from .dashboards.aggregates import register_sqlite_functions
        from .dashboards.cache import on_request_deleted

        connection_created.connect(register_sqlite_functions, dispatch_uid="acc_sqlite_functions")
        # Cached dashboard tables must not count a deleted request.
        post_delete.connect(
            on_request_deleted,
            sender="accompagnement.SupportRequest",
            dispatch_uid="acc_dashboards_request_deleted",
        )
