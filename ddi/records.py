"""What `ddi.loaders` reads from each data file: one frozen record per row, with its line
number, and `ReferenceData`, every file's records once all are checked."""

from dataclasses import dataclass


@dataclass(frozen=True)
class RegionRecord:
    line: int
    code: str
    name: str
    source: str
    confidence: str


@dataclass(frozen=True)
class DepartmentRecord:
    line: int
    code: str
    name: str
    region_code: str
    name_type: int
    source: str
    confidence: str


@dataclass(frozen=True)
class MinistryRecord:
    line: int
    code: str
    name: str
    source: str
    confidence: str


@dataclass(frozen=True)
class ProgrammeRecord:
    line: int
    code: str
    label: str
    ministry_code: str
    relevance: str
    source: str
    confidence: str


@dataclass(frozen=True)
class ProgrammeUseRecord:
    line: int
    ddi_kind: str
    programme_code: str
    source: str
    confidence: str


@dataclass(frozen=True)
class ServiceCentreRecord:
    line: int
    code: str
    name: str
    ministry_code: str
    # A joint centre (the agriculture and ecology CPCMs): the other ministries it serves.
    joint_ministry_codes: tuple[str, ...]
    region_code: str  # "" for a national centre
    programme_codes: tuple[str, ...]
    contact_name: str
    email: str
    phone: str
    source: str
    confidence: str


@dataclass(frozen=True)
class ProgrammeExceptionRecord:
    line: int
    department_code: str
    programme_code: str
    handled_by: str
    ddi_attached: bool
    source: str
    confidence: str


@dataclass(frozen=True)
class DDIRecord:
    line: int
    department_code: str
    kind: str
    name: str
    email: str
    source: str
    confidence: str


@dataclass(frozen=True)
class StructureRecord:
    line: int
    code: str
    name: str
    kind: str
    ministry_code: str
    source: str
    confidence: str


@dataclass(frozen=True)
class ReferenceData:
    regions: list[RegionRecord]
    departments: list[DepartmentRecord]
    ministries: list[MinistryRecord]
    programmes: list[ProgrammeRecord]
    programme_uses: list[ProgrammeUseRecord]
    service_centres: list[ServiceCentreRecord]
    programme_exceptions: list[ProgrammeExceptionRecord]
    ddis: list[DDIRecord]
    structures: list[StructureRecord]
