"""Writes of the partners' support actions: one recorded or changed by the team, or a
partner's whole file imported at once (`action_csv` reads and checks it first).

An import is all or nothing: the rows are checked before this module is called, and the
writes happen in one transaction. A row is known by its owner and its identifier in the
partner's file (`external_id`): importing the file again updates those actions.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accompagnement.accounts.models import User
from accompagnement.partners.action_csv import ActionRow
from accompagnement.partners.models import SupportAction

# The fields a form or a file sets (besides the owner and the audience's relations).
FIELDS = (
    "title",
    "description",
    "kind",
    "axis",
    "ddi_kinds",
    "starts_on",
    "ends_on",
    "status",
    "external_id",
)
RELATIONS = ("regions", "departments", "programmes")


def _check(*, owner_id: int, starts_on, ends_on, external_id: str, pk: int | None) -> None:
    """What the database would refuse with an error, refused with a message instead."""
    errors = {}
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("La fin ne peut pas précéder le début.")
    if external_id:
        taken = SupportAction.objects.filter(owner_id=owner_id, external_id=external_id)
        if pk is not None:
            taken = taken.exclude(pk=pk)
        if taken.exists():
            errors["external_id"] = _(
                "Ce porteur a déjà une action sous cet identifiant : modifiez-la plutôt."
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def support_action_create(*, user: User, data: dict) -> SupportAction:
    """An action recorded by the team (`data`: the form's cleaned data)."""
    owner = data["owner"]
    _check(
        owner_id=owner.pk,
        starts_on=data["starts_on"],
        ends_on=data.get("ends_on"),
        external_id=data.get("external_id", ""),
        pk=None,
    )
    action = SupportAction(owner=owner, created_by=user)
    for name in FIELDS:
        setattr(action, name, data.get(name, getattr(action, name)))
    action.ddi_kinds = list(data.get("ddi_kinds") or [])
    action.save()
    for relation in RELATIONS:
        getattr(action, relation).set(data.get(relation) or [])
    return action


@transaction.atomic
def support_action_update(*, action: SupportAction, user: User, data: dict) -> SupportAction:
    """The team corrects an action (its owner, dates, audience, status…)."""
    owner = data["owner"]
    _check(
        owner_id=owner.pk,
        starts_on=data["starts_on"],
        ends_on=data.get("ends_on"),
        external_id=data.get("external_id", ""),
        pk=action.pk,
    )
    action.owner = owner
    for name in FIELDS:
        setattr(action, name, data.get(name, getattr(action, name)))
    action.ddi_kinds = list(data.get("ddi_kinds") or [])
    action.save(update_fields=["owner", *FIELDS, "updated_at"])
    for relation in RELATIONS:
        getattr(action, relation).set(data.get(relation) or [])
    return action


# ---------------------------------------------------------------------------- import


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int


def _apply(action: SupportAction, row: ActionRow) -> None:
    action.title = row.title
    action.description = row.description
    action.kind = row.kind
    action.axis = row.axis
    action.ddi_kinds = list(row.ddi_kinds)
    action.starts_on = row.starts_on
    action.ends_on = row.ends_on
    action.status = row.status


@transaction.atomic
def support_actions_import(
    *, user: User, rows: list[ActionRow], now: datetime | None = None
) -> ImportReport:
    """Write a checked file: create the new actions, update those already imported (by
    owner and identifier), and set every action's audience to the file's. A dozen queries
    whatever the number of rows."""
    now = now or timezone.now()
    existing = {
        (action.owner_id, action.external_id): action
        for action in SupportAction.objects.select_for_update().filter(
            owner_id__in={row.owner_id for row in rows},
            external_id__in={row.external_id for row in rows},
        )
    }
    created, updated = [], []
    for row in rows:
        action = existing.get(row.key)
        if action is None:
            action = SupportAction(
                owner_id=row.owner_id,
                external_id=row.external_id,
                created_by=user,
                created_at=now,
                updated_at=now,
            )
            created.append((row, action))
        else:
            action.updated_at = now
            updated.append((row, action))
        _apply(action, row)
    SupportAction.objects.bulk_create([action for _row, action in created])
    SupportAction.objects.bulk_update(
        [action for _row, action in updated],
        fields=[
            "title",
            "description",
            "kind",
            "axis",
            "ddi_kinds",
            "starts_on",
            "ends_on",
            "status",
            "updated_at",
        ],
    )
    _set_audiences([*created, *updated], updated_ids=[action.pk for _row, action in updated])
    return ImportReport(created=len(created), updated=len(updated))


def _set_audiences(pairs: list[tuple[ActionRow, SupportAction]], updated_ids: list[int]) -> None:
    """Replace the regions, departments and programmes of every imported action (two
    queries per relation)."""
    for relation in RELATIONS:
        field = SupportAction._meta.get_field(relation)
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        if updated_ids:
            through.objects.filter(**{f"{source}_id__in": updated_ids}).delete()
        through.objects.bulk_create(
            [
                through(**{f"{source}_id": action.pk, f"{target}_id": member.pk})
                for row, action in pairs
                for member in getattr(row, relation)
            ]
        )
