"""Reads of the request screens: the DDI's list, the request page and its timeline, the open
requests like the one being filed, and the requests the reminder jobs act on.

Each function owns its joins, so that a page's query count does not grow with its rows.
The first rule of the portal is kept here: an agent sees only their own DDI's requests, and
never an internal note (`requests_visible_to`, `messages_visible_to`, `events_visible_to`).
Views reach a request, a file or a saved filter through the `get_<thing>_for` helpers,
which raise 404.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.postgres.search import SearchRank
from django.db import connection
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accompagnement.accounts.models import User
from accompagnement.accounts.roles import is_agent, is_team
from accompagnement.core.converters import is_reference
from accompagnement.knowledge import selectors as knowledge_selectors
from accompagnement.support.enums import (
    OPEN_STATUSES,
    PRIORITY_SHORT_LABELS,
    EventKind,
    MessageKind,
    Priority,
    Status,
)
from accompagnement.support.models import Attachment, Event, Message, SupportRequest
from accompagnement.support.team_models import SavedFilter
from ddi.models import DDI


def requests_for_ddi_list(
    *, user: User, status: str = "open", axis: str = "", search: str = "", mine: bool = False
) -> QuerySet[SupportRequest]:
    """The requests of the agent's DDI (not only theirs), most recently active first.

    `status` is "open", "all" or one `Status` value.
    """
    requests = requests_visible_to(user).select_related("requester", "category")
    if status == "open":
        requests = requests.filter(status__in=OPEN_STATUSES)
    elif status in Status.values:
        requests = requests.filter(status=status)
    if axis:
        requests = requests.filter(axis=axis)
    if mine:
        requests = requests.filter(requester=user)
    if search:
        requests = requests.filter(Q(title__icontains=search) | Q(reference__icontains=search))
    return requests.order_by("-last_activity_at", "-pk")


def ddi_with_department(user: User) -> DDI:
    """The agent's DDI, ready to be named ("DDPP des Bouches-du-Rhône (DDPP 13)")."""
    return DDI.objects.select_related("department").get(pk=user.ddi_id)


def request_page_queryset() -> QuerySet[SupportRequest]:
    """Everything the header of the request page shows.

    What every request has is joined; what many requests lack (programme, CSP,
    escalation, duplicate, proposed assignee) is read apart, and only when set: joining
    all ten tables took PostgreSQL longer to plan than to run, twice the cost of the extra
    queries.
    """
    return (
        SupportRequest.objects.select_related(
            "ddi__department", "requester", "assignee", "category"
        )
        .prefetch_related(
            "programme",
            "service_centre",
            "escalation_ministry",
            "escalation_service_centre",
            "duplicate_of",
            "proposed_assignee",
            "follows_up",
        )
        .defer("search_vector")
    )


def request_attachments(support_request: SupportRequest) -> QuerySet[Attachment]:
    """The files filed with the request itself (not those of a message)."""
    return support_request.attachments.filter(message__isnull=True).order_by("created_at", "pk")


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    message: Message | None = None
    event: Event | None = None
    summary: str = ""


# A message is shown in full: the event that records it would say it twice.
_EVENTS_SHOWN_AS_MESSAGES = (EventKind.REPLIED, EventKind.NOTE)


def _label(enum, value: str) -> str:
    try:
        return str(enum(value).label)
    except ValueError:
        return value


def _priority_label(value: str) -> str:
    return str(PRIORITY_SHORT_LABELS[Priority(value)]) if value in Priority.values else value


# The corrections of each field (`services/triage.py`), as the timeline tells them.
_CORRECTED_FIELDS = {
    "priority": _lazy("Priorité corrigée : %(old)s → %(new)s"),
    "axis": _lazy("Axe corrigé : %(old)s → %(new)s"),
    "category": _lazy("Catégorie corrigée : %(old)s → %(new)s"),
    "programme": _lazy("Programme corrigé : %(old)s → %(new)s"),
    "service_centre": _lazy("CSP corrigé : %(old)s → %(new)s"),
}


def _escalation_summary(event: Event) -> str:
    """The escalation's lines: to whom (public), then the partner's ticket number and an
    escalation closed without an answer (the team's, `partners/services/escalations.py`)."""
    new = event.new_value
    if event.field == "escalated_to":
        return _("Escaladée vers %(name)s") % {"name": new}
    if event.field == "partner_reference":
        return _("Numéro de ticket du partenaire : %(reference)s") % {"reference": new}
    if event.field == "escalation_withdrawn":
        return _("Escalade vers %(name)s close sans réponse du partenaire") % {"name": new}
    # Before the partners' directory: the target as the member chose it.
    return _("Demande transmise à %(target)s") % {"target": new}


