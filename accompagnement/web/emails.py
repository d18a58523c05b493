"""The forgotten-password e-mail, registered with the outbox (outbox/registry.py).

Recorded by `password_reset.py`; templates in `templates/web/emails/`. The link (uid and
token) is made when the e-mail is sent, not stored with the notification: a working
link never sits in the outbox's table (nor in its admin page, nor in a backup), and the
link is valid for `PASSWORD_RESET_TIMEOUT` (3 days, as the e-mail says) from the moment
it leaves, however long the e-mail waited for a mail server. Django's token ends sooner
when the account changes: once used (the password changes), or once the person signs in.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accompagnement.outbox.models import Notification
from accompagnement.outbox.registry import EmailKind, register
from accompagnement.web.password_reset import PASSWORD_RESET_KIND


def password_reset_url(user) -> str:
    """The absolute address of the page where `user` chooses a new password."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def _refusal_reason(notification: Notification) -> str:
    # The outbox already refuses a deactivated account or one without an address.
    if not notification.recipient.has_usable_password():
        return _("Ce compte n'a pas de mot de passe : aucun lien n'a été envoyé.")
    return ""


def _context(notification: Notification) -> dict:
    return {"user": notification.recipient, "url": password_reset_url(notification.recipient)}


register(
    EmailKind(
        name=PASSWORD_RESET_KIND,
        template="web/emails/password_reset",
        subject_prefix=gettext_lazy("Accompagnement Chorus :"),
        context=_context,
        refusal_reason=_refusal_reason,
    )
)
