"""Writes of the `ddi` app: loading the reference data into the database.

The files own the facts (names, codes, regions, ministries, programmes, a joint centre's
associated ministries, programme exceptions, source, confidence): a rerun brings the
database back to them. The administrators own the rest: contacts are only filled while
empty, attachments of a DDI to a CSP are only created when missing, and nothing else is
ever deleted (a DDI or a CSP may be referenced by requests). One exception: an attachment
that a programme exception rules out (programme 177 in Paris and the petite couronne) is
removed while it is still the loader's own inferred default; an edited one is kept and
reported.
"""

import sys
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db import models, transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from ddi.attachments import ddi_attachments_create_missing
from ddi.loaders import (
    DATA_DIR,
    DDIS_FILE,
    DEPARTMENTS_FILE,
    MINISTRIES_FILE,
    PROGRAMME_EXCEPTIONS_FILE,
    PROGRAMME_USES_FILE,
    PROGRAMMES_FILE,
    REGIONS_FILE,
    SERVICE_CENTRES_FILE,
    STRUCTURES_FILE,
    read_reference_data,
)
from ddi.models import (
    DDI,
    Department,
    Ministry,
    Programme,
    ProgrammeException,
    ProgrammeUse,
    Region,
    ServiceCentre,
    Structure,
)
from ddi.reports import LoadReport

_BATCH_SIZE = 500
_SOURCED = ("source", "confidence")


@dataclass
class _Upserted:
    report: LoadReport
    objects: dict[Hashable, models.Model]
    changed: set[Hashable]  # keys created or updated

    def pk(self, key: Hashable) -> int | None:
        """The id of the object with this natural key; None for an empty key."""
        return self.objects[key].pk if key else None


def _upsert(
    model: type[models.Model],
    *,
    label: str,
    key: Callable[[models.Model], Hashable],
    rows: Iterable[tuple[Hashable, dict]],
    owned: Sequence[str],
    filled: Sequence[str] = (),
) -> _Upserted:
    """Create or update the rows of `model` by natural key, in bulk (a few queries per file).

    `owned` fields (attnames) take the file's value; `filled` fields take it only while the
    database value is empty, so that what an administrator entered is kept.
    """
    report = LoadReport(label)
    existing = {key(obj): obj for obj in model.objects.all()}
    to_create, to_update, objects, changed = [], [], {}, set()
    for natural_key, values in rows:
        obj = existing.get(natural_key)
        if obj is None:
            obj = model(**values)
            to_create.append(obj)
            changed.add(natural_key)
        else:
            dirty = False
            for name in owned:
                if getattr(obj, name) != values[name]:
                    setattr(obj, name, values[name])
                    dirty = True
            for name in filled:
                if not getattr(obj, name) and values[name]:
                    setattr(obj, name, values[name])
                    dirty = True
            if dirty:
                to_update.append(obj)
                changed.add(natural_key)
            else:
                report.unchanged += 1
        objects[natural_key] = obj
    model.objects.bulk_create(to_create, batch_size=_BATCH_SIZE)
    if to_update:
        model.objects.bulk_update(to_update, [*owned, *filled], batch_size=_BATCH_SIZE)
    if any(obj.pk is None for obj in to_create):  # a backend that returns no ids
        fresh = {key(obj): obj for obj in model.objects.all()}
        objects = {natural_key: fresh[natural_key] for natural_key in objects}
    report.created, report.updated = len(to_create), len(to_update)
    return _Upserted(report, objects, changed)


def _sourced(record) -> dict[str, str]:
    return {"source": record.source, "confidence": record.confidence}


def _service_centre_programmes_add(
    programme_ids_by_code: dict[str, list[int]], centres: _Upserted
) -> set[str]:
    """Add the file's programmes to each centre; never remove one an administrator added.

    Returns the codes of the centres that gained a programme.
    """
    through = ServiceCentre.programmes.through
    existing = set(through.objects.values_list("servicecentre_id", "programme_id"))
    gained, missing = set(), []
    for code, programme_ids in programme_ids_by_code.items():
        centre_id = centres.pk(code)
        for programme_id in programme_ids:
            if (centre_id, programme_id) not in existing:
                missing.append(through(servicecentre_id=centre_id, programme_id=programme_id))
                gained.add(code)
    through.objects.bulk_create(missing, batch_size=_BATCH_SIZE)
    return gained


def _service_centre_joint_ministries_set(
    ministry_ids_by_code: dict[str, set[int]], centres: _Upserted
) -> set[str]:
    """Bring each centre's associated ministries to the file's (the file owns them).

    Returns the codes of the centres whose associated ministries changed.
    """
    through = ServiceCentre.joint_ministries.through
    centre_ids = {centres.pk(code): code for code in ministry_ids_by_code}
    existing = defaultdict(set)
    for centre_id, ministry_id in through.objects.filter(
        servicecentre_id__in=centre_ids
    ).values_list("servicecentre_id", "ministry_id"):
        existing[centre_id].add(ministry_id)
    changed, missing, extra = set(), [], []
    for centre_id, code in centre_ids.items():
        wanted, current = ministry_ids_by_code[code], existing[centre_id]
        missing += [
            through(servicecentre_id=centre_id, ministry_id=ministry_id)
            for ministry_id in sorted(wanted - current)
        ]
        extra += [(centre_id, ministry_id) for ministry_id in current - wanted]
        if wanted != current:
            changed.add(code)
    through.objects.bulk_create(missing, batch_size=_BATCH_SIZE)
    for centre_id, ministry_id in extra:
        through.objects.filter(servicecentre_id=centre_id, ministry_id=ministry_id).delete()
    return changed


