from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("Agent de DDI")
    MEMBER = "member", _("Membre de l'équipe")
    PILOT = "pilot", _("Pilote (SGG)")
