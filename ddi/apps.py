from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DdiConfig(AppConfig):
    name = "ddi"
    verbose_name = _("Organisations (DDI, CSP, ministères)")
