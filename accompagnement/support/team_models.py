"""The team's own tools around the requests: the members' saved queue filters, shared
canned answers, the pilot's routing rules, and the team's switches (one row)."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accompagnement.axes.models import Axis, Category


class CannedResponse(models.Model):
    """A shared reply template: Markdown with placeholders (`canned.PLACEHOLDERS`)."""

    title = models.CharField(_("titre"), max_length=120)
    body = models.TextField(
        _("texte"),
        help_text=_(
            "En Markdown. Champs remplacés à l'insertion : {demandeur}, {reference}, "
            "{ddi}, {echeance}, {attribuee_a}."
        ),
    )
    axis = models.CharField(_("axe"), max_length=20, choices=Axis.choices, blank=True)
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        related_name="canned_responses",
        null=True,
        blank=True,
        verbose_name=_("catégorie"),
    )
    usage_count = models.PositiveIntegerField(_("utilisations"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="canned_responses",
        null=True,
        blank=True,
        verbose_name=_("créée par"),
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifiée le"), default=timezone.now)

    class Meta:
        verbose_name = _("réponse type")
        verbose_name_plural = _("réponses types")
        ordering = ["-usage_count", "title"]
        constraints = [models.UniqueConstraint(Lower("title"), name="canned_response_unique_title")]

    def __str__(self):
        return self.title


class RoutingRule(models.Model):
    """Who receives new requests matching an axis, a category, a programme, a DDI kind.

    The first active rule (by position) whose every set criterion matches the request
    wins; among its members the one with the lightest open load for their share of time,
    present that day, is chosen (`services/routing.py`).
    """

    name = models.CharField(_("nom"), max_length=120)
    position = models.PositiveSmallIntegerField(_("ordre"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    axis = models.CharField(_("axe"), max_length=20, choices=Axis.choices, blank=True)
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        related_name="routing_rules",
        null=True,
        blank=True,
        verbose_name=_("catégorie"),
    )
    programme = models.ForeignKey(
        "ddi.Programme",
        on_delete=models.CASCADE,
        related_name="routing_rules",
        null=True,
        blank=True,
        verbose_name=_("programme"),
    )
    ddi_kind = models.CharField(_("type de DDI"), max_length=6, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="routing_rules",
        verbose_name=_("membres"),
    )

    class Meta:
        verbose_name = _("règle d'attribution")
        verbose_name_plural = _("règles d'attribution")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name


class TeamSettings(models.Model):
    """The team's switches the pilot sets in the portal (one row)."""

    auto_assign = models.BooleanField(
        _("attribution automatique"),
        default=True,
        help_text=_("Désactivée, la règle propose un membre sur la demande et un membre confirme."),
    )

    class Meta:
        verbose_name = _("réglages de l'équipe")
        verbose_name_plural = _("réglages de l'équipe")

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "TeamSettings":
        return cls.objects.get_or_create(pk=1)[0]


class SavedFilter(models.Model):
    """A member's named set of queue filters (the query string of the queue)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_filters",
        verbose_name=_("membre"),
    )
    name = models.CharField(_("nom"), max_length=80)
    query = models.TextField(_("filtres"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("filtre enregistré")
        verbose_name_plural = _("filtres enregistrés")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "owner", name="saved_filter_unique_name_per_owner"
            )
        ]

    def __str__(self):
        return self.name
