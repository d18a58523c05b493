"""The alerts' e-mails, registered with the outbox (outbox/registry.py).

- `alert`: one alert at once (urgent requests);
- `alerts_digest`: a person's alerts of the last minutes, grouped in one e-mail.

Both keep the ids of their alerts in `context["alert_ids"]` (`services.py`); templates in
`templates/alerts/emails/`. For the team only: an agent never receives an alert.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accompagnement.accounts import roles
from accompagnement.alerts.models import Alert
from accompagnement.alerts.services import ALERT_EMAIL, DIGEST_EMAIL
from accompagnement.outbox.models import Notification
from accompagnement.outbox.registry import EmailKind, register


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _alerts(notification: Notification) -> list[Alert]:
    cached = getattr(notification, "_alerts", None)
    if cached is None:
        cached = list(
            Alert.objects.filter(
                pk__in=notification.context.get("alert_ids", []),
                recipient_id=notification.recipient_id,
            )
            .select_related("request")
            .order_by("created_at", "pk")
        )
        notification._alerts = cached
    return cached


def _gone_reason(notification: Notification) -> str:
    if not _alerts(notification):
        return _("Les alertes de ce courriel n'existent plus.")
    return ""


def _refusal_reason(notification: Notification) -> str:
    if not roles.is_team(notification.recipient):
        return _("Une alerte ne s'adresse qu'à un membre de l'équipe.")
    return ""


def _lines(notification: Notification) -> list[dict]:
    return [
        {
            "alert": alert,
            "url": _absolute(reverse("support:detail", args=[alert.request.reference]))
            if alert.request is not None
            else "",
        }
        for alert in _alerts(notification)
    ]


def _context(notification: Notification) -> dict:
    lines = _lines(notification)
    first = lines[0]
    list_url = _absolute(reverse("alerts:list"))
    return {
        "lines": lines,
        "alert": first["alert"],
        "list_url": list_url,
        "preferences_url": _absolute(reverse("alerts:preferences")),
        # The button at the bottom: the request of a single alert, else the list.
        "url": first["url"] if notification.kind == ALERT_EMAIL and first["url"] else list_url,
        "to_request": notification.kind == ALERT_EMAIL and bool(first["url"]),
    }


def _alert_prefix(notification: Notification) -> str:
    alerts = _alerts(notification)
    if alerts and alerts[0].request is not None:
        return f"[{alerts[0].request.reference}]"
    return str(_("[Alerte]"))


register(
    EmailKind(
        name=ALERT_EMAIL,
        template="alerts/emails/alert",
        subject_prefix=_alert_prefix,
        context=_context,
        gone_reason=_gone_reason,
        refusal_reason=_refusal_reason,
    )
)
register(
    EmailKind(
        name=DIGEST_EMAIL,
        template="alerts/emails/alerts_digest",
        subject_prefix=gettext_lazy("[Alertes]"),
        context=_context,
        gone_reason=_gone_reason,
        refusal_reason=_refusal_reason,
    )
)
