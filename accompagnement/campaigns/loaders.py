"""Read and validate the campaign files of `accompagnement/data/`, without touching the database.

Same rules as the reference data of `ddi.loaders` (whose CSV reader this module reuses):
every file is read whole and checked before anything is written, and an error names the file
and the line. The writes live in `accompagnement.campaigns.services`.
"""

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.utils.translation import gettext as _

from accompagnement.campaigns.models import Campaign, CampaignKind, Milestone
from ddi.csv_files import CsvFile, CsvRow, ReferenceDataError, csv_field
from ddi.enums import DDIKind

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

CAMPAIGNS_FILE = "campaigns.csv"
MILESTONES_FILE = "milestones.csv"

_YEAR = re.compile(r"^[0-9]{4}$")
_LIST_SEPARATOR = re.compile(r"[\s|,]+")
# A milestone of the 2011 closing may fall in January 2012, not years away from its campaign.
_MAX_YEARS_FROM_CAMPAIGN = 1
_MAX_REMINDER_OFFSET = 365
_BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True)
class CampaignRecord:
    line: int
    fiscal_year: int
    kind: str
    title: str

    @property
    def key(self) -> tuple[int, str]:
        return (self.fiscal_year, self.kind)


@dataclass(frozen=True)
class MilestoneRecord:
    line: int
    campaign_key: tuple[int, str]
    code: str
    title: str
    explanation: str
    due_date: date
    date_note: str
    ddi_kinds: tuple[str, ...]
    programme_codes: tuple[str, ...]
    service_centre_codes: tuple[str, ...]
    reminder_offsets: tuple[int, ...]
    needs_acknowledgement: bool
    source: str
    confidence: str


@dataclass(frozen=True)
class CampaignData:
    campaigns: list[CampaignRecord]
    milestones: list[MilestoneRecord]


def _values(row: CsvRow, column: str) -> list[str]:
    """A list cell: values separated by spaces, commas or `|`; refuses a repeated value."""
    values = [v for v in _LIST_SEPARATOR.split(row.text(column, required=False)) if v]
    for value in values:
        if values.count(value) > 1:
            raise row.error(
                _("« %(value)s » cité deux fois dans « %(column)s »")
                % {"value": value, "column": column}
            )
    return values


def _year(row: CsvRow, column: str) -> int:
    return int(row.matching(column, _YEAR, _("exercice invalide « %(value)s » (AAAA)")))


def read_campaigns(data_dir: Path) -> list[CampaignRecord]:
    file = CsvFile(data_dir, CAMPAIGNS_FILE, ["fiscal_year", "kind", "title"])
    records = []
    for row in file.rows():
        fiscal_year = _year(row, "fiscal_year")
        kind = row.choice("kind", CampaignKind, _("nature de campagne inconnue « %(value)s »"))
        file.unique(row, (fiscal_year, kind), f"{kind} {fiscal_year}")
        records.append(
            CampaignRecord(
                line=row.line,
                fiscal_year=fiscal_year,
                kind=kind,
                title=row.text("title", field=csv_field(Campaign, "title")),
            )
        )
    return records


