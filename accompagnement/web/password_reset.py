"""The forgotten password, through the outbox like every other e-mail.

Django's `PasswordResetForm.save` sends the link at once, inside the request: the page
then took the mail server's time for a known address and none for an unknown one, which
told an attacker which addresses have an account. Here the form records a
`password_reset` notification for the matching account (none for an unknown address),
and a worker sends it (`emails.py` registers the kind): the page answers the same way,
without talking to the mail server, whoever asks.

Lives in `web` (which composes the login pages) because `accounts` sits below `outbox`.
"""

import uuid

from django.db import transaction

from accompagnement.accounts import forms as accounts_forms
from accompagnement.outbox.services import notification_record

PASSWORD_RESET_KIND = "password_reset"  # noqa: S105 (the kind of e-mail, no secret)


def password_reset_record(*, users) -> None:
    """Record the reset e-mail of each account asked for (active, with a password: the
    ones `PasswordResetForm.get_users` returns). Each demand is a new e-mail (the rate
    limits of the page bound how many)."""
    with transaction.atomic():
        notification_record(
            kind=PASSWORD_RESET_KIND,
            recipients=list(users),
            key=f"{PASSWORD_RESET_KIND}:{uuid.uuid4().hex}",
        )


class PasswordResetForm(accounts_forms.PasswordResetForm):
    """The account's form, whose `save` (called by Django's `PasswordResetView`) records
    the e-mail in the outbox instead of sending it. The view's e-mail options (templates,
    domain, token generator) are not used: the link is built when the e-mail is sent, from
    SITE_URL (`emails.py`), never from the request's Host header."""

    def save(self, **kwargs) -> None:
        password_reset_record(users=self.get_users(self.cleaned_data["email"]))
