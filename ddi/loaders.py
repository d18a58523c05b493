"""Read and validate the reference data files of `ddi/data/`, without touching the database.

Every file is read whole and checked (columns, codes, references to the other files) before
anything is written, so that one malformed row stops the load with a message naming the file
and the line. The writes live in `ddi.services`.
"""

import re
from pathlib import Path

from django.utils.translation import gettext as _

from ddi.csv_files import CsvFile, CsvRow, ReferenceDataError, csv_field
from ddi.enums import DDIKind, StructureKind
from ddi.models import DDI, Department, Ministry, Programme, Region, ServiceCentre, Structure
from ddi.records import (
    DDIRecord,
    DepartmentRecord,
    MinistryRecord,
    ProgrammeExceptionRecord,
    ProgrammeRecord,
    ProgrammeUseRecord,
    ReferenceData,
    RegionRecord,
    ServiceCentreRecord,
    StructureRecord,
)

DATA_DIR = Path(__file__).resolve().parent / "data"

REGIONS_FILE = "regions.csv"
DEPARTMENTS_FILE = "departments.csv"
MINISTRIES_FILE = "ministries.csv"
PROGRAMMES_FILE = "programmes.csv"
PROGRAMME_USES_FILE = "programme_uses.csv"
SERVICE_CENTRES_FILE = "service_centres.csv"
PROGRAMME_EXCEPTIONS_FILE = "programme_exceptions.csv"
DDIS_FILE = "ddis.csv"
STRUCTURES_FILE = "structures.csv"

_REGION_CODE = re.compile(r"^[0-9]{2}$")
# Metropolitan 01-95 without 20 (split into 2A/2B in 1976), overseas 971-976.
_DEPARTMENT_CODE = re.compile(r"^(?!20$)([0-9]{2}|2[AB]|97[1-6])$")
_PROGRAMME_CODE = re.compile(r"^[0-9]{3}$")
_LIST_SEPARATOR = re.compile(r"[\s|]+")


def read_regions(data_dir: Path) -> list[RegionRecord]:
    file = CsvFile(data_dir, REGIONS_FILE, ["code", "name", "source", "confidence"])
    records = []
    for row in file.rows():
        code = row.matching(
            "code", _REGION_CODE, _("code de région invalide « %(value)s » (deux chiffres)")
        )
        file.unique(row, code, f"« {code} »")
        name = row.text("name", field=csv_field(Region, "name"))
        file.unique(row, ("name", name), f"« {name} »")
        records.append(RegionRecord(line=row.line, code=code, name=name, **row.sourced()))
    return records


def read_departments(data_dir: Path, *, region_codes: set[str]) -> list[DepartmentRecord]:
    file = CsvFile(
        data_dir,
        DEPARTMENTS_FILE,
        ["code", "name", "region_code", "name_type", "source", "confidence"],
    )
    records = []
    for row in file.rows():
        code = row.matching(
            "code", _DEPARTMENT_CODE, _("code de département invalide « %(value)s »")
        )
        file.unique(row, code, f"« {code} »")
        name_type = row.text("name_type")
        if name_type not in {"0", "1", "2", "3", "4", "5"}:
            raise row.error(
                _("type de nom INSEE invalide « %(value)s » (0 à 5)") % {"value": name_type}
            )
        records.append(
            DepartmentRecord(
                line=row.line,
                code=code,
                name=row.text("name", field=csv_field(Department, "name")),
                region_code=row.reference(
                    "region_code", region_codes, _("région inconnue « %(value)s »")
                ),
                name_type=int(name_type),
                **row.sourced(),
            )
        )
    return records


def read_ministries(data_dir: Path) -> list[MinistryRecord]:
    file = CsvFile(data_dir, MINISTRIES_FILE, ["code", "name", "source", "confidence"])
    records = []
    for row in file.rows():
        code = row.text("code", field=csv_field(Ministry, "code"))
        file.unique(row, code, f"« {code} »")
        records.append(
            MinistryRecord(
                line=row.line,
                code=code,
                name=row.text("name", field=csv_field(Ministry, "name")),
                **row.sourced(),
            )
        )
    return records


def _programme_code(row: CsvRow, column: str) -> str:
    return row.matching(
        column,
        _PROGRAMME_CODE,
        _("code de programme invalide « %(value)s » (trois chiffres attendus)"),
    )


def read_programmes(data_dir: Path, *, ministry_codes: set[str]) -> list[ProgrammeRecord]:
    file = CsvFile(
        data_dir,
        PROGRAMMES_FILE,
        ["code", "label", "ministry_code", "relevance", "source", "confidence"],
    )
    records = []
    for row in file.rows():
        code = _programme_code(row, "code")
        file.unique(row, code, f"« {code} »")
        records.append(
            ProgrammeRecord(
                line=row.line,
                code=code,
                label=row.text("label", field=csv_field(Programme, "label")),
                ministry_code=row.reference(
                    "ministry_code", ministry_codes, _("ministère inconnu « %(value)s »")
                ),
                relevance=row.text("relevance", required=False),
                **row.sourced(),
            )
        )
    return records


