from django.db import models
from django.utils.translation import gettext_lazy as _


class ChorusObject(models.TextChoices):
    EJ = "ej", _("EJ (engagement juridique, bon de commande)")
    DA = "da", _("DA (demande d'achat)")
    SF = "sf", _("SF (service fait)")
    DP = "dp", _("DP (demande de paiement)")
    TIERS = "tiers", _("Tiers (fournisseur)")
    RESTITUTION = "restitution", _("Restitution (INF-BUD, BO)")
    FORMULAIRE = "formulaire", _("Chorus Formulaires")
    HABILITATION = "habilitation", _("Habilitation, droits d'accès")
    OTHER = "other", _("Autre")


class Priority(models.TextChoices):
    # Ordered from least to most urgent; `PRIORITY_RANK` sorts the queue.
    LOW = "low", _("Faible : question ou amélioration, sans échéance")
    NORMAL = "normal", _("Normale : gêne dans le travail courant, un contournement existe")
    HIGH = "high", _("Haute : paiement bloqué ou échéance de fin de gestion proche")
    URGENT = "urgent", _("Urgente : plusieurs paiements bloqués ou échéance dans 2 jours ouvrés")


PRIORITY_RANK = {Priority.LOW: 1, Priority.NORMAL: 2, Priority.HIGH: 3, Priority.URGENT: 4}

PRIORITY_SHORT_LABELS = {
    Priority.LOW: _("Faible"),
    Priority.NORMAL: _("Normale"),
    Priority.HIGH: _("Haute"),
    Priority.URGENT: _("Urgente"),
}


class Status(models.TextChoices):
    NEW = "new", _("Nouvelle")
    IN_PROGRESS = "in_progress", _("En cours")
    WAITING_DDI = "waiting_ddi", _("En attente de la DDI")
    ESCALATED = "escalated", _("Escaladée")
    RESOLVED = "resolved", _("Résolue")
    CLOSED = "closed", _("Clôturée")
    REDIRECTED = "redirected", _("Réorientée")
    MERGED = "merged", _("Fusionnée")


OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.WAITING_DDI, Status.ESCALATED)
FINISHED_STATUSES = (Status.RESOLVED, Status.CLOSED, Status.REDIRECTED, Status.MERGED)
# The SLA clock stops while the request waits for the DDI or for a partner.
PAUSED_STATUSES = (Status.WAITING_DDI, Status.ESCALATED)


class EscalationTarget(models.TextChoices):
    MINISTRY = "ministry", _("Équipe Chorus d'un ministère")
    AIFE = "aife", _("AIFE")
    BUDGET = "budget", _("Direction du Budget")
    CSP = "csp", _("Centre de services partagés (CSP)")
    ACCOUNTING = "accounting", _("Comptable public (DRFiP, DDFiP)")
    OTHER = "other", _("Autre service de l'État")


class MessageKind(models.TextChoices):
    PUBLIC = "public", _("Réponse")
    INTERNAL = "internal", _("Note interne")


class EventKind(models.TextChoices):
    CREATED = "created", _("Demande déposée")
    STATUS = "status", _("Changement de statut")
    ASSIGNED = "assigned", _("Attribution")
    PRIORITY = "priority", _("Changement de priorité")
    REPLIED = "replied", _("Réponse publique")
    NOTE = "note", _("Note interne")
    ESCALATED = "escalated", _("Escalade")
    REDIRECTED = "redirected", _("Réorientation")
    DUPLICATE = "duplicate", _("Doublon")
    LINKED = "linked", _("Demande liée")
    NOTIFIED = "notified", _("Notification")
    PROBLEM = "problem", _("Rattachement à un problème")
    CORRECTED = "corrected", _("Correction")
    CLOCK_PAUSED = "clock_paused", _("Horloge suspendue")
    CLOCK_RESUMED = "clock_resumed", _("Horloge relancée")
    MERGED = "merged", _("Fusion")
    PARTNER_REMINDED = "partner_reminded", _("Relance du partenaire")
    FOLLOWED = "followed", _("Suivi")
