"""The optimisation study the SGG launched alongside the team.

A study has dated phases (analysis, recommendations, experimentation), one diagnostic per
analysed DDI, recommendations, and experiments: a recommendation tried in a pilot DDI. The
mix of analysed DDIs and the number of pilot DDIs it requires are data on the study (the
2011 study: 2 DDCS, 2 DDPP, 2 DDCSPP, 1 DDT(M); 3 pilot DDIs), checked by
`selectors.analysis_mix`.
"""

from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accompagnement.axes.models import Axis
from ddi.enums import Confidence
from ddi.models import SourcedModel


class StudyPhaseKind(models.TextChoices):
    ANALYSIS = "analysis", _("Analyse")
    RECOMMENDATIONS = "recommendations", _("Recommandations")
    EXPERIMENTATION = "experimentation", _("Expérimentation")


class PhaseStatus(models.TextChoices):
    UPCOMING = "upcoming", _("À venir")
    CURRENT = "current", _("En cours")
    DONE = "done", _("Terminée")


class DiagnosticStatus(models.TextChoices):
    PLANNED = "planned", _("Prévu")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Terminé")


class RecommendationStatus(models.TextChoices):
    DRAFT = "draft", _("En préparation")
    ADOPTED = "adopted", _("Retenue")
    DROPPED = "dropped", _("Écartée")


class ExperimentStatus(models.TextChoices):
    PLANNED = "planned", _("Prévue")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminée")
    ABANDONED = "abandoned", _("Abandonnée")


class Study(SourcedModel):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("présentation"), blank=True)
    visible_to_agents = models.BooleanField(
        _("visible par les agents des DDI"),
        default=False,
        help_text=_("Les agents peuvent alors lire la page de suivi, jamais la modifier."),
    )
    required_ddcs = models.PositiveSmallIntegerField(_("DDCS à analyser"), default=2)
    required_ddpp = models.PositiveSmallIntegerField(_("DDPP à analyser"), default=2)
    required_ddcspp = models.PositiveSmallIntegerField(_("DDCSPP à analyser"), default=2)
    required_ddtm = models.PositiveSmallIntegerField(_("DDT(M) à analyser"), default=1)
    required_pilot_ddis = models.PositiveSmallIntegerField(
        _("DDI pilotes de l'expérimentation"), default=3
    )

    class Meta:
        verbose_name = _("étude d'optimisation")
        verbose_name_plural = _("études d'optimisation")
        ordering = ["-pk"]

    def __str__(self):
        return self.title


class StudyPhase(SourcedModel):
    study = models.ForeignKey(
        Study, on_delete=models.CASCADE, related_name="phases", verbose_name=_("étude")
    )
    kind = models.CharField(_("phase"), max_length=20, choices=StudyPhaseKind.choices)
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("contenu"), blank=True)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))
    date_note = models.CharField(
        _("précision sur les dates"),
        max_length=200,
        blank=True,
        help_text=_("Libellé d'origine d'une date approximative (« fin septembre »…)."),
    )

    class Meta:
        verbose_name = _("phase de l'étude")
        verbose_name_plural = _("phases de l'étude")
        ordering = ["start_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["study", "kind"], name="study_phase_unique_kind"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="study_phase_end_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_date_indicative(self) -> bool:
        return self.confidence in (Confidence.LOW, Confidence.INFERRED)

    def status_on(self, today: date) -> str:
        if today < self.start_date:
            return PhaseStatus.UPCOMING
        if today > self.end_date:
            return PhaseStatus.DONE
        return PhaseStatus.CURRENT

    def progress_on(self, today: date) -> int:
        """The share of the phase's calendar elapsed on `today`, in percent."""
        if today < self.start_date:
            return 0
        if today >= self.end_date:
            return 100
        total = (self.end_date - self.start_date).days + 1
        return round(100 * ((today - self.start_date).days + 1) / total)


class Diagnostic(models.Model):
    """The analysis of one DDI: its dates, where it stands, and what it found."""

    study = models.ForeignKey(
        Study, on_delete=models.CASCADE, related_name="diagnostics", verbose_name=_("étude")
    )
    ddi = models.ForeignKey(
        "ddi.DDI",
        on_delete=models.PROTECT,
        related_name="study_diagnostics",
        verbose_name=_("DDI analysée"),
    )
    status = models.CharField(
        _("état"),
        max_length=20,
        choices=DiagnosticStatus.choices,
        default=DiagnosticStatus.PLANNED,
    )
    start_date = models.DateField(_("début"), null=True, blank=True)
    end_date = models.DateField(_("fin"), null=True, blank=True)
    findings = models.TextField(
        _("constats"), blank=True, help_text=_("Markdown : listes, liens, tableaux.")
    )
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    class Meta:
        verbose_name = _("diagnostic")
        verbose_name_plural = _("diagnostics")
        ordering = ["ddi__kind", "ddi__department__code"]
        constraints = [
            models.UniqueConstraint(fields=["study", "ddi"], name="diagnostic_unique_study_ddi"),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="diagnostic_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.study} — {self.ddi}"


class Recommendation(models.Model):
    study = models.ForeignKey(
        Study, on_delete=models.CASCADE, related_name="recommendations", verbose_name=_("étude")
    )
    title = models.CharField(_("intitulé"), max_length=200)
    text = models.TextField(_("contenu"), help_text=_("Markdown : listes, liens, tableaux."))
    axis = models.CharField(_("axe"), max_length=20, choices=Axis.choices)
    status = models.CharField(
        _("état"),
        max_length=20,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.DRAFT,
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    class Meta:
        verbose_name = _("recommandation")
        verbose_name_plural = _("recommandations")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.title


class Experiment(models.Model):
    """A recommendation tried in one pilot DDI."""

    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="experiments",
        verbose_name=_("recommandation"),
    )
    ddi = models.ForeignKey(
        "ddi.DDI",
        on_delete=models.PROTECT,
        related_name="study_experiments",
        verbose_name=_("DDI pilote"),
    )
    status = models.CharField(
        _("état"),
        max_length=20,
        choices=ExperimentStatus.choices,
        default=ExperimentStatus.PLANNED,
    )
    start_date = models.DateField(_("début"), null=True, blank=True)
    end_date = models.DateField(_("fin"), null=True, blank=True)
    outcome = models.TextField(
        _("résultat"), blank=True, help_text=_("Ce que l'expérimentation a montré.")
    )

    class Meta:
        verbose_name = _("expérimentation")
        verbose_name_plural = _("expérimentations")
        ordering = ["ddi__kind", "ddi__department__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "ddi"], name="experiment_unique_recommendation_ddi"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="experiment_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.recommendation} — {self.ddi}"
