"""Reads of the request screens: the DDI's list, the request page and its timeline.

Each function owns its joins, so that a page's query count does not grow with its rows.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from ddi.models import DDI

from . import permissions
from .enums import OPEN_STATUSES, PRIORITY_SHORT_LABELS, EventKind, Priority, Status
from .models import Attachment, Event, Message, SupportRequest, User


def requests_for_ddi_list(
    *, user: User, status: str = "open", axis: str = "", search: str = "", mine: bool = False
) -> QuerySet[SupportRequest]:
    """The requests of the agent's DDI (not only theirs), most recently active first.

    `status` is "open", "all" or one `Status` value.
    """
    requests = permissions.requests_visible_to(user).select_related("requester", "category")
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
    escalation, duplicate) is read apart, and only when set: joining all ten tables took
    PostgreSQL longer to plan than to run, twice the cost of the extra queries.
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
        if new:
            return _("Demande attribuée à %(name)s") % {"name": new}
        return _("Attribution retirée")
    if event.kind == EventKind.PRIORITY:
        return _("Priorité : %(old)s → %(new)s") % {
            "old": _priority_label(old),
            "new": _priority_label(new),
        }
    if event.kind == EventKind.ESCALATED:
        return _("Demande transmise à %(target)s") % {"target": new}
    if event.kind == EventKind.REDIRECTED:
        return _("Demande réorientée vers : %(contact)s") % {"contact": new}
    if event.kind == EventKind.DUPLICATE:
        return _("Demande marquée comme doublon de %(reference)s") % {"reference": new}
    if event.kind == EventKind.LINKED:
        return _("Demande liée à %(reference)s") % {"reference": new}
    label = _label(EventKind, event.kind)
    if old or new:
        return f"{label} : {old} → {new}"
    return label


def request_timeline(*, user: User, support_request: SupportRequest) -> list[TimelineEntry]:
    """Messages and events the user may see, in time order, in three queries."""
    messages = (
        permissions.messages_visible_to(user, support_request)
        .select_related("author")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "pk"))
        )
    )
    events = (
        permissions.events_visible_to(user, support_request)
        .exclude(kind__in=_EVENTS_SHOWN_AS_MESSAGES)
        .select_related("actor")
    )
    entries = [TimelineEntry(at=message.created_at, message=message) for message in messages]
    entries += [
        TimelineEntry(at=event.created_at, event=event, summary=event_summary(event))
        for event in events
    ]
    # At the same instant an event (e.g. "filed") comes before the message it goes with.
    entries.sort(key=lambda entry: (entry.at, entry.message is not None))
    return entries
