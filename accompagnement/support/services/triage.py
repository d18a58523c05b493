"""The team's corrections of a request's classification: priority, axis, category,
programme and CSP (DESIGN.md §4).

One `Event` per changed field (from → to, who); the SLA due dates recounted when the
priority changes; the request's version checked (a stale page changes nothing); the
requester told by e-mail only when what they see changes (priority, category).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accompagnement.accounts.models import User
from accompagnement.axes.models import Axis
from accompagnement.outbox.services import notification_record
from accompagnement.support import alerts
from accompagnement.support.enums import PRIORITY_SHORT_LABELS, EventKind, Priority
from accompagnement.support.models import Event, SupportRequest
from accompagnement.support.services.clock import clock_schedule_fields
from accompagnement.support.services.requests import (
    ConcurrentUpdateError,
    actor_for,
    event_record,
    request_write,
)
from accompagnement.support.workflow import Actor

# The fields a correction may change, in the order their events are written.
TRIAGE_FIELDS = ("priority", "axis", "category", "programme", "service_centre")
# What the DDI sees of them: their changes are public and e-mailed to the requester.
PUBLIC_FIELDS = frozenset({"priority", "category"})


def triage_field_label(field: str) -> str:
    return {
        "priority": _("Priorité"),
        "axis": _("Axe"),
        "category": _("Catégorie"),
        "programme": _("Programme"),
        "service_centre": _("CSP"),
    }.get(field, field)


def _value_label(field: str, value) -> str:
    if value is None or value == "":
        return ""
    if field == "priority":
        return str(PRIORITY_SHORT_LABELS.get(value, value))
    if field == "axis":
        return str(Axis(value).label) if value in Axis.values else str(value)
    if field == "category":
        return value.name
    if field == "service_centre":
        return value.name
    return str(value)


def _current(request: SupportRequest, field: str):
    """The field's current value, as the changes are given (a value or an object)."""
    if field in ("priority", "axis"):
        return getattr(request, field)
    return getattr(request, field) if getattr(request, f"{field}_id") is not None else None


def _same(field: str, old, new) -> bool:
    if field in ("priority", "axis"):
        return old == new
    return (old.pk if old is not None else None) == (new.pk if new is not None else None)


def _validate(request: SupportRequest, changed: dict) -> None:
    """The new values only: a value kept as it was is never refused."""
    errors: dict[str, str] = {}
    if "priority" in changed and changed["priority"] not in Priority.values:
        errors["priority"] = _("Choisissez une priorité de la liste.")
    if "axis" in changed and changed["axis"] not in Axis.values:
        errors["axis"] = _("Choisissez un axe de la liste.")
    axis = changed.get("axis", request.axis)
    category = changed.get("category", request.category)
    if "category" in changed and not category.is_active:
        errors["category"] = _("La catégorie « %(name)s » n’est plus proposée.") % {
            "name": category.name
        }
    elif ("axis" in changed or "category" in changed) and category.axis != axis:
        errors["category"] = _(
            "La catégorie « %(category)s » ne relève pas de l’axe « %(axis)s » : "
            "choisissez une catégorie de cet axe."
        ) % {
            "category": category.name,
            "axis": Axis(axis).label if axis in Axis.values else axis,
        }
    served = request.ddi.attachments.all()
    programme = changed.get("programme")
    if programme is not None and not served.filter(programme=programme).exists():
        errors["programme"] = _("Ce programme n’est pas suivi par la DDI de la demande.")
    service_centre = changed.get("service_centre")
    if service_centre is not None and not served.filter(service_centre=service_centre).exists():
        errors["service_centre"] = _("Ce CSP ne sert pas la DDI de la demande.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def support_request_triage(
    *, request: SupportRequest, user: User, expected_version: int | None, **changes
) -> list[Event]:
    """Correct the classification; returns one event per changed field (none: nothing
    changed, nothing written).

    `changes` maps any of `TRIAGE_FIELDS` to its new value: a `Priority` or an `Axis`
    value, a `Category`, a `Programme` or a `ServiceCentre` (None clears these two). A
    category alone brings its axis."""
    if actor_for(user, request) != Actor.TEAM:
        raise PermissionDenied
    unknown = set(changes) - set(TRIAGE_FIELDS)
    if unknown:
        raise TypeError(f"Unexpected fields: {sorted(unknown)}")
    # Priority, axis and category cannot be emptied: None leaves them as they are.
    given = {
        name: value
        for name, value in changes.items()
        if value is not None or name in ("programme", "service_centre")
    }
    if "category" in given and "axis" not in given:
        given["axis"] = given["category"].axis

    changed = {
        name: given[name]
        for name in TRIAGE_FIELDS
        if name in given and not _same(name, _current(request, name), given[name])
    }
    if not changed:
        # Nothing to write; a stale page is still told so.
        if expected_version is not None and int(expected_version) != request.version:
            raise ConcurrentUpdateError(SupportRequest.objects.get(pk=request.pk))
        return []
    _validate(request, changed)

    before = {name: _current(request, name) for name in changed}
    fields = dict(changed)
    if "priority" in changed:
        fields.update(clock_schedule_fields(request, priority=changed["priority"]))
    request_write(request, expected_version, **fields)

    events = [
        event_record(
            request,
            user,
            EventKind.CORRECTED,
            field=name,
            old=_value_label(name, before[name]),
            new=_value_label(name, changed[name]),
            public=name in PUBLIC_FIELDS,
        )
        for name in TRIAGE_FIELDS
        if name in changed
    ]
    public = [event for event in events if event.is_public]
    if public:
        notification_record(
            kind="request_corrected",
            recipients=_ddi_recipients(request, user),
            request=request,
            key=f"corrected:{public[0].pk}",
            context={
                "changes": [
                    {
                        "label": str(triage_field_label(event.field)),
                        "old": event.old_value,
                        "new": event.new_value,
                    }
                    for event in public
                ]
            },
        )
    if changed.get("priority") == Priority.URGENT:
        alerts.alert_urgent(request, user)
    return events


def _ddi_recipients(request: SupportRequest, author: User) -> list[User]:
    """The requester and the DDI's agents who follow the request (the team members who
    follow it are told by their alerts)."""
    people = [request.requester, *(p for p in request.followers.all() if not p.is_team)]
    return [person for person in people if person.pk != author.pk]
