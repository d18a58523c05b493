"""The kinds of e-mail the outbox sends, each registered by the package that records it.

The outbox knows no domain: a package declares its kinds in its own `emails.py` (imported
by `AccompagnementConfig.ready()`, so that every process, web or worker, knows them all)
and `sending.py` asks this registry how to check, render and send a notification.

A kind's e-mail is rendered from `<template>_subject.txt`, `<template>.txt` and
`<template>.html`, with `notification`, `recipient` and `site_title` in its context, plus
what the kind's `context` returns. The outbox refuses to send when the recipient is
deactivated or has no address; a kind adds its own rules:

- `gone_reason`, checked before the outbox's rules on the recipient (what the e-mail is
  about must still exist);
- `refusal_reason`, checked after them.

Both return "" when the e-mail may be sent, else the reason in French.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from accompagnement.outbox.models import Notification

# (file name, content, MIME type), as `EmailMessage.attach` takes them.
Attachment = tuple[str, bytes | str, str]


def _may_be_sent(notification: Notification) -> str:
    return ""


@dataclass(frozen=True)
class EmailKind:
    """How to check and render the e-mails of one `Notification.kind`."""

    name: str
    # `support/emails/team_reply` → `…_subject.txt`, `….txt`, `….html`.
    template: str
    # Put before the subject: a string (possibly lazy) or built from the notification.
    subject_prefix: str | Promise | Callable[[Notification], str]
    context: Callable[[Notification], dict]
    refusal_reason: Callable[[Notification], str] = _may_be_sent
    gone_reason: Callable[[Notification], str] = _may_be_sent
    attachments: Callable[[Notification], Iterable[Attachment]] | None = None
    # The `Reply-To` addresses of the e-mail (a signed address bringing the answer back).
    reply_to: Callable[[Notification], list[str]] | None = None
    # Called once per batch with the batch's notifications of this kind, to read what
    # their e-mails need in one query instead of one per e-mail.
    preload: Callable[[list[Notification]], None] | None = None
    # Relations of `Notification` its e-mails read (joined when the rows are read).
    select_related: tuple[str, ...] = ()

    def prefix(self, notification: Notification) -> str:
        if callable(self.subject_prefix):
            return self.subject_prefix(notification)
        return str(self.subject_prefix)


_KINDS: dict[str, EmailKind] = {}


def register(kind: EmailKind) -> EmailKind:
    """Register a kind; again with the same definition is harmless, with another one an
    error (two packages claiming the same name)."""
    existing = _KINDS.get(kind.name)
    if existing is not None and existing != kind:
        raise ImproperlyConfigured(
            f"Notification kind {kind.name!r} is already registered with another definition."
        )
    _KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Forget a kind (for tests registering their own)."""
    _KINDS.pop(name, None)


def get(name: str) -> EmailKind | None:
    return _KINDS.get(name)


def is_registered(name: str) -> bool:
    return name in _KINDS


def kinds() -> list[str]:
    """The names of the registered kinds, sorted."""
    return sorted(_KINDS)


def select_related() -> list[str]:
    """The relations of `Notification` the registered kinds read, each once."""
    return sorted({field for kind in _KINDS.values() for field in kind.select_related})


def unknown_kind_message(name: str) -> str:
    return _("Nature de notification inconnue : « %(kind)s ».") % {"kind": name}
