"""Who in the team is told what about a request (DESIGN.md §4; storage in `alerts/`).

Called by the support services inside their transaction; each alert is recorded once per
person and event (a unique key), and e-mailed according to the member's choices.

- a new unassigned request → the triage rota: the referents of its programme and
  ministry present today, else every member and pilot present (else everyone);
- an urgent request → its assignee, if any, and the pilot(s), by e-mail at once (when
  filed, or raised to urgent later: `alert_urgent`, for the triage corrections);
- a request given to someone → them (not when they took it themself);
- an agent's public message → the assignee, else the triage rota;
- `@prénom.nom` in an internal note → that member (`mentioned_members`);
- a public message or a status change → the members who follow the request;
- approaching due date → the assignee; breached → the assignee and the pilot(s)
  (`sla_alerts_record`, every few minutes, once per request, target and due date).

Nobody is told of what they did themself, nor twice of one event. Agents get no alert:
the request's own e-mails tell them (`services/requests.py`). An assignment and an
agent's message already reach the assignee by their own e-mail (with the message and
the reply address): it follows the member's choice for that kind of alert, and the alert
itself stays in the portal (`email=False`).
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accompagnement.accounts import roles
from accompagnement.accounts.models import Role, User
from accompagnement.accounts.selectors import absences_covering
from accompagnement.alerts.enums import AlertKind
from accompagnement.alerts.services import AlertEvent, alerts_record, email_choices
from accompagnement.support.enums import MessageKind, Priority, Status
from accompagnement.support.models import Event, Message, SupportRequest
from accompagnement.support.selectors.routing import referents_of

# A breach older than this when the job first sees it (the job was stopped, or the
# requests were imported) is not worth an alert any more: the queue shows it.
BREACH_ALERT_WINDOW = timedelta(days=7)
TITLE_CHARS = 120
FIRST_RESPONSE, RESOLUTION = "first_response", "resolution"


# ---------------------------------------------------------------------------- who


def _team() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role__in=(Role.MEMBER, Role.PILOT)).order_by(
        "last_name", "first_name", "pk"
    )


def pilots() -> list[User]:
    return list(_team().filter(role=Role.PILOT))


def triage_rota(request: SupportRequest, *, day=None) -> list[User]:
    """Who sorts out a request nobody holds: its referents present on `day` (today), else
    every member and pilot present, else the whole team."""
    day = day or timezone.localdate()
    present = _team().exclude(pk__in=absences_covering(day).values("member__user_id"))
    referents = referents_of(request).user_ids
    if referents:
        chosen = list(present.filter(pk__in=referents))
        if chosen:
            return chosen
    return list(present) or list(_team())


def _team_followers(request: SupportRequest) -> list[User]:
    return list(request.followers.filter(is_active=True, role__in=(Role.MEMBER, Role.PILOT)))


def _wanting_email(kind: str, people: Iterable[User | None]) -> list[User]:
    people = [person for person in people if person is not None]
    choices = email_choices(person.pk for person in people)
    return [person for person in people if kind not in choices.get(person.pk, ())]


def assigned_email_recipients(assignee: User) -> list[User]:
    """Who gets the `assigned` e-mail of an assignment: the assignee, unless they read
    this kind of alert in the portal only."""
    return _wanting_email(AlertKind.ASSIGNED, [assignee])


def agent_reply_email_recipients(request: SupportRequest) -> list[User]:
    """Who gets the `agent_reply` e-mail of an agent's message: the assignee, as their
    choices say (without one, the triage rota is alerted instead: `alert_message`)."""
    return _wanting_email(AlertKind.AGENT_REPLY, [request.assignee] if request.assignee_id else [])


# ---------------------------------------------------------------------------- mentions

# `@prénom.nom`, not inside an address (`x@y.fr`) nor a word.
MENTION = re.compile(r"(?<![\w.@])@([^\s@,;:!?()\[\]{}<>«»\"`*]+)")


def _handle_part(text: str) -> str:
    """Lower case, accents off, spaces and apostrophes as hyphens: « Le Bihan » → le-bihan."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    return re.sub(r"[\s'’]+", "-", text.strip())


def mention_handle(user: User) -> str:
    """How a note names a member: `@camille.durand` for Camille Durand."""
    return f"{_handle_part(user.first_name)}.{_handle_part(user.last_name)}"


def mentioned_members(body: str) -> list[User]:
    """The active members and pilots a text names with `@prénom.nom` (case and accents
    do not matter)."""
    handles = {_handle_part(match.group(1)).rstrip(".-") for match in MENTION.finditer(body)}
    if not handles:
        return []
    return [user for user in _team() if mention_handle(user) in handles]


# ---------------------------------------------------------------------------- texts


def _named(request: SupportRequest) -> str:
    return _("%(reference)s « %(title)s »") % {
        "reference": request.reference,
        "title": Truncator(request.title).chars(TITLE_CHARS),
    }


def _moment(value: datetime) -> str:
    return date_format(timezone.localtime(value), r"l j F à H\hi")


def _status_label(value: str) -> str:
    return Status(value).label if value in Status.values else value


# ---------------------------------------------------------------------------- the hooks


def _urgent_event(request: SupportRequest, actor: User | None) -> AlertEvent:
    people = [request.assignee, *pilots()] if request.assignee_id else pilots()
    if request.assignee_id:
        text = _("Demande urgente %(request)s, attribuée à %(name)s.") % {
            "request": _named(request),
            "name": request.assignee.get_full_name(),
        }
    else:
        text = _("Demande urgente %(request)s, attribuée à personne.") % {
            "request": _named(request)
        }
    return AlertEvent(
        kind=AlertKind.URGENT,
        recipients=people,
        text=text,
        # Once per request, whether filed urgent or raised to urgent later.
        key=f"urgent:{request.pk}",
        request=request,
        actor=actor,
    )


def alert_urgent(request: SupportRequest, actor: User | None) -> None:
    """A request now urgent (its priority corrected): its assignee and the pilot(s), by
    e-mail at once; once per request."""
    event = _urgent_event(request, actor)
    alerts_record([replace(event, recipients=[u for u in event.recipients if u != actor])])


def alert_new_request(request: SupportRequest) -> None:
    """A new request: the triage rota if unassigned; an urgent one to its assignee and
    the pilot at once."""
    events = []
    told: set[int] = set()
    if request.priority == Priority.URGENT:
        events.append(_urgent_event(request, request.requester))
        told = {user.pk for user in events[-1].recipients if user is not None}
    if request.assignee_id is None:
        rota = triage_rota(request)
        proposed = request.proposed_assignee if request.proposed_assignee_id else None
        if proposed is not None and proposed.pk not in {user.pk for user in rota}:
            rota.append(proposed)
        if proposed is not None:
            text = _("Nouvelle demande à trier : %(request)s (attribution proposée à %(name)s).")
            text %= {"request": _named(request), "name": proposed.get_full_name()}
        else:
            text = _("Nouvelle demande à trier : %(request)s.") % {"request": _named(request)}
        events.append(
            AlertEvent(
                kind=AlertKind.TRIAGE,
                recipients=[user for user in rota if user.pk not in told],
                text=text,
                key=f"triage:{request.pk}",
                request=request,
                actor=request.requester,
            )
        )
    if events:
        alerts_record(events)


def alert_assigned(request: SupportRequest, assignee: User | None, actor: User | None) -> None:
    """A request given to someone (by a member or by the routing)."""
    if assignee is None or (actor is not None and actor.pk == assignee.pk):
        return
    if actor is None:
        text = _("La demande %(request)s vous est attribuée (attribution automatique).")
        text %= {"request": _named(request)}
    else:
        text = _("La demande %(request)s vous est attribuée par %(name)s.") % {
            "request": _named(request),
            "name": actor.get_full_name(),
        }
    alerts_record(
        [
            AlertEvent(
                kind=AlertKind.ASSIGNED,
                recipients=[assignee],
                text=text,
                # One per assignment: the version changes with each.
                key=f"assigned:{request.pk}:{request.version}",
                request=request,
                actor=actor,
                email=False,  # the `assigned` e-mail (`services/team_actions.py`)
            )
        ]
    )


def alert_message(request: SupportRequest, message: Message, author: User) -> None:
    """An agent's reply → the assignee; `@prénom.nom` in a note → that member; any
    message → the members who follow the request."""
    if message.kind == MessageKind.INTERNAL:
        _alert_mentions(request, message, author)
        return
    events = []
    told = {author.pk}
    if not roles.is_team(author):
        holder = [request.assignee] if request.assignee_id else []
        text = _("Message de la DDI sur %(request)s (%(name)s).") % {
            "request": _named(request),
            "name": author.get_full_name(),
        }
        events.append(
            AlertEvent(
                kind=AlertKind.AGENT_REPLY,
                recipients=holder or triage_rota(request),
                text=text,
                key=f"agent_reply:{message.pk}",
                request=request,
                actor=author,
                # The assignee has the message itself by e-mail (`agent_reply`).
                email=not holder,
            )
        )
        told |= {user.pk for user in events[-1].recipients}
    followers = [user for user in _team_followers(request) if user.pk not in told]
    if followers:
        text = _("Nouveau message de %(name)s sur %(request)s, que vous suivez.") % {
            "request": _named(request),
            "name": author.get_full_name(),
        }
        events.append(
            AlertEvent(
                kind=AlertKind.FOLLOWED,
                recipients=followers,
                text=text,
                key=f"followed:message:{message.pk}",
                request=request,
                actor=author,
            )
        )
    if events:
        alerts_record(events)


def _alert_mentions(request: SupportRequest, message: Message, author: User) -> None:
    named = [user for user in mentioned_members(message.body) if user.pk != author.pk]
    if not named:
        return
    text = _("%(name)s vous mentionne dans une note interne sur %(request)s.") % {
        "request": _named(request),
        "name": author.get_full_name(),
    }
    # The assignee already has the note by e-mail (`internal_note`).
    holder = [user for user in named if user.pk == request.assignee_id]
    others = [user for user in named if user.pk != request.assignee_id]
    common = {
        "kind": AlertKind.MENTION,
        "text": text,
        "key": f"mention:{message.pk}",
        "request": request,
        "actor": author,
    }
    alerts_record(
        [
            AlertEvent(recipients=holder, email=False, **common),
            AlertEvent(recipients=others, **common),
        ]
    )


def alert_status(request: SupportRequest, event: Event, actor: User | None) -> None:
    """A status change → the members who follow the request."""
    followers = [user for user in _team_followers(request) if actor is None or user.pk != actor.pk]
    if not followers:
        return
    text = _("%(request)s, que vous suivez : « %(old)s » → « %(new)s ».") % {
        "request": _named(request),
        "old": _status_label(event.old_value),
        "new": _status_label(event.new_value),
    }
    alerts_record(
        [
            AlertEvent(
                kind=AlertKind.FOLLOWED,
                recipients=followers,
                text=text,
                key=f"followed:status:{event.pk}",
                request=request,
                actor=actor,
            )
        ]
    )


# ---------------------------------------------------------------------------- the clock


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _approaching_target(request: SupportRequest, now: datetime) -> tuple[str, datetime]:
    warning = request.first_response_warning_at
    if request.first_response_at is None and warning is not None and warning <= now:
        return FIRST_RESPONSE, request.first_response_due
    return RESOLUTION, request.resolution_due


def _breached_target(request: SupportRequest, now: datetime) -> tuple[str, datetime]:
    at = request.sla_paused_at or now
    if request.first_response_at is None and request.first_response_due <= at:
        return FIRST_RESPONSE, request.first_response_due
    return RESOLUTION, request.resolution_due


def _sla_text(kind: str, request: SupportRequest, target: str, due: datetime) -> str:
    named, moment = _named(request), _moment(due)
    if kind == AlertKind.APPROACHING and target == FIRST_RESPONSE:
        text = _("Échéance proche : première réponse à %(request)s attendue avant le %(due)s.")
    elif kind == AlertKind.APPROACHING:
        text = _("Échéance proche : résolution de %(request)s attendue avant le %(due)s.")
    elif target == FIRST_RESPONSE:
        text = _("Échéance dépassée : première réponse à %(request)s attendue le %(due)s.")
    else:
        text = _("Échéance dépassée : résolution de %(request)s attendue le %(due)s.")
    return text % {"request": named, "due": moment}


@transaction.atomic
def sla_alerts_record(*, now: datetime | None = None) -> int:
    """Tell the assignees of the requests whose due date approaches, and the assignees and
    pilots of those past it: once per request, target and due date (a due date moved
    by a pause is a new one). Returns how many alerts were built."""
    now = now or timezone.now()
    events = []
    approaching = (
        SupportRequest.objects.approaching(now)
        .filter(assignee__isnull=False, assignee__is_active=True)
        .select_related("assignee")
        .order_by("pk")
    )
    for request in approaching:
        target, due = _approaching_target(request, now)
        events.append(
            AlertEvent(
                kind=AlertKind.APPROACHING,
                recipients=[request.assignee],
                text=_sla_text(AlertKind.APPROACHING, request, target, due),
                key=f"approaching:{request.pk}:{target}:{_stamp(due)}",
                request=request,
            )
        )
    since = now - BREACH_ALERT_WINDOW
    breached = (
        SupportRequest.objects.breached(now)
        .filter(Q(resolution_due__gte=since) | Q(first_response_due__gte=since))
        .select_related("assignee")
        .order_by("pk")
    )
    the_pilots = None
    for request in breached:
        target, due = _breached_target(request, now)
        if due < since:
            continue
        if the_pilots is None:
            the_pilots = pilots()
        events.append(
            AlertEvent(
                kind=AlertKind.BREACHED,
                recipients=[request.assignee, *the_pilots],
                text=_sla_text(AlertKind.BREACHED, request, target, due),
                key=f"breached:{request.pk}:{target}:{_stamp(due)}",
                request=request,
            )
        )
    return len(alerts_record(events, now=now)) if events else 0
