"""The outbox: every e-mail the portal sends, recorded before it is sent (the password
reset link too: web/password_reset.py)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accompagnement.outbox import registry


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyée")
    FAILED = "failed", _("Échec définitif")


class Notification(models.Model):
    """An e-mail to send (outbox).

    Written in the same transaction as the change it reports, so that nothing is lost
    when the broker or the mail server is down; a task sends it, a periodic job picks
    up what was left behind. `key` makes the same notification impossible to record twice.
    """

    key = models.CharField(_("clé"), max_length=200, unique=True)
    kind = models.CharField(_("nature"), max_length=40)
    # A person of the portal, or an outside address (a partner's functional mailbox).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
        verbose_name=_("destinataire"),
    )
    to_address = models.EmailField(_("adresse du destinataire extérieur"), blank=True)
    request = models.ForeignKey(
        "accompagnement.SupportRequest",
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
        verbose_name=_("demande"),
    )
    message = models.ForeignKey(
        "accompagnement.Message",
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
        verbose_name=_("message"),
    )
    context = models.JSONField(_("contexte"), default=dict, blank=True)
    status = models.CharField(
        _("état"),
        max_length=10,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="notification_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | ~models.Q(to_address=""),
                name="notification_has_recipient",
            )
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id or self.to_address}"

    def clean(self):
        # `kind` is a choice among the kinds the packages registered (registry.py), not
        # a `choices=` of the field: the outbox does not list the domains' kinds.
        super().clean()
        if not registry.is_registered(self.kind):
            raise ValidationError({"kind": registry.unknown_kind_message(self.kind)})
