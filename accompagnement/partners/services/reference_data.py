"""Loading the partner directory from the reference data (`load_reference_data`).

`partners.csv` gives the partners that are not CSPs; every CSP of `service_centres.csv`
gives one partner of kind `csp` (its ministry and joint ministries, programmes, region and
mailbox). The files own the facts: name, kind, scope (ministries, programmes, Chorus
objects, regions, departments), source and confidence; a reload brings them back. The pilot
owns the rest once set: mailbox, phone, website and notes are only filled while empty, the
commitment (response time, reminders) is only set at creation, contacts are only created
for a partner that has none. Nothing is deleted: a partner the pilot created, or one that
left the files, stays as it is.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accompagnement.partners.enums import PartnerKind
from accompagnement.partners.loaders import CONTACTS_FILE, PARTNERS_FILE, PartnerData
from accompagnement.partners.models import Partner, PartnerContact
from accompagnement.support.enums import ChorusObject
from ddi.csv_files import ReferenceDataError
from ddi.enums import Confidence
from ddi.loaders import SERVICE_CENTRES_FILE
from ddi.models import Department, Ministry, Programme, Region, ServiceCentre
from ddi.services import LoadReport

# What a CSP does for a DDI in Chorus, and its typical answer time (to be confirmed).
CSP_CHORUS_OBJECTS = (
    ChorusObject.EJ,
    ChorusObject.DA,
    ChorusObject.SF,
    ChorusObject.DP,
    ChorusObject.TIERS,
)
CSP_RESPONSE_HOURS = 9
CSP_REMINDER_MAX = 3

SCOPE_RELATIONS = {
    "ministries": Ministry,
    "programmes": Programme,
    "regions": Region,
    "departments": Department,
}
OWNED = ("name", "kind", "chorus_objects", "service_centre_id", "source", "confidence")
FILLED = ("mailbox", "phone", "website", "notes")
# From the least to the most doubtful: a generated partner is no surer than its CSP.
_DOUBT = [Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW, Confidence.INFERRED]


@dataclass
class ContactsReport(LoadReport):
    """Contacts are the pilot's: created for a partner without any, never updated."""

    def summary(self) -> str:
        counts = ", ".join(
            [
                ngettext("%(n)d créé", "%(n)d créés", self.created) % {"n": self.created},
                ngettext(
                    "%(n)d partenaire a déjà ses contacts (conservés)",
                    "%(n)d partenaires ont déjà leurs contacts (conservés)",
                    self.unchanged,
                )
                % {"n": self.unchanged},
            ]
        )
        return _("%(label)s : %(counts)s") % {"label": self.label, "counts": counts}


@dataclass
class _Wanted:
    """One partner as the reference data describes it."""

    code: str
    owned: dict
    filled: dict
    initial: dict
    scope: dict[str, set[int]]
    contacts: list[dict] = field(default_factory=list)
    centre_id: int | None = None


def _ids(model) -> dict[str, int]:
    return dict(model.objects.values_list("code", "pk"))


def _from_file(data: PartnerData) -> list[_Wanted]:
    ids = {name: _ids(model) for name, model in SCOPE_RELATIONS.items()}
    wanted = []
    for record in data.partners:
        wanted.append(
            _Wanted(
                code=record.code,
                owned={
                    "name": record.name,
                    "kind": record.kind,
                    "chorus_objects": list(record.chorus_objects),
                    "service_centre_id": None,
                    "source": record.source,
                    "confidence": record.confidence,
                },
                filled={
                    "mailbox": record.mailbox,
                    "phone": record.phone,
                    "website": record.website,
                    "notes": record.notes,
                },
                initial={
                    "response_hours": record.response_hours,
                    "reminder_max": record.reminder_max,
                },
                scope={
                    "ministries": {ids["ministries"][c] for c in record.ministry_codes},
                    "programmes": {ids["programmes"][c] for c in record.programme_codes},
                    "regions": {ids["regions"][c] for c in record.region_codes},
                    "departments": {ids["departments"][c] for c in record.department_codes},
                },
            )
        )
    return wanted


def _from_centres(data: PartnerData) -> list[_Wanted]:
    centres = (
        ServiceCentre.objects.filter(code__in=data.service_centre_codes)
        .prefetch_related("programmes", "joint_ministries")
        .order_by("code")
    )
    wanted = []
    for centre in centres:
        confidence = max(Confidence.LOW, centre.confidence, key=_DOUBT.index)
        wanted.append(
            _Wanted(
                code=centre.code,
                centre_id=centre.pk,
                owned={
                    "name": centre.name,
                    "kind": PartnerKind.CSP,
                    "chorus_objects": [str(value) for value in CSP_CHORUS_OBJECTS],
                    "service_centre_id": centre.pk,
                    "source": _(
                        "généré depuis le CSP « %(code)s » (%(file)s) : son ministère et ses "
                        "ministères associés, ses programmes, sa région, sa boîte ; objets "
                        "Chorus EJ, DA, SF, DP, tiers ; délai de réponse typique (%(hours)d h "
                        "ouvrées), à confirmer par le pilote. Source du CSP : %(source)s"
                    )
                    % {
                        "code": centre.code,
                        "file": SERVICE_CENTRES_FILE,
                        "hours": CSP_RESPONSE_HOURS,
                        "source": centre.source,
                    },
                    "confidence": confidence,
                },
                filled={"mailbox": centre.email, "phone": centre.phone, "website": "", "notes": ""},
                initial={"response_hours": CSP_RESPONSE_HOURS, "reminder_max": CSP_REMINDER_MAX},
                scope={
                    "ministries": {centre.ministry_id}
                    | {ministry.pk for ministry in centre.joint_ministries.all()},
                    "programmes": {programme.pk for programme in centre.programmes.all()},
                    "regions": {centre.region_id} if centre.region_id else set(),
                    "departments": set(),
                },
                contacts=(
                    [{"name": centre.contact_name, "role": _("Contact du CSP")}]
                    if centre.contact_name
                    else []
                ),
            )
        )
    return wanted