@transaction.atomic
def reference_data_load(
    *, data_dir: Path = DATA_DIR, show_progress: bool = False
) -> list[LoadReport]:
    """Load every reference data file, then the missing attachments; all or nothing.

    Every file is read and checked before the first write (`ReferenceDataError` otherwise),
    and the writes share one transaction: a failure leaves the database as it was.
    """
    data = read_reference_data(data_dir)
    reports: list[LoadReport] = []
    with tqdm(
        total=10,
        desc=_("Données de référence"),
        unit=_("fichier"),
        file=sys.stderr,
        disable=not show_progress,
    ) as progress:

        def done(report: LoadReport) -> None:
            reports.append(report)
            progress.set_postfix_str(report.label)
            progress.update()

        regions = _upsert(
            Region,
            label=REGIONS_FILE,
            key=lambda o: o.code,
            rows=((r.code, {"code": r.code, "name": r.name, **_sourced(r)}) for r in data.regions),
            owned=("name", *_SOURCED),
        )
        done(regions.report)

        departments = _upsert(
            Department,
            label=DEPARTMENTS_FILE,
            key=lambda o: o.code,
            rows=(
                (
                    d.code,
                    {
                        "code": d.code,
                        "name": d.name,
                        "region_id": regions.pk(d.region_code),
                        "name_type": d.name_type,
                        **_sourced(d),
                    },
                )
                for d in data.departments
            ),
            owned=("name", "region_id", "name_type", *_SOURCED),
        )
        done(departments.report)

        ministries = _upsert(
            Ministry,
            label=MINISTRIES_FILE,
            key=lambda o: o.code,
            rows=(
                (m.code, {"code": m.code, "name": m.name, **_sourced(m)}) for m in data.ministries
            ),
            owned=("name", *_SOURCED),
        )
        done(ministries.report)

        programmes = _upsert(
            Programme,
            label=PROGRAMMES_FILE,
            key=lambda o: o.code,
            rows=(
                (
                    p.code,
                    {
                        "code": p.code,
                        "label": p.label,
                        "ministry_id": ministries.pk(p.ministry_code),
                        "relevance": p.relevance,
                        **_sourced(p),
                    },
                )
                for p in data.programmes
            ),
            owned=("label", "ministry_id", "relevance", *_SOURCED),
        )
        done(programmes.report)

        uses = _upsert(
            ProgrammeUse,
            label=PROGRAMME_USES_FILE,
            key=lambda o: (o.ddi_kind, o.programme_id),
            rows=(
                (
                    (u.ddi_kind, programmes.pk(u.programme_code)),
                    {
                        "ddi_kind": u.ddi_kind,
                        "programme_id": programmes.pk(u.programme_code),
                        **_sourced(u),
                    },
                )
                for u in data.programme_uses
            ),
            owned=_SOURCED,
        )
        done(uses.report)

        centres = _upsert(
            ServiceCentre,
            label=SERVICE_CENTRES_FILE,
            key=lambda o: o.code,
            rows=(
                (
                    c.code,
                    {
                        "code": c.code,
                        "name": c.name,
                        "ministry_id": ministries.pk(c.ministry_code),
                        "region_id": regions.pk(c.region_code),
                        "contact_name": c.contact_name,
                        "email": c.email,
                        "phone": c.phone,
                        **_sourced(c),
                    },
                )
                for c in data.service_centres
            ),
            owned=("name", "ministry_id", "region_id", *_SOURCED),
            filled=("contact_name", "email", "phone"),
        )
        gained = _service_centre_programmes_add(
            {c.code: [programmes.pk(p) for p in c.programme_codes] for c in data.service_centres},
            centres,
        )
        gained |= _service_centre_joint_ministries_set(
            {
                c.code: {ministries.pk(m) for m in c.joint_ministry_codes}
                for c in data.service_centres
            },
            centres,
        )
        # A centre whose only change is a new programme (or its associated ministries)
        # counts as updated.
        only_gained = len(gained - centres.changed)
        centres.report.unchanged -= only_gained
        centres.report.updated += only_gained
        done(centres.report)

        ddis = _upsert(
            DDI,
            label=DDIS_FILE,
            key=lambda o: (o.kind, o.department_id),
            rows=(
                (
                    (d.kind, departments.pk(d.department_code)),
                    {
                        "kind": d.kind,
                        "department_id": departments.pk(d.department_code),
                        "name": d.name,
                        "email": d.email,
                        **_sourced(d),
                    },
                )
                for d in data.ddis
            ),
            owned=("name", *_SOURCED),
            filled=("email",),
        )
        done(ddis.report)

        structures = _upsert(
            Structure,
            label=STRUCTURES_FILE,
            key=lambda o: o.code,
            rows=(
                (
                    s.code,
                    {
                        "code": s.code,
                        "name": s.name,
                        "kind": s.kind,
                        "ministry_id": ministries.pk(s.ministry_code),
                        **_sourced(s),
                    },
                )
                for s in data.structures
            ),
            owned=("name", "kind", "ministry_id", *_SOURCED),
        )
        done(structures.report)

        exceptions = _upsert(
            ProgrammeException,
            label=PROGRAMME_EXCEPTIONS_FILE,
            key=lambda o: (o.department_id, o.programme_id),
            rows=(
                (
                    (departments.pk(e.department_code), programmes.pk(e.programme_code)),
                    {
                        "department_id": departments.pk(e.department_code),
                        "programme_id": programmes.pk(e.programme_code),
                        "handled_by": e.handled_by,
                        "ddi_attached": e.ddi_attached,
                        **_sourced(e),
                    },
                )
                for e in data.programme_exceptions
            ),
            owned=("handled_by", "ddi_attached", *_SOURCED),
        )
        done(exceptions.report)

        done(ddi_attachments_create_missing())
    return reports
