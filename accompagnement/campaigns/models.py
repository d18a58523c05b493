"""Campaigns and their milestones: the deadlines of a budget year, as data.

The seeded example is the 2011 closing and the 2012 start-up (`accompagnement/data/`), but
nothing here is tied to a year. A milestone targets DDIs by kind, by the programmes they
are attached for, and by the CSPs that serve them; each DDI acknowledges it once.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accompagnement.outbox.models import Notification
from ddi.enums import Confidence
from ddi.models import SourcedModel

DEFAULT_REMINDER_OFFSETS = (15, 7, 1, 0)


class CampaignKind(models.TextChoices):
    # Within a fiscal year the start-up comes first: "start_up" < "year_end" also sorts so.
    START_UP = "start_up", _("Démarrage de la gestion")
    YEAR_END = "year_end", _("Fin de gestion")


def default_reminder_offsets() -> list[int]:
    return list(DEFAULT_REMINDER_OFFSETS)


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class Campaign(models.Model):
    fiscal_year = models.PositiveSmallIntegerField(_("exercice"))
    kind = models.CharField(_("nature"), max_length=10, choices=CampaignKind.choices)
    title = models.CharField(_("intitulé"), max_length=150)

    class Meta:
        verbose_name = _("campagne")
        verbose_name_plural = _("campagnes")
        ordering = ["fiscal_year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "kind"], name="campaign_unique_year_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=CampaignKind.values), name="campaign_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(fiscal_year__gte=2000, fiscal_year__lte=2100),
                name="campaign_fiscal_year_plausible",
            ),
        ]

    def __str__(self):
        return self.title


class Milestone(SourcedModel):
    """A deadline of a campaign and what the targeted DDIs must do before it.

    Audience: every criterion left empty matches every DDI; the criteria filled in must all
    hold (kind among `ddi_kinds`, attached for one of `programmes`, served by one of
    `service_centres`). `confidence` is the due date's: a low or inferred one is shown as
    indicative.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("campagne")
    )
    code = models.SlugField(
        _("code"),
        max_length=80,
        help_text=_("Identifiant stable dans la campagne (fichier de référence, agendas)."),
    )
    title = models.CharField(_("intitulé"), max_length=200)
    explanation = models.TextField(
        _("ce que la DDI doit faire"), help_text=_("Concret, en quelques phrases.")
    )
    due_date = models.DateField(_("échéance"))
    date_note = models.CharField(
        _("précision sur la date"),
        max_length=200,
        blank=True,
        help_text=_("Libellé d'origine d'une date approximative (« mi/fin novembre »…)."),
    )
    ddi_kinds = models.JSONField(
        _("types de DDI visés"),
        default=list,
        blank=True,
        help_text=_("Vide : tous les types."),
    )
    programmes = models.ManyToManyField(
        "ddi.Programme",
        related_name="milestones",
        blank=True,
        verbose_name=_("programmes visés"),
        help_text=_("Vide : toutes les DDI ; sinon celles rattachées pour l'un d'eux."),
    )
    service_centres = models.ManyToManyField(
        "ddi.ServiceCentre",
        related_name="milestones",
        blank=True,
        verbose_name=_("CSP visés"),
        help_text=_("Vide : toutes les DDI ; sinon celles que l'un d'eux sert."),
    )
    reminder_offsets = models.JSONField(
        _("rappels (jours avant l'échéance)"),
        default=default_reminder_offsets,
        blank=True,
        help_text=_("Par exemple 15, 7, 1, 0 (0 : le jour même). Vide : aucun rappel."),
    )
    needs_acknowledgement = models.BooleanField(
        _("à marquer « fait » par la DDI"),
        default=True,
        help_text=_("Décoché pour une simple information (loi de finances…)."),
    )

    class Meta:
        verbose_name = _("jalon")
        verbose_name_plural = _("jalons")
        ordering = ["due_date", "title"]
        indexes = [models.Index(fields=["due_date"], name="milestone_due_date")]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="milestone_unique_code")
        ]

    def __str__(self):
        return self.title

    @property
    def is_date_indicative(self) -> bool:
        return self.confidence in (Confidence.LOW, Confidence.INFERRED)


class Acknowledgement(models.Model):
    """A DDI's "done" on a milestone: who said so for the DDI, and when (once per DDI)."""

    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.CASCADE,
        related_name="acknowledgements",
        verbose_name=_("jalon"),
    )
    ddi = models.ForeignKey(
        "ddi.DDI",
        on_delete=models.CASCADE,
        related_name="milestone_acknowledgements",
        verbose_name=_("DDI"),
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="milestone_acknowledgements",
        verbose_name=_("par"),
    )
    acknowledged_at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("jalon marqué fait")
        verbose_name_plural = _("jalons marqués faits")
        ordering = ["-acknowledged_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "ddi"], name="acknowledgement_unique_milestone_ddi"
            )
        ]

    def __str__(self):
        return f"{self.milestone} — {self.ddi_id}"


class ReminderDelivery(models.Model):
    """The idempotency record of one milestone reminder to one person.

    Claimed (inserted) before the e-mail is queued: a job that runs twice meets the unique
    constraint and sends nothing the second time.
    """

    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.CASCADE,
        related_name="reminder_deliveries",
        verbose_name=_("jalon"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_deliveries",
        verbose_name=_("destinataire"),
    )
    offset_days = models.PositiveSmallIntegerField(_("jours avant l'échéance"))
    notification = models.ForeignKey(
        Notification,
        on_delete=models.SET_NULL,
        related_name="reminder_deliveries",
        null=True,
        blank=True,
        verbose_name=_("courriel"),
    )
    created_at = models.DateTimeField(_("enregistré le"), default=timezone.now)

    class Meta:
        verbose_name = _("rappel de jalon")
        verbose_name_plural = _("rappels de jalons")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "recipient", "offset_days"],
                name="reminder_delivery_unique_milestone_recipient_offset",
            )
        ]

    def __str__(self):
        return f"{self.milestone} — J-{self.offset_days} — {self.recipient_id}"


class CalendarToken(models.Model):
    """The secret that opens a person's iCalendar feed without a session.

    Renewing it replaces the value: the previous subscription URL stops working.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_token",
        verbose_name=_("personne"),
    )
    token = models.CharField(_("jeton"), max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("jeton d'abonnement au calendrier")
        verbose_name_plural = _("jetons d'abonnement au calendrier")

    def __str__(self):
        return str(self.user_id)
