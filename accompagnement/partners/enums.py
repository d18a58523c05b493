from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerKind(models.TextChoices):
    """The organisations the team works with (it coordinates them, never replaces them)."""

    MINISTRY = "ministry", _("Équipe Chorus d'un ministère")
    AIFE = "aife", _("AIFE")
    BUDGET = "budget", _("Direction du Budget")
    CSP = "csp", _("Centre de services partagés (CSP)")
    ACCOUNTING = "accounting", _("Comptable public (DRFiP, DDFiP)")
    OTHER = "other", _("Autre service de l'État")


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