def _known_programme(row: CsvRow, code: str, programme_codes: set[str]) -> str:
    if code not in programme_codes:
        raise row.error(
            _("programme inconnu « %(value)s » (absent de %(file)s)")
            % {"value": code, "file": PROGRAMMES_FILE}
        )
    return code


def read_programme_uses(data_dir: Path, *, programme_codes: set[str]) -> list[ProgrammeUseRecord]:
    file = CsvFile(
        data_dir, PROGRAMME_USES_FILE, ["ddi_kind", "programme_code", "source", "confidence"]
    )
    records = []
    for row in file.rows():
        kind = row.choice("ddi_kind", DDIKind, _("type de DDI inconnu « %(value)s »"))
        code = _known_programme(row, _programme_code(row, "programme_code"), programme_codes)
        file.unique(row, (kind, code), f"{kind} × {code}")
        records.append(
            ProgrammeUseRecord(line=row.line, ddi_kind=kind, programme_code=code, **row.sourced())
        )
    return records


def _joint_ministries(row: CsvRow, ministry_code: str, ministry_codes: set[str]) -> tuple:
    """The other ministries of a joint centre: known, none twice, not the lead one."""
    codes = []
    for value in _LIST_SEPARATOR.split(row.text("joint_ministry_codes", required=False)):
        if not value:
            continue
        if value not in ministry_codes:
            raise row.error(_("ministère associé inconnu « %(value)s »") % {"value": value})
        if value == ministry_code or value in codes:
            raise row.error(
                _("ministère associé « %(value)s » cité deux fois (ou déjà porteur)")
                % {"value": value}
            )
        codes.append(value)
    return tuple(codes)


def read_service_centres(
    data_dir: Path,
    *,
    ministry_codes: set[str],
    region_codes: set[str],
    programme_codes: set[str],
) -> list[ServiceCentreRecord]:
    file = CsvFile(
        data_dir,
        SERVICE_CENTRES_FILE,
        [
            "code",
            "name",
            "ministry_code",
            "joint_ministry_codes",
            "region_code",
            "programme_codes",
            "contact_name",
            "email",
            "phone",
            "source",
            "confidence",
        ],
    )
    records = []
    # Attachments are derived from (region, programme): each pair needs exactly one centre.
    centre_by_region_programme: dict[tuple[str, str], str] = {}
    for row in file.rows():
        code = row.slug("code", csv_field(ServiceCentre, "code"))
        file.unique(row, code, f"« {code} »")
        region_code = row.reference(
            "region_code", region_codes, _("région inconnue « %(value)s »"), required=False
        )
        programmes = []
        for value in _LIST_SEPARATOR.split(row.text("programme_codes", required=False)):
            if not value:
                continue
            if not _PROGRAMME_CODE.match(value):
                raise row.error(
                    _("code de programme invalide « %(value)s » (trois chiffres attendus)")
                    % {"value": value}
                )
            _known_programme(row, value, programme_codes)
            if value in programmes:
                raise row.error(_("programme « %(value)s » cité deux fois") % {"value": value})
            other = centre_by_region_programme.setdefault((region_code, value), code)
            if other != code:
                raise row.error(
                    _(
                        "le programme %(programme)s est déjà traité par le CSP « %(other)s » "
                        "dans la même région"
                    )
                    % {"programme": value, "other": other}
                )
            programmes.append(value)
        ministry_code = row.reference(
            "ministry_code", ministry_codes, _("ministère inconnu « %(value)s »")
        )
        records.append(
            ServiceCentreRecord(
                line=row.line,
                code=code,
                name=row.text("name", field=csv_field(ServiceCentre, "name")),
                ministry_code=ministry_code,
                joint_ministry_codes=_joint_ministries(row, ministry_code, ministry_codes),
                region_code=region_code,
                programme_codes=tuple(programmes),
                contact_name=row.text(
                    "contact_name", required=False, field=csv_field(ServiceCentre, "contact_name")
                ),
                email=row.email("email"),
                phone=row.text("phone", required=False, field=csv_field(ServiceCentre, "phone")),
                **row.sourced(),
            )
        )
    return records


def read_programme_exceptions(
    data_dir: Path, *, department_codes: set[str], programme_codes: set[str]
) -> list[ProgrammeExceptionRecord]:
    file = CsvFile(
        data_dir,
        PROGRAMME_EXCEPTIONS_FILE,
        [
            "department_code",
            "programme_code",
            "handled_by",
            "ddi_attached",
            "source",
            "confidence",
        ],
    )
    records = []
    for row in file.rows():
        department_code = row.reference(
            "department_code", department_codes, _("département inconnu « %(value)s »")
        )
        programme_code = _known_programme(
            row, _programme_code(row, "programme_code"), programme_codes
        )
        file.unique(row, (department_code, programme_code), f"{department_code} × {programme_code}")
        records.append(
            ProgrammeExceptionRecord(
                line=row.line,
                department_code=department_code,
                programme_code=programme_code,
                handled_by=row.text("handled_by"),
                ddi_attached=row.boolean("ddi_attached"),
                **row.sourced(),
            )
        )
    return records


