"""Interventions: the team's training sessions and workshops for the DDIs.

A session is announced (draft, then open for registration), fills up to its capacity, then
a waiting list in order; it is held (attendance recorded) or cancelled. "Full" is not
stored: it is an open session whose confirmed registrations reach the capacity.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accompagnement.axes.models import Axis


class InterventionFormat(models.TextChoices):
    ON_SITE = "on_site", _("Sur place (département ou région)")
    VIDEO = "video", _("Visioconférence")
    WEBINAR = "webinar", _("Webinaire")


class InterventionStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    OPEN = "open", _("Inscriptions ouvertes")
    FULL = "full", _("Complète")  # derived: an open session at capacity, never stored
    HELD = "held", _("Tenue")
    CANCELLED = "cancelled", _("Annulée")


STORED_STATUSES = (
    InterventionStatus.DRAFT,
    InterventionStatus.OPEN,
    InterventionStatus.HELD,
    InterventionStatus.CANCELLED,
)


class Intervention(models.Model):
    """A training session or workshop.

    Audience: every criterion left empty matches every DDI; the criteria filled in must all
    hold (kind among `ddi_kinds`, in one of `regions`, attached for one of `programmes`).
    `schedule_version` grows at each change of date, duration, format or place, so that the
    change notice of each version goes out once to each registrant.
    """

    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("programme de la session"), blank=True)
    axis = models.CharField(_("axe"), max_length=20, choices=Axis.choices)
    topics = models.ManyToManyField(
        "accompagnement.Category",
        related_name="interventions",
        blank=True,
        verbose_name=_("thèmes"),
    )
    format = models.CharField(_("format"), max_length=10, choices=InterventionFormat.choices)
    department = models.ForeignKey(
        "ddi.Department",
        on_delete=models.PROTECT,
        related_name="interventions",
        null=True,
        blank=True,
        verbose_name=_("département"),
    )
    region = models.ForeignKey(
        "ddi.Region",
        on_delete=models.PROTECT,
        related_name="hosted_interventions",
        null=True,
        blank=True,
        verbose_name=_("région"),
    )
    place = models.CharField(_("lieu"), max_length=250, blank=True)
    link = models.URLField(_("lien de connexion"), blank=True)
    starts_at = models.DateTimeField(_("début"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("durée (minutes)"), validators=[MinValueValidator(15), MaxValueValidator(8 * 60)]
    )
    speakers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="interventions_as_speaker",
        blank=True,
        verbose_name=_("intervenants"),
    )
    capacity = models.PositiveSmallIntegerField(
        _("nombre de places"), validators=[MinValueValidator(1)]
    )
    ddi_kinds = models.JSONField(
        _("types de DDI visés"), default=list, blank=True, help_text=_("Vide : tous les types.")
    )
    regions = models.ManyToManyField(
        "ddi.Region",
        related_name="interventions",
        blank=True,
        verbose_name=_("régions visées"),
        help_text=_("Vide : toutes les régions."),
    )
    programmes = models.ManyToManyField(
        "ddi.Programme",
        related_name="interventions",
        blank=True,
        verbose_name=_("programmes visés"),
        help_text=_("Vide : toutes les DDI ; sinon celles rattachées pour l'un d'eux."),
    )
    articles = models.ManyToManyField(
        "accompagnement.Article",
        related_name="interventions",
        blank=True,
        verbose_name=_("supports (articles des ressources)"),
    )
    registration_closes_at = models.DateTimeField(_("clôture des inscriptions"))
    status = models.CharField(
        _("état"),
        max_length=10,
        choices=InterventionStatus.choices,
        default=InterventionStatus.DRAFT,
    )
    schedule_version = models.PositiveIntegerField(_("version des horaires"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="interventions_created",
        verbose_name=_("créée par"),
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["status", "starts_at"], name="intervention_status_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in STORED_STATUSES]),
                name="intervention_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="intervention_capacity_positive"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("interventions:detail", args=[self.pk])

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_remote(self) -> bool:
        return self.format != InterventionFormat.ON_SITE

    @property
    def location(self) -> str:
        """Where to go: the place, the link, or both."""
        return " — ".join(part for part in (self.place, self.link) if part)

    def registration_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == InterventionStatus.OPEN and now < self.registration_closes_at


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(cancelled_at__isnull=True)

    def confirmed(self):
        return self.active().filter(waiting_rank__isnull=True)

    def waiting(self):
        return self.active().filter(waiting_rank__isnull=False)


class Registration(models.Model):
    """One person's place (or place on the waiting list) at a session, for their DDI.

    `waiting_rank` is null for a confirmed place; on the waiting list, the smallest rank is
    promoted first. A cancelled registration stays (with `cancelled_at`); the person may
    register again with a new row.
    """

    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.CASCADE,
        related_name="registrations",
        verbose_name=_("intervention"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="intervention_registrations",
        verbose_name=_("participant"),
    )
    ddi = models.ForeignKey(
        "ddi.DDI",
        on_delete=models.PROTECT,
        related_name="intervention_registrations",
        verbose_name=_("DDI"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="intervention_registrations_made",
        verbose_name=_("inscrit par"),
    )
    waiting_rank = models.PositiveIntegerField(_("rang en liste d'attente"), null=True, blank=True)
    created_at = models.DateTimeField(_("inscrit le"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("désinscrit le"), null=True, blank=True)
    attended = models.BooleanField(_("présent"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "person"],
                condition=models.Q(cancelled_at__isnull=True),
                name="registration_unique_active_person",
            ),
            models.UniqueConstraint(
                fields=["intervention", "waiting_rank"],
                condition=models.Q(cancelled_at__isnull=True, waiting_rank__isnull=False),
                name="registration_unique_waiting_rank",
            ),
        ]

    def __str__(self):
        return f"{self.intervention} — {self.person_id}"

    @property
    def is_confirmed(self) -> bool:
        return self.cancelled_at is None and self.waiting_rank is None


class Feedback(models.Model):
    """An attendee's satisfaction (once per registration)."""

    registration = models.OneToOneField(
        Registration,
        on_delete=models.CASCADE,
        related_name="feedback",
        verbose_name=_("inscription"),
    )
    score = models.PositiveSmallIntegerField(
        _("note"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("commentaire"), blank=True)
    created_at = models.DateTimeField(_("donné le"), default=timezone.now)

    class Meta:
        verbose_name = _("avis sur une intervention")
        verbose_name_plural = _("avis sur les interventions")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="feedback_score_1_to_5"
            )
        ]

    def __str__(self):
        return f"{self.registration} — {self.score}/5"
