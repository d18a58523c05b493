from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertKind(models.TextChoices):
    """What the team is alerted of (`support/alerts.py` says who is told what)."""

    TRIAGE = "triage", _("Nouvelle demande à trier")
    URGENT = "urgent", _("Demande urgente")
    ASSIGNED = "assigned", _("Demande attribuée")
    APPROACHING = "approaching", _("Échéance proche")
    BREACHED = "breached", _("Échéance dépassée")
    AGENT_REPLY = "agent_reply", _("Message de la DDI")
    MENTION = "mention", _("Mention dans une note interne")
    FOLLOWED = "followed", _("Nouveauté sur une demande suivie")
    ESCALATION_APPROACHING = "escalation_approaching", _("Escalade : échéance du partenaire proche")
    ESCALATION_OVERDUE = "escalation_overdue", _("Escalade : partenaire en retard")
    ESCALATION_ANSWERED = "escalation_answered", _("Escalade : réponse du partenaire")
    FOLLOW_UP_DUE = "follow_up_due", _("Relance d’un partenaire à faire")


# Sent by e-mail at once; the others are grouped (settings.ALERT_DIGEST_MINUTES).
IMMEDIATE_KINDS = frozenset({AlertKind.URGENT})
