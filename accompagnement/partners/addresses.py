"""The signed reply address of an escalation e-mail: the partner's answer comes back to it.

`support+esc<pk>-<signature>@<domain>` (`settings.SUPPORT_MAILBOX` gives the local part and
the domain). The signature is an HMAC of the escalation's id with the secret key: the
address cannot be guessed, nor edited to point at another escalation. The inbound-mail
reader calls `escalation_from_token` on what follows the `+`.
"""

import re

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "accompagnement.partners.escalation-reply"
_TOKEN = re.compile(r"^esc(?P<pk>[0-9]+)-(?P<signature>[0-9a-f]{20})$")


def _signature(pk: int) -> str:
    return salted_hmac(_SALT, str(pk), algorithm="sha256").hexdigest()[:20]


def escalation_token(escalation_pk: int) -> str:
    return f"esc{escalation_pk}-{_signature(escalation_pk)}"


def escalation_reply_address(escalation_pk: int) -> str:
    local, _at, domain = settings.SUPPORT_MAILBOX.partition("@")
    return f"{local}+{escalation_token(escalation_pk)}@{domain}"


def escalation_pk_from_token(token: str) -> int | None:
    """The escalation a token names, None when it is not one of ours (or was altered)."""
    match = _TOKEN.match(token.strip().lower())
    if match is None:
        return None
    pk = int(match["pk"])
    if not constant_time_compare(match["signature"], _signature(pk)):
        return None
    return pk
