"""The pilot's writes on the partner directory: a new partner, a change, and the contacts.

What the reference data seeded stays the files' (name, kind, scope, source and confidence
come back on the next `load_reference_data`); what the pilot sets here of the rest —
mailbox, phone, site, commitment, notes, contacts — is never overwritten.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accompagnement.accounts import roles
from accompagnement.accounts.models import User
from accompagnement.partners.enums import PartnerKind
from accompagnement.partners.models import Partner, PartnerContact
from accompagnement.support.enums import ChorusObject

CODE_MAX_LENGTH = Partner._meta.get_field("code").max_length
SCALAR_FIELDS = (
    "name",
    "kind",
    "chorus_objects",
    "mailbox",
    "phone",
    "website",
    "response_hours",
    "reminder_max",
    "notes",
    "active",
)
SCOPE_FIELDS = ("ministries", "programmes", "regions", "departments")


@dataclass(frozen=True)
class ContactData:
    """One contact as the form gives it: `id` None for a new one."""

    name: str
    role: str = ""
    email: str = ""
    phone: str = ""
    id: int | None = None


def _ensure_pilot(user: User) -> None:
    if not roles.is_pilot(user):
        raise PermissionDenied


def _check(fields: dict[str, Any]) -> None:
    errors = {}
    if not fields["name"].strip():
        errors["name"] = _("Indiquez le nom du partenaire.")
    if fields["kind"] not in PartnerKind.values:
        errors["kind"] = _("Choisissez la nature du partenaire dans la liste.")
    unknown = [code for code in fields["chorus_objects"] if code not in ChorusObject.values]
    if unknown:
        errors["chorus_objects"] = _("Objet Chorus inconnu : %(codes)s.") % {
            "codes": ", ".join(unknown)
        }
    regions = set(fields["regions"])
    outside = [d.code for d in fields["departments"] if regions and d.region not in regions]
    if outside:
        errors["departments"] = _(
            "Ces départements ne sont dans aucune des régions choisies : %(codes)s."
        ) % {"codes": ", ".join(sorted(outside))}
    if errors:
        raise ValidationError(errors)


def _unique_code(name: str) -> str:
    base = slugify(name)[: CODE_MAX_LENGTH - 4].strip("-") or "partenaire"
    taken = set(Partner.objects.filter(code__startswith=base).values_list("code", flat=True))
    code, number = base, 2
    while code in taken:
        code, number = f"{base}-{number}", number + 1
    return code


def _save_scope(partner: Partner, fields: dict[str, Any]) -> None:
    for name in SCOPE_FIELDS:
        getattr(partner, name).set(fields[name])


def _save_contacts(
    partner: Partner, contacts: list[ContactData], removed_ids: set[int] = frozenset()
) -> None:
    existing = {contact.pk: contact for contact in partner.contacts.all()}
    unknown = ({c.id for c in contacts if c.id is not None} | set(removed_ids)) - set(existing)
    if unknown:
        raise ValidationError(
            _("Un des contacts n'appartient pas à ce partenaire : rechargez la page.")
        )
    if removed_ids:
        PartnerContact.objects.filter(partner=partner, pk__in=removed_ids).delete()
    kept = [c for c in contacts if c.id not in removed_ids]
    for position, data in enumerate(kept, start=1):
        values = {
            "name": data.name.strip(),
            "role": data.role.strip(),
            "email": data.email.strip().lower(),
            "phone": data.phone.strip(),
            "position": position,
        }
        if data.id is None:
            PartnerContact.objects.create(partner=partner, **values)
            continue
        contact = existing[data.id]
        changed = [name for name, value in values.items() if getattr(contact, name) != value]
        for name in changed:
            setattr(contact, name, values[name])
        if changed:
            contact.save(update_fields=changed)


@transaction.atomic
def partner_create(*, user: User, contacts: list[ContactData], **fields: Any) -> Partner:
    """A partner the reference data does not list; the pilot's only."""
    _ensure_pilot(user)
    _check(fields)
    partner = Partner(
        code=_unique_code(fields["name"]),
        source=_("saisi dans le portail par %(name)s le %(date)s")
        % {
            "name": user.get_full_name() or user.email,
            "date": date_format(timezone.localdate(), "j F Y"),
        },
        **{name: fields[name] for name in SCALAR_FIELDS},
    )
    partner.name = partner.name.strip()
    partner.full_clean(exclude=["service_centre"])
    partner.save()
    _save_scope(partner, fields)
    _save_contacts(partner, contacts)
    return partner


@transaction.atomic
def partner_update(
    *,
    user: User,
    partner: Partner,
    contacts: list[ContactData],
    removed_contact_ids: set[int] = frozenset(),
    **fields: Any,
) -> Partner:
    """Change a partner and its contacts; the pilot's only."""
    _ensure_pilot(user)
    _check(fields)
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    values = {name: fields[name] for name in SCALAR_FIELDS}
    values["name"] = values["name"].strip()
    changed = [name for name, value in values.items() if getattr(partner, name) != value]
    for name in changed:
        setattr(partner, name, values[name])
    partner.full_clean(exclude=["service_centre"])
    partner.save(update_fields=[*changed, "updated_at"])
    _save_scope(partner, fields)
    _save_contacts(partner, contacts, set(removed_contact_ids))
    return partner