def read_milestones(
    data_dir: Path,
    *,
    campaign_keys: set[tuple[int, str]],
    programme_codes: set[str],
    service_centre_codes: set[str],
) -> list[MilestoneRecord]:
    file = CsvFile(
        data_dir,
        MILESTONES_FILE,
        [
            "campaign_year",
            "campaign_kind",
            "code",
            "title",
            "explanation",
            "due_date",
            "date_note",
            "ddi_kinds",
            "programme_codes",
            "service_centre_codes",
            "reminder_offsets",
            "needs_acknowledgement",
            "source",
            "confidence",
        ],
    )
    records = []
    for row in file.rows():
        campaign_key = (
            _year(row, "campaign_year"),
            row.choice(
                "campaign_kind", CampaignKind, _("nature de campagne inconnue « %(value)s »")
            ),
        )
        if campaign_key not in campaign_keys:
            raise row.error(
                _("campagne %(kind)s %(year)d absente de %(file)s")
                % {"kind": campaign_key[1], "year": campaign_key[0], "file": CAMPAIGNS_FILE}
            )
        code = row.slug("code", csv_field(Milestone, "code"))
        file.unique(row, (campaign_key, code), f"« {code} »")
        records.append(
            MilestoneRecord(
                line=row.line,
                campaign_key=campaign_key,
                code=code,
                title=row.text("title", field=csv_field(Milestone, "title")),
                explanation=row.text("explanation"),
                due_date=_due_date(row, campaign_year=campaign_key[0]),
                date_note=row.text(
                    "date_note", required=False, field=csv_field(Milestone, "date_note")
                ),
                ddi_kinds=tuple(_ddi_kinds(row)),
                programme_codes=tuple(
                    _known(row, "programme_codes", programme_codes, _("programme inconnu"))
                ),
                service_centre_codes=tuple(
                    _known(row, "service_centre_codes", service_centre_codes, _("CSP inconnu"))
                ),
                reminder_offsets=_reminder_offsets(row),
                needs_acknowledgement=_boolean(row, "needs_acknowledgement"),
                **row.sourced(),
            )
        )
    return records


def _due_date(row: CsvRow, *, campaign_year: int) -> date:
    value = row.text("due_date")
    try:
        due = date.fromisoformat(value)
    except ValueError as error:
        raise row.error(
            _("date invalide « %(value)s » (AAAA-MM-JJ attendu)") % {"value": value}
        ) from error
    if abs(due.year - campaign_year) > _MAX_YEARS_FROM_CAMPAIGN:
        raise row.error(
            _("échéance « %(value)s » trop éloignée de l'exercice %(year)d")
            % {"value": value, "year": campaign_year}
        )
    return due


def _ddi_kinds(row: CsvRow) -> list[str]:
    kinds = _values(row, "ddi_kinds")
    for kind in kinds:
        if kind not in DDIKind.values:
            raise row.error(
                _("type de DDI inconnu « %(value)s » (attendu : %(choices)s)")
                % {"value": kind, "choices": ", ".join(DDIKind.values)}
            )
    return kinds


def _known(row: CsvRow, column: str, known: set[str], label: str) -> list[str]:
    values = _values(row, column)
    for value in values:
        if value not in known:
            raise row.error(
                _("%(label)s « %(value)s » dans « %(column)s »")
                % {"label": label, "value": value, "column": column}
            )
    return values


def _reminder_offsets(row: CsvRow) -> tuple[int, ...]:
    offsets = []
    for value in _values(row, "reminder_offsets"):
        # ASCII digits: `"²".isdigit()` is true, and `int("²")` fails.
        if not (value.isascii() and value.isdigit()) or int(value) > _MAX_REMINDER_OFFSET:
            raise row.error(
                _("rappel invalide « %(value)s » (nombre de jours de 0 à %(max)d)")
                % {"value": value, "max": _MAX_REMINDER_OFFSET}
            )
        offsets.append(int(value))
    return tuple(sorted(offsets, reverse=True))


def _boolean(row: CsvRow, column: str) -> bool:
    value = row.text(column).lower()
    if value not in _BOOLEANS:
        raise row.error(
            _("« %(column)s » vaut « %(value)s » (attendu : true ou false)")
            % {"column": column, "value": value}
        )
    return _BOOLEANS[value]


def read_campaign_data(
    data_dir: Path = DATA_DIR, *, programme_codes: set[str], service_centre_codes: set[str]
) -> CampaignData:
    """Read and check both files; raise `ReferenceDataError` at the first bad row.

    `programme_codes` and `service_centre_codes` are the codes a milestone may target.
    """
    if not data_dir.is_dir():
        raise ReferenceDataError(str(data_dir), None, _("dossier de données introuvable"))
    campaigns = read_campaigns(data_dir)
    return CampaignData(
        campaigns=campaigns,
        milestones=read_milestones(
            data_dir,
            campaign_keys={c.key for c in campaigns},
            programme_codes=programme_codes,
            service_centre_codes=service_centre_codes,
        ),
    )