def _match(wanted: _Wanted, by_code: dict, by_centre: dict) -> Partner | None:
    if wanted.centre_id is None:
        return by_code.get(wanted.code)
    partner = by_centre.get(wanted.centre_id) or by_code.get(wanted.code)
    if partner is not None and partner.service_centre_id not in (None, wanted.centre_id):
        raise ReferenceDataError(
            SERVICE_CENTRES_FILE,
            None,
            _("le code « %(code)s » est déjà celui du partenaire « %(name)s », lié à un autre CSP")
            % {"code": wanted.code, "name": partner.name},
        )
    return partner


def _partners_upsert(wanted: list[_Wanted]) -> tuple[dict[str, Partner], set[str], set[str]]:
    """Create or update the partners (owned and filled fields).

    Returns the partners by the data's code, and the codes of those created and updated.
    """
    existing = list(Partner.objects.all())
    by_code = {p.code: p for p in existing}
    by_centre = {p.service_centre_id: p for p in existing if p.service_centre_id}
    to_create, to_update, partners = [], [], {}
    created, updated = set(), set()
    now = timezone.now()
    for item in wanted:
        partner = _match(item, by_code, by_centre)
        if partner is None:
            partner = Partner(code=item.code, **item.owned, **item.filled, **item.initial)
            to_create.append(partner)
            created.add(item.code)
        else:
            dirty = False
            for name, value in item.owned.items():
                if getattr(partner, name) != value:
                    setattr(partner, name, value)
                    dirty = True
            for name, value in item.filled.items():
                if value and not getattr(partner, name):
                    setattr(partner, name, value)
                    dirty = True
            if dirty:
                partner.updated_at = now
                to_update.append(partner)
                updated.add(item.code)
        partners[item.code] = partner
    Partner.objects.bulk_create(to_create)
    if to_update:
        Partner.objects.bulk_update(to_update, [*OWNED, *FILLED, "updated_at"])
    if any(partner.pk is None for partner in to_create):  # a backend that returns no ids
        fresh = {p.code: p for p in Partner.objects.all()}
        partners = {code: fresh[partner.code] for code, partner in partners.items()}
    return partners, created, updated


def _scope_set(wanted: list[_Wanted], partners: dict[str, Partner]) -> set[str]:
    """Make each partner's scope exactly the data's; returns the codes of those changed."""
    changed = set()
    partner_ids = {partners[item.code].pk: item for item in wanted}
    for name, model in SCOPE_RELATIONS.items():
        through = getattr(Partner, name).through
        target = f"{model._meta.model_name}_id"
        links = through.objects.filter(partner_id__in=partner_ids).values_list(
            "pk", "partner_id", target
        )
        current: dict[int, dict[int, int]] = {}
        for pk, partner_id, target_id in links:
            current.setdefault(partner_id, {})[target_id] = pk
        missing, extra = [], []
        for partner_id, item in partner_ids.items():
            have, want = current.get(partner_id, {}), item.scope[name]
            missing += [through(partner_id=partner_id, **{target: t}) for t in want - set(have)]
            extra += [pk for t, pk in have.items() if t not in want]
            if want != set(have):
                changed.add(item.code)
        through.objects.bulk_create(missing)
        if extra:
            through.objects.filter(pk__in=extra).delete()
    return changed


def _contacts_create(
    wanted: list[_Wanted], partners: dict[str, Partner], data: PartnerData
) -> ContactsReport:
    """The file's contacts (and a CSP's own contact) for each partner that has none."""
    report = ContactsReport(CONTACTS_FILE)
    by_partner: dict[str, list[dict]] = {item.code: list(item.contacts) for item in wanted}
    for record in data.contacts:
        by_partner[record.partner_code].append(
            {"name": record.name, "role": record.role, "email": record.email, "phone": record.phone}
        )
    ids = [partners[code].pk for code, contacts in by_partner.items() if contacts]
    with_contacts = set(
        PartnerContact.objects.filter(partner_id__in=ids).values_list("partner_id", flat=True)
    )
    to_create = []
    for code, contacts in by_partner.items():
        partner = partners[code]
        if not contacts:
            continue
        if partner.pk in with_contacts:
            report.unchanged += 1
            continue
        to_create += [
            PartnerContact(partner=partner, position=position, **contact)
            for position, contact in enumerate(contacts, start=1)
        ]
    PartnerContact.objects.bulk_create(to_create)
    report.created = len(to_create)
    return report


@transaction.atomic
def partner_data_load(data: PartnerData) -> list[LoadReport]:
    """Load the partners of `data` (already read and checked), after the organisations."""
    from_file, from_centres = _from_file(data), _from_centres(data)
    wanted = [*from_file, *from_centres]
    partners, created, updated = _partners_upsert(wanted)
    updated |= _scope_set(wanted, partners)
    file_report = LoadReport(PARTNERS_FILE)
    centre_report = LoadReport(_("partenaires des CSP (%(file)s)") % {"file": SERVICE_CENTRES_FILE})
    for report, items in ((file_report, from_file), (centre_report, from_centres)):
        for item in items:
            if item.code in created:
                report.created += 1
            elif item.code in updated:
                report.updated += 1
            else:
                report.unchanged += 1
    return [file_report, centre_report, _contacts_create(wanted, partners, data)]