def read_ddis(
    data_dir: Path,
    *,
    departments: list[DepartmentRecord],
    programme_uses: list[ProgrammeUseRecord],
    service_centres: list[ServiceCentreRecord],
    programme_exceptions: list[ProgrammeExceptionRecord] = (),
) -> list[DDIRecord]:
    file = CsvFile(
        data_dir, DDIS_FILE, ["department_code", "kind", "name", "email", "source", "confidence"]
    )
    region_by_department = {d.code: d.region_code for d in departments}
    programmes_by_kind: dict[str, list[str]] = {}
    for use in programme_uses:
        programmes_by_kind.setdefault(use.ddi_kind, []).append(use.programme_code)
    served = {
        (centre.region_code, programme)
        for centre in service_centres
        for programme in centre.programme_codes
    }
    # Programmes another service runs in the department: its DDIs need no CSP for them.
    not_attached = {
        (e.department_code, e.programme_code) for e in programme_exceptions if not e.ddi_attached
    }
    records = []
    for row in file.rows():
        department_code = row.reference(
            "department_code",
            set(region_by_department),
            _("département inconnu « %(value)s »"),
        )
        kind = row.choice("kind", DDIKind, _("type de DDI inconnu « %(value)s »"))
        file.unique(row, (kind, department_code), f"{kind} {department_code}")
        region_code = region_by_department[department_code]
        for programme in programmes_by_kind.get(kind, []):
            if (department_code, programme) in not_attached:
                continue
            if (region_code, programme) not in served and ("", programme) not in served:
                raise row.error(
                    _(
                        "aucun CSP de la région %(region)s (ni national) ne traite le "
                        "programme %(programme)s utilisé par les %(kind)s (voir %(file)s)"
                    )
                    % {
                        "region": region_code,
                        "programme": programme,
                        "kind": kind,
                        "file": SERVICE_CENTRES_FILE,
                    }
                )
        records.append(
            DDIRecord(
                line=row.line,
                department_code=department_code,
                kind=kind,
                name=row.text("name", field=csv_field(DDI, "name")),
                email=row.email("email"),
                **row.sourced(),
            )
        )
    return records


def read_structures(data_dir: Path, *, ministry_codes: set[str]) -> list[StructureRecord]:
    file = CsvFile(
        data_dir,
        STRUCTURES_FILE,
        ["code", "name", "kind", "ministry_code", "source", "confidence"],
    )
    records = []
    for row in file.rows():
        code = row.slug("code", csv_field(Structure, "code"))
        file.unique(row, code, f"« {code} »")
        kind = row.choice("kind", StructureKind, _("nature de structure inconnue « %(value)s »"))
        ministry_code = row.reference(
            "ministry_code",
            ministry_codes,
            _("ministère inconnu « %(value)s »"),
            required=kind == StructureKind.MINISTRY,
        )
        records.append(
            StructureRecord(
                line=row.line,
                code=code,
                name=row.text("name", field=csv_field(Structure, "name")),
                kind=kind,
                ministry_code=ministry_code,
                **row.sourced(),
            )
        )
    return records


def read_reference_data(data_dir: Path = DATA_DIR) -> ReferenceData:
    """Read and check every file; raise `ReferenceDataError` at the first bad row."""
    if not data_dir.is_dir():
        raise ReferenceDataError(str(data_dir), None, _("dossier de données introuvable"))
    regions = read_regions(data_dir)
    region_codes = {r.code for r in regions}
    departments = read_departments(data_dir, region_codes=region_codes)
    ministries = read_ministries(data_dir)
    ministry_codes = {m.code for m in ministries}
    programmes = read_programmes(data_dir, ministry_codes=ministry_codes)
    programme_codes = {p.code for p in programmes}
    programme_uses = read_programme_uses(data_dir, programme_codes=programme_codes)
    service_centres = read_service_centres(
        data_dir,
        ministry_codes=ministry_codes,
        region_codes=region_codes,
        programme_codes=programme_codes,
    )
    programme_exceptions = read_programme_exceptions(
        data_dir,
        department_codes={d.code for d in departments},
        programme_codes=programme_codes,
    )
    return ReferenceData(
        regions=regions,
        departments=departments,
        ministries=ministries,
        programmes=programmes,
        programme_uses=programme_uses,
        service_centres=service_centres,
        programme_exceptions=programme_exceptions,
        ddis=read_ddis(
            data_dir,
            departments=departments,
            programme_uses=programme_uses,
            service_centres=service_centres,
            programme_exceptions=programme_exceptions,
        ),
        structures=read_structures(data_dir, ministry_codes=ministry_codes),
    )
