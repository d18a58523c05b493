"""The organisations the team works with, what the team asks them, and what they do
themselves for the DDIs.

- `Partner`: a ministry's Chorus support team, the AIFE, the Direction du Budget, a CSP,
  an accounting office (DRFiP, DDFiP) or another State service (the DRIHL for programme
  177 in Paris and the petite couronne); its scope (programmes, Chorus objects, regions,
  departments: empty means all), functional mailbox, contacts and response-time
  commitment in working hours. Seeded from the reference data, edited by the pilot.
- `Escalation`: one request sent to one partner, tracked to its answer on the partner's
  own clock (`expected_at`), while the team's clock is paused.
- `SupportAction`: a ministry's (or the AIFE's) own action for DDIs (training, note,
  campaign, visit), for an audience (`accompagnement.audience`).
- `FollowUpNote`: what the pilot must chase a partner about, by a date.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accompagnement.axes.models import Axis
from accompagnement.partners.enums import (
    AnswerChannel,
    PartnerKind,
    SupportActionKind,
    SupportActionStatus,
)
from ddi.models import SourcedModel


class Partner(SourcedModel):
    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("nature"), max_length=12, choices=PartnerKind.choices)
    ministries = models.ManyToManyField(
        "ddi.Ministry",
        related_name="partners",
        blank=True,
        verbose_name=_("ministères"),
        help_text=_("Deux ministères pour un centre commun (CPCM agriculture et écologie)."),
    )
    service_centre = models.OneToOneField(
        "ddi.ServiceCentre",
        on_delete=models.PROTECT,
        related_name="partner",
        null=True,
        blank=True,
        verbose_name=_("CSP"),
    )
    programmes = models.ManyToManyField(
        "ddi.Programme",
        related_name="partners",
        blank=True,
        verbose_name=_("programmes"),
        help_text=_("Vide : tous les programmes."),
    )
    chorus_objects = models.JSONField(
        _("objets Chorus"), default=list, blank=True, help_text=_("Vide : tous les objets.")
    )
    regions = models.ManyToManyField(
        "ddi.Region",
        related_name="partners",
        blank=True,
        verbose_name=_("régions"),
        help_text=_("Vide : compétence nationale."),
    )
    departments = models.ManyToManyField(
        "ddi.Department",
        related_name="partners",
        blank=True,
        verbose_name=_("départements"),
        help_text=_("Vide : tous les départements de ses régions."),
    )
    mailbox = models.EmailField(_("boîte fonctionnelle"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    website = models.URLField(_("site ou intranet"), blank=True)
    response_hours = models.PositiveSmallIntegerField(
        _("délai de réponse promis (heures ouvrées)"), default=18
    )
    reminder_max = models.PositiveSmallIntegerField(_("relances au plus par escalade"), default=3)
    notes = models.TextField(_("notes de l'équipe"), blank=True)
    active = models.BooleanField(_("actif"), default=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class PartnerContact(models.Model):
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("partenaire")
    )
    name = models.CharField(_("nom"), max_length=200)
    role = models.CharField(_("fonction"), max_length=200, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("contact d'un partenaire")
        verbose_name_plural = _("contacts des partenaires")
        ordering = ["partner", "position", "name"]

    def __str__(self):
        return f"{self.name} ({self.partner})"


class EscalationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(answered_at__isnull=True, withdrawn_at__isnull=True)


class Escalation(models.Model):
    """A request sent to a partner: who, to whom, when, their ticket, their answer."""

    request = models.ForeignKey(
        "accompagnement.SupportRequest",
        on_delete=models.CASCADE,
        related_name="escalations",
        verbose_name=_("demande"),
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="escalations", verbose_name=_("partenaire")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="escalations_sent",
        verbose_name=_("escaladée par"),
    )
    sent_at = models.DateTimeField(_("envoyée le"), default=timezone.now)
    summary = models.TextField(_("ce qui est demandé"))
    attachments = models.ManyToManyField(
        "accompagnement.Attachment",
        related_name="escalations",
        blank=True,
        verbose_name=_("pièces jointes transmises"),
    )
    partner_reference = models.CharField(
        _("numéro de ticket du partenaire"), max_length=100, blank=True
    )
    expected_at = models.DateTimeField(_("réponse attendue le"))
    answered_at = models.DateTimeField(_("répondue le"), null=True, blank=True)
    answered_via = models.CharField(
        _("réponse reçue par"), max_length=10, choices=AnswerChannel.choices, blank=True
    )
    answer = models.TextField(_("réponse du partenaire"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="escalation_answers_recorded",
        verbose_name=_("réponse enregistrée par"),
    )
    withdrawn_at = models.DateTimeField(_("reprise par l'équipe le"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("relances envoyées"), default=0)
    last_reminder_at = models.DateTimeField(_("dernière relance"), null=True, blank=True)
    approaching_alerted_at = models.DateTimeField(null=True, blank=True)
    overdue_alerted_at = models.DateTimeField(null=True, blank=True)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        verbose_name = _("escalade")
        verbose_name_plural = _("escalades")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(answered_at__isnull=True, withdrawn_at__isnull=True),
                name="escalation_one_open_per_request",
            )
        ]
        indexes = [
            models.Index(
                fields=["expected_at"],
                condition=Q(answered_at__isnull=True, withdrawn_at__isnull=True),
                name="escalation_open_expected",
            ),
            models.Index(fields=["partner", "sent_at"], name="escalation_partner_sent"),
        ]

    def __str__(self):
        return f"{self.request_id} → {self.partner}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None and self.withdrawn_at is None


class SupportAction(models.Model):
    """A partner's own support action for DDIs, for an audience (the one audience rule)."""

    owner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="support_actions",
        verbose_name=_("porteur"),
    )
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("nature"), max_length=10, choices=SupportActionKind.choices)
    axis = models.CharField(_("axe"), max_length=20, choices=Axis.choices)
    ddi_kinds = models.JSONField(
        _("types de DDI visés"), default=list, blank=True, help_text=_("Vide : tous les types.")
    )
    regions = models.ManyToManyField(
        "ddi.Region",
        related_name="support_actions",
        blank=True,
        verbose_name=_("régions visées"),
        help_text=_("Vide : toutes les régions."),
    )
    departments = models.ManyToManyField(
        "ddi.Department",
        related_name="support_actions",
        blank=True,
        verbose_name=_("départements visés"),
        help_text=_("Vide : tous les départements."),
    )
    programmes = models.ManyToManyField(
        "ddi.Programme",
        related_name="support_actions",
        blank=True,
        verbose_name=_("programmes visés"),
        help_text=_("Vide : toutes les DDI ; sinon celles rattachées pour l'un d'eux."),
    )
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"), null=True, blank=True)
    status = models.CharField(
        _("état"),
        max_length=10,
        choices=SupportActionStatus.choices,
        default=SupportActionStatus.PLANNED,
    )
    # An imported row keeps its key in the partner's file: importing again updates it.
    external_id = models.CharField(_("identifiant chez le porteur"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="support_actions_recorded",
        verbose_name=_("enregistrée par"),
    )
    created_at = models.DateTimeField(_("enregistrée le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("action d'accompagnement d'un partenaire")
        verbose_name_plural = _("actions d'accompagnement des partenaires")
        ordering = ["-starts_on", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "external_id"],
                condition=~Q(external_id=""),
                name="support_action_unique_external_id",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="support_action_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title


class FollowUpNote(models.Model):
    """What the pilot must chase a partner about ("relancer le MEDDTL sur…"), by a date."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("partenaire")
    )
    text = models.TextField(_("objet de la relance"))
    axis = models.CharField(_("axe"), max_length=20, choices=Axis.choices, blank=True)
    due_on = models.DateField(_("à relancer le"))
    done_at = models.DateTimeField(_("faite le"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="follow_up_notes",
        verbose_name=_("écrite par"),
    )
    created_at = models.DateTimeField(_("écrite le"), default=timezone.now)

    class Meta:
        verbose_name = _("relance d'un partenaire")
        verbose_name_plural = _("relances des partenaires")
        ordering = ["done_at", "due_on"]

    def __str__(self):
        return f"{self.partner} — {self.due_on}"