def event_summary(event: Event) -> str:
    """One French sentence for an event of the timeline."""
    old, new = event.old_value, event.new_value
    if event.kind == EventKind.CREATED:
        return _("Demande déposée")
    if event.kind == EventKind.STATUS:
        return _("Statut : %(old)s → %(new)s") % {
            "old": _label(Status, old),
            "new": _label(Status, new),
        }
    if event.kind == EventKind.ASSIGNED:
        if event.field == "proposed_assignee":
            return _("Attribution proposée à %(name)s") % {"name": new}
        if new:
            return _("Demande attribuée à %(name)s") % {"name": new}
        return _("Attribution retirée")
    if event.kind == EventKind.PRIORITY:
        return _("Priorité : %(old)s → %(new)s") % {
            "old": _priority_label(old),
            "new": _priority_label(new),
        }
    if event.kind == EventKind.ESCALATED:
        return _escalation_summary(event)
    if event.kind == EventKind.REDIRECTED:
        if event.field == "redirected_to":
            return _("Réorientée vers %(name)s") % {"name": new}
        return _("Demande réorientée vers : %(contact)s") % {"contact": new}
    if event.kind == EventKind.DUPLICATE:
        return _("Demande marquée comme doublon de %(reference)s") % {"reference": new}
    if event.kind == EventKind.LINKED:
        if event.field == "follows_up":
            return _("Suite de la demande %(reference)s") % {"reference": new}
        if event.field == "follow_ups":
            return _("Suite donnée dans la nouvelle demande %(reference)s") % {"reference": new}
        return _("Demande liée à %(reference)s") % {"reference": new}
    if event.kind == EventKind.CORRECTED:
        template = _CORRECTED_FIELDS.get(event.field, _lazy("Correction : %(old)s → %(new)s"))
        return str(template) % {"old": old or _("aucun"), "new": new or _("aucun")}
    if event.kind == EventKind.MERGED:
        if event.field == "merged_into":
            return _("Demande fusionnée dans la demande %(reference)s") % {"reference": new}
        return _("Demande %(reference)s fusionnée ici") % {"reference": new}
    label = _label(EventKind, event.kind)
    if old or new:
        return f"{label} : {old} → {new}"
    return label


def request_timeline(*, user: User, support_request: SupportRequest) -> list[TimelineEntry]:
    """Messages and events the user may see, in time order, in three queries."""
    messages = (
        messages_visible_to(user, support_request)
        .select_related("author")
        .annotate(merged_from_reference=F("merged_from__reference"))
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "pk"))
        )
    )
    events = (
        events_visible_to(user, support_request)
        .exclude(kind__in=_EVENTS_SHOWN_AS_MESSAGES)
        .select_related("actor")
        # Moved here by a merge (`services/merge.py`): "venu de ACC-…".
        .annotate(merged_from_reference=F("merged_from__reference"))
    )
    entries = [TimelineEntry(at=message.created_at, message=message) for message in messages]
    entries += [
        TimelineEntry(at=event.created_at, event=event, summary=event_summary(event))
        for event in events
    ]
    # At the same instant an event (e.g. "filed") comes before the message it goes with.
    entries.sort(key=lambda entry: (entry.at, entry.message is not None))
    return entries


# ---------------------------------------------------------------------------- requests


def requests_visible_to(user):
    """The support requests `user` may see: their DDI's for an agent, all for the team."""

    if is_team(user):
        return SupportRequest.objects.all()
    if is_agent(user):
        return SupportRequest.objects.filter(ddi_id=user.ddi_id)
    return SupportRequest.objects.none()


def get_request_for(user, reference: str, queryset=None):
    """The request `reference` if `user` may see it; 404 otherwise (never 403: an agent
    must not learn that another DDI's request exists)."""

    base = requests_visible_to(user) if queryset is None else queryset & requests_visible_to(user)
    request = base.filter(reference=reference).first()
    if request is None:
        raise Http404
    return request


def messages_visible_to(user, support_request):
    """Public replies for an agent; public replies and internal notes for the team."""

    messages = support_request.messages.all()
    if not is_team(user):
        messages = messages.filter(kind=MessageKind.PUBLIC)
    return messages


def events_visible_to(user, support_request):
    events = support_request.events.all()
    if not is_team(user):
        events = events.filter(is_public=True)
    return events


