"""Sign-ins with ProConnect that no account matched yet.

A civil servant whose e-mail address matches no account is not let in: their sign-in is
kept here, with what ProConnect said about them, until the pilot opens their account.
One row per e-mail address: signing in again updates it.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PendingSignInStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    OPENED = "opened", _("Compte ouvert")


class PendingSignIn(models.Model):
    email = models.EmailField(_("adresse électronique"))
    given_name = models.CharField(_("prénom"), max_length=150, blank=True)
    usual_name = models.CharField(_("nom"), max_length=150, blank=True)
    siret = models.CharField(_("SIRET"), max_length=20, blank=True)
    organizational_unit = models.CharField(_("service"), max_length=255, blank=True)
    uid = models.CharField(
        _("identifiant chez le fournisseur d'identité"), max_length=255, blank=True
    )
    idp_id = models.CharField(_("fournisseur d'identité"), max_length=255, blank=True)
    sub = models.CharField(_("identifiant ProConnect (sub)"), max_length=255, blank=True)
    first_seen_at = models.DateTimeField(_("première tentative"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("dernière tentative"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("tentatives"), default=1)
    status = models.CharField(
        _("état"),
        max_length=10,
        choices=PendingSignInStatus.choices,
        default=PendingSignInStatus.PENDING,
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("compte ouvert"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("ouvert par"),
    )
    opened_at = models.DateTimeField(_("ouvert le"), null=True, blank=True)

    class Meta:
        verbose_name = _("connexion ProConnect en attente")
        verbose_name_plural = _("connexions ProConnect en attente")
        ordering = ["-last_seen_at"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="pending_sign_in_unique_email"),
        ]
        indexes = [models.Index(fields=["status", "-last_seen_at"], name="pending_sign_in_status")]

    def __str__(self):
        return self.email

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.usual_name}".strip()
