"""Problems reported by many DDIs: one answer posted to every linked request.

A request belongs to at most one problem (`SupportRequest.problem`). An answer is copied
into each linked request as a public team reply; `ProblemAnswerDelivery` records, under a
unique (answer, request) pair, that the copy was made, so that repeating the action or
attaching a request again never posts the same answer twice.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("Ouvert")
    RESOLVED = "resolved", _("Résolu")


class Problem(models.Model):
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Markdown : ce que les DDI constatent.")
    )
    category = models.ForeignKey(
        "accompagnement.Category",
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("catégorie"),
    )
    programme = models.ForeignKey(
        "ddi.Programme",
        on_delete=models.PROTECT,
        related_name="problems",
        null=True,
        blank=True,
        verbose_name=_("programme"),
    )
    status = models.CharField(
        _("état"), max_length=10, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="created_problems",
        verbose_name=_("créé par"),
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    resolved_at = models.DateTimeField(_("résolu le"), null=True, blank=True)
    article = models.OneToOneField(
        "accompagnement.Article",
        on_delete=models.SET_NULL,
        related_name="source_problem",
        null=True,
        blank=True,
        verbose_name=_("article publié"),
    )

    class Meta:
        verbose_name = _("problème")
        verbose_name_plural = _("problèmes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-created_at"], name="problem_status_created")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ProblemStatus.values), name="problem_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status=ProblemStatus.OPEN, resolved_at__isnull=True)
                | models.Q(status=ProblemStatus.RESOLVED, resolved_at__isnull=False),
                name="problem_resolved_at_with_status",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("problems:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == ProblemStatus.OPEN


class ProblemAnswer(models.Model):
    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="answers", verbose_name=_("problème")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="problem_answers",
        verbose_name=_("auteur"),
    )
    body = models.TextField(_("texte"))
    # Given to the form when it is displayed: posting the same form twice (double click,
    # browser retry) finds this answer again instead of writing a second one.
    submission_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("écrite le"), default=timezone.now)

    class Meta:
        verbose_name = _("réponse à un problème")
        verbose_name_plural = _("réponses à un problème")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.problem_id} — {self.created_at:%Y-%m-%d %H:%M}"


class ProblemAnswerDelivery(models.Model):
    """The copy of an answer in one linked request (the idempotency record)."""

    answer = models.ForeignKey(
        ProblemAnswer,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("réponse"),
    )
    request = models.ForeignKey(
        "accompagnement.SupportRequest",
        on_delete=models.CASCADE,
        related_name="problem_answer_deliveries",
        verbose_name=_("demande"),
    )
    message = models.OneToOneField(
        "accompagnement.Message",
        on_delete=models.CASCADE,
        related_name="problem_delivery",
        null=True,
        blank=True,
        verbose_name=_("message"),
    )
    created_at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("réponse transmise")
        verbose_name_plural = _("réponses transmises")
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "request"], name="problem_answer_delivered_once"
            )
        ]

    def __str__(self):
        return f"{self.answer_id} → {self.request_id}"
