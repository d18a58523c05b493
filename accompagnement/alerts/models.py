"""The portal's notifications to a person (the bell of the header, `/notifications/`).

One row per person and event, under a unique key: a job that runs twice records nothing
new. An alert also goes by e-mail unless the member turned that kind off: urgent ones at
once, the others grouped in one e-mail every few minutes (`services.py`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accompagnement.alerts.enums import AlertKind


class Alert(models.Model):
    key = models.CharField(_("clé"), max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="alerts",
        verbose_name=_("destinataire"),
    )
    kind = models.CharField(_("nature"), max_length=30, choices=AlertKind.choices)
    request = models.ForeignKey(
        "accompagnement.SupportRequest",
        on_delete=models.CASCADE,
        related_name="alerts",
        null=True,
        blank=True,
        verbose_name=_("demande"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("auteur"),
    )
    text = models.CharField(_("texte"), max_length=300)
    created_at = models.DateTimeField(_("le"), default=timezone.now)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)
    # Whether it also goes by e-mail, and when that e-mail was recorded in the outbox.
    by_email = models.BooleanField(_("par courriel"), default=True)
    emailed_at = models.DateTimeField(_("envoyée par courriel le"), null=True, blank=True)

    class Meta:
        verbose_name = _("alerte")
        verbose_name_plural = _("alertes")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="alert_recipient_unread"),
            models.Index(fields=["recipient", "-created_at"], name="alert_recipient_recent"),
            models.Index(
                fields=["created_at"],
                condition=models.Q(by_email=True, emailed_at__isnull=True),
                name="alert_email_pending",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
