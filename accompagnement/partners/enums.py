from django.db import models
from django.utils.translation import gettext_lazy as _

from accompagnement.support.enums import EscalationTarget

# The organisations the team works with (it coordinates them, never replaces them) are the
# targets an escalation can have: one list, kept by support (which cannot import partners).
PartnerKind = EscalationTarget


class AnswerChannel(models.TextChoices):
    """How a partner's answer to an escalation reached the team."""

    EMAIL = "email", _("Courriel")
    PHONE = "phone", _("Téléphone")
    MEETING = "meeting", _("Réunion")
    PORTAL = "portal", _("Outil du partenaire")
    MAIL_IN = "mail_in", _("Réponse au courriel du portail")


class SupportActionKind(models.TextChoices):
    TRAINING = "training", _("Formation")
    NOTE = "note", _("Note ou guide")
    CAMPAIGN = "campaign", _("Campagne d'accompagnement")
    VISIT = "visit", _("Visite sur site")
    MEETING = "meeting", _("Réunion ou webinaire")


class SupportActionStatus(models.TextChoices):
    PLANNED = "planned", _("Prévue")
    DONE = "done", _("Réalisée")
    CANCELLED = "cancelled", _("Annulée")