def get_attachment_for(user, reference: str, attachment_id: int):
    """An attachment of a visible request; internal notes' files never reach an agent."""

    request = get_request_for(user, reference)
    attachments = Attachment.objects.filter(request=request, pk=attachment_id)
    if not is_team(user):
        attachments = attachments.exclude(message__kind=MessageKind.INTERNAL)
    attachment = attachments.select_related("request").first()
    if attachment is None:
        raise Http404
    return attachment


def is_followed_by(support_request, user) -> bool:
    return support_request.followers.filter(pk=user.pk).exists()


def can_reply_to(user, support_request) -> bool:
    if support_request.anonymised_at is not None:
        return False
    return is_team(user) or (is_agent(user) and user.ddi_id == support_request.ddi_id)


def get_saved_filter_for(user, pk: int):
    """A member's own saved filter; another member's is never found."""

    saved = SavedFilter.objects.filter(owner_id=user.pk, pk=pk).first() if is_team(user) else None
    if saved is None:
        raise Http404
    return saved


# ---------------------------------------------------------------------------- reminders


def overdue_requests_to_remind(now: datetime) -> QuerySet[SupportRequest]:
    """Open requests past one of their SLA targets that someone in the team holds; not
    while their clock is paused (the team waits for the DDI or a partner)."""
    return (
        SupportRequest.objects.breached(now)
        .filter(sla_paused_at__isnull=True, assignee__isnull=False, assignee__is_active=True)
        .order_by("pk")
    )


def waiting_requests() -> QuerySet[SupportRequest]:
    """Requests waiting for their DDI, each with `waiting_since` (when the latest status
    change put it in `waiting_ddi`; its last activity for a request put in waiting without
    a status event, as imported data may be) and `last_nudged_at`."""
    put_in_waiting = Event.objects.filter(
        request=OuterRef("pk"), kind=EventKind.STATUS, new_value=Status.WAITING_DDI
    ).order_by("-created_at", "-pk")
    last_nudge = Event.objects.filter(request=OuterRef("pk"), kind=EventKind.NOTIFIED).order_by(
        "-created_at", "-pk"
    )
    return (
        SupportRequest.objects.filter(status=Status.WAITING_DDI)
        .annotate(
            waiting_since=Coalesce(
                Subquery(put_in_waiting.values("created_at")[:1]), F("last_activity_at")
            ),
            last_nudged_at=Subquery(last_nudge.values("created_at")[:1]),
        )
        .order_by("pk")
    )


# ---------------------------------------------------------------------------- filing


def similar_open_requests(
    text: str, *, ddi_id: int, limit: int = knowledge_selectors.SUGGESTION_LIMIT
) -> list[SupportRequest]:
    """Open requests of the DDI `ddi_id` (never another's) closest to the typed text."""
    words = knowledge_selectors.significant_words(text)
    if not words or ddi_id is None:
        return []
    candidates = SupportRequest.objects.filter(ddi_id=ddi_id, status__in=OPEN_STATUSES)
    if connection.vendor == "postgresql":
        query = knowledge_selectors.any_word_query(words)
        return list(
            candidates.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-created_at")
            .only("reference", "title", "status", "created_at")[:limit]
        )
    condition = Q()
    for word in words:
        condition |= Q(title__icontains=word) | Q(body__icontains=word)
    candidates = candidates.filter(condition).only(
        "reference", "title", "body", "status", "created_at"
    )
    return knowledge_selectors.overlap_ranked(
        candidates, words, lambda r: f"{r.title} {r.title} {r.body}", limit
    )


# ---------------------------------------------------------------------------- merges, follow-ups


def merged_into_reference(user: User, support_request: SupportRequest) -> str | None:
    """Where a merged request now lives, if `user` may see it (`services/merge.py`)."""
    if support_request.status != Status.MERGED or support_request.merged_into_id is None:
        return None
    return (
        requests_visible_to(user)
        .filter(pk=support_request.merged_into_id)
        .values_list("reference", flat=True)
        .first()
    )


def follow_up_source(user: User, reference: str | None) -> SupportRequest | None:
    """The request of the agent's DDI a new request follows up (`?suite=<reference>`);
    None for anything else, a hostile value included."""
    reference = (reference or "").strip().upper()
    if not is_agent(user) or not is_reference(reference):
        return None
    return (
        requests_visible_to(user)
        .select_related("category")
        .prefetch_related("programme", "service_centre")
        .filter(reference=reference)
        .first()
    )
