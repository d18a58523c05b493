"""Recording alerts, e-mailing them, marking them read; the members' e-mail choices.

Who is told what about a request is decided by `support/alerts.py`; this module only
stores and delivers:

- `alerts_record` writes one `Alert` per person and event under `<key>:<person>` (a
  unique key: a job that runs twice, or a rule reached twice, records nothing new), with
  `by_email` from the member's choices (`TeamMember.alerts_without_email`);
- an immediate kind (`IMMEDIATE_KINDS`, urgent requests) is recorded in the outbox at
  once, one e-mail per alert, in the same transaction (sent after commit);
- the others wait for `alert_digests_record`, run every `ALERT_DIGEST_MINUTES` by a
  periodic task, which groups each person's pending alerts into one e-mail. It claims
  them with a row lock and stamps `emailed_at` in the same transaction as the e-mail's
  outbox row, keyed by the person and the last alert it holds: two runs, or a rerun,
  e-mail nothing twice. An alert read in the portal before the digest left is not
  e-mailed any more (its `emailed_at` is stamped all the same: it left the queue).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import models, transaction
from django.utils import timezone

from accompagnement.accounts.models import TeamMember, User
from accompagnement.alerts.enums import IMMEDIATE_KINDS, AlertKind
from accompagnement.alerts.models import Alert
from accompagnement.outbox.models import Notification
from accompagnement.outbox.services import _outbox_record

# The outbox kinds (`alerts/emails.py`).
ALERT_EMAIL = "alert"
DIGEST_EMAIL = "alerts_digest"
TEXT_MAX_LENGTH = Alert._meta.get_field("text").max_length
# Rows per INSERT / `key IN (…)`.
CHUNK = 500


@dataclass(frozen=True)
class AlertEvent:
    """One event to tell some people of (see `alert_record`)."""

    kind: str
    recipients: Sequence[User]
    text: str
    key: str
    request: models.Model | None = None
    actor: User | None = None
    # False when the person already gets an e-mail about the same event by another way.
    email: bool = True


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def email_choices(user_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """The alert kinds each person reads in the portal only (one query)."""
    return {
        user_id: frozenset(kinds or ())
        for user_id, kinds in TeamMember.objects.filter(user_id__in=set(user_ids)).values_list(
            "user_id", "alerts_without_email"
        )
    }


def wants_email(user: User, kind: str) -> bool:
    """Whether `user` receives the alerts of `kind` by e-mail too (the default)."""
    return kind not in email_choices([user.pk]).get(user.pk, frozenset())


@transaction.atomic
def alerts_record(events: Iterable[AlertEvent], *, now: datetime | None = None) -> list[Alert]:
    """Record every event's alerts at once (one alert per person and event, never twice);
    record the immediate ones' e-mails in the outbox. Returns the alerts built (those
    already recorded under their key included, unsaved)."""
    now = now or timezone.now()
    events = list(events)
    people = [
        {r.pk: r for r in event.recipients if r is not None and r.is_active} for event in events
    ]
    choices = email_choices(pk for recipients in people for pk in recipients)
    rows = [
        Alert(
            key=f"{event.key}:{pk}",
            recipient_id=pk,
            kind=event.kind,
            request=event.request,
            actor=event.actor,
            text=_shorten(event.text),
            created_at=now,
            by_email=event.email and event.kind not in choices.get(pk, frozenset()),
        )
        for event, recipients in zip(events, people, strict=True)
        for pk in recipients
    ]
    for chunk in _chunks(rows):
        Alert.objects.bulk_create(chunk, ignore_conflicts=True)
    immediate = [row.key for row in rows if row.kind in IMMEDIATE_KINDS and row.by_email]
    if immediate:
        _email_at_once(immediate, now)
    return rows


def alert_record(
    *,
    kind: str,
    recipients: Iterable[User],
    text: str,
    key: str,
    request: models.Model | None = None,
    actor: User | None = None,
    email: bool = True,
) -> list[Alert]:
    """Tell `recipients` of one event: an alert each under `<key>:<person>`."""
    return alerts_record(
        [
            AlertEvent(
                kind=kind,
                recipients=list(recipients),
                text=text,
                key=key,
                request=request,
                actor=actor,
                email=email,
            )
        ]
    )


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TEXT_MAX_LENGTH else text[: TEXT_MAX_LENGTH - 1] + "…"


def _email_at_once(keys: list[str], now: datetime) -> None:
    """One e-mail per alert, keyed by the alert; the alert marked e-mailed."""
    for chunk in _chunks(keys):
        pending = list(
            Alert.objects.select_for_update()
            .filter(key__in=chunk, by_email=True, emailed_at__isnull=True)
            .order_by("pk")
            .values_list("pk", "recipient_id", "request_id")
        )
        if not pending:
            continue
        _outbox_record(
            [
                Notification(
                    key=f"alert:{pk}",
                    kind=ALERT_EMAIL,
                    recipient_id=recipient_id,
                    request_id=request_id,
                    context={"alert_ids": [pk]},
                )
                for pk, recipient_id, request_id in pending
            ]
        )
        Alert.objects.filter(pk__in=[pk for pk, _r, _q in pending]).update(emailed_at=now)


@transaction.atomic
def alert_digests_record(*, now: datetime | None = None) -> int:
    """Group each person's alerts waiting for an e-mail into one e-mail. Returns how many
    e-mails were recorded."""
    now = now or timezone.now()
    # Locked: a second run at the same moment skips them instead of e-mailing them again.
    pending = list(
        Alert.objects.select_for_update(skip_locked=True)
        .filter(by_email=True, emailed_at__isnull=True, created_at__lte=now)
        .order_by("recipient_id", "pk")
        .values_list("pk", "recipient_id", "read_at")
    )
    if not pending:
        return 0
    unread: dict[int, list[int]] = {}
    for pk, recipient_id, read_at in pending:
        if read_at is None:
            unread.setdefault(recipient_id, []).append(pk)
    _outbox_record(
        [
            Notification(
                key=f"{DIGEST_EMAIL}:{recipient_id}:{max(ids)}",
                kind=DIGEST_EMAIL,
                recipient_id=recipient_id,
                context={"alert_ids": ids},
            )
            for recipient_id, ids in unread.items()
        ]
    )
    for chunk in _chunks([pk for pk, _r, _read in pending]):
        Alert.objects.filter(pk__in=chunk).update(emailed_at=now)
    return len(unread)


def alerts_mark_read(*, user: User, alert_ids: Iterable[int], now: datetime | None = None) -> int:
    """Mark some of `user`'s alerts read (someone else's are left alone). Returns how many
    were unread."""
    ids = list(alert_ids)
    if not ids:
        return 0
    return Alert.objects.filter(recipient=user, pk__in=ids, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


def team_member_email_choices_set(*, member: TeamMember, email_kinds: Iterable[str]) -> None:
    """Which alert kinds also come by e-mail to `member` (the others: portal only)."""
    wanted = set(email_kinds)
    member.alerts_without_email = [kind for kind in AlertKind.values if kind not in wanted]
    member.save(update_fields=["alerts_without_email"])
