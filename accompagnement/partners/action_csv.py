"""A partner's file of support actions (CSV): read and checked whole, without writing.

The format, shown on the import page with an example file (`example_csv`):
- UTF-8 with or without a byte order mark, columns separated by `;` or `,` (the first
  line says which), one header line with the column names of `COLUMNS` (accents and case
  do not matter; the optional ones may be left out);
- list cells (DDI kinds, regions, departments, programmes) separate their values by
  spaces, `|` or commas; empty means "all";
- kinds, axes and statuses by their code or their French label; dates as `AAAA-MM-JJ`
  or `JJ/MM/AAAA`.

Every line is checked before anything is written; the errors name their line. A row is
known by its owner and its identifier (`external_id`): importing the file again updates
the actions it already created (`services.actions.support_actions_import`).
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date

from django.utils.translation import gettext as _

from accompagnement.audience import Audience, describe
from accompagnement.axes.models import Axis
from accompagnement.core.dates import FIRST_DAY, LAST_DAY
from accompagnement.partners.enums import SupportActionKind, SupportActionStatus
from accompagnement.partners.models import SupportAction
from accompagnement.partners.selectors.actions import action_owners
from ddi.enums import DDIKind
from ddi.models import Department, Programme, Region

MAX_FILE_BYTES = 1024 * 1024
MAX_ROWS = 2000
# Errors listed at most (the others are counted).
MAX_ERRORS = 50

# Column name → whether it must be in the header.
COLUMNS = {
    "porteur": True,
    "identifiant": True,
    "intitule": True,
    "nature": True,
    "axe": True,
    "types_ddi": False,
    "regions": False,
    "departements": False,
    "programmes": False,
    "debut": True,
    "fin": False,
    "etat": False,
    "description": False,
}
_LIST_SEPARATOR = re.compile(r"[\s|,;]+")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FRENCH_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_TITLE_MAX = SupportAction._meta.get_field("title").max_length
_EXTERNAL_ID_MAX = SupportAction._meta.get_field("external_id").max_length

# Words a partner may write instead of the codes (compared without accents nor case).
_KIND_WORDS = {
    "formation": SupportActionKind.TRAINING,
    "note": SupportActionKind.NOTE,
    "guide": SupportActionKind.NOTE,
    "campagne": SupportActionKind.CAMPAIGN,
    "visite": SupportActionKind.VISIT,
    "reunion": SupportActionKind.MEETING,
    "webinaire": SupportActionKind.MEETING,
}
_AXIS_WORDS = {
    "outil": Axis.TOOL,
    "processus": Axis.PROCESS,
    "pratiques": Axis.PRACTICES,
    "bonnes_pratiques": Axis.PRACTICES,
    "fin_de_gestion": Axis.YEAR_END,
}
_STATUS_WORDS = {
    "prevu": SupportActionStatus.PLANNED,
    "realise": SupportActionStatus.DONE,
    "annule": SupportActionStatus.CANCELLED,
}


def plain(text: str) -> str:
    """Lower case, without accents, words joined by `_`: "Fin de gestion" → fin_de_gestion."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s'’\-]+", "_", letters)


def _vocabulary(choices, words: dict) -> dict[str, str]:
    known = {plain(value): value for value in choices.values}
    known.update({plain(str(label)): value for value, label in choices.choices})
    known.update(words)
    return known


@dataclass(frozen=True)
class ActionRow:
    """One checked line of the file, ready to be written."""

    line: int
    owner_id: int
    owner_name: str
    external_id: str
    title: str
    kind: str
    axis: str
    ddi_kinds: tuple[str, ...]
    regions: tuple[Region, ...]
    departments: tuple[Department, ...]
    programmes: tuple[Programme, ...]
    starts_on: date
    ends_on: date | None
    status: str
    description: str
    updates: bool = False  # an action of the same owner and identifier exists

    @property
    def key(self) -> tuple[int, str]:
        return (self.owner_id, self.external_id)

    @property
    def audience(self) -> str:
        return describe(
            Audience.targeting(
                kinds=self.ddi_kinds,
                regions=self.regions,
                departments=self.departments,
                programmes=self.programmes,
            )
        )

    def get_kind_display(self) -> str:
        return str(SupportActionKind(self.kind).label)

    def get_axis_display(self) -> str:
        return str(Axis(self.axis).label)

    def get_status_display(self) -> str:
        return str(SupportActionStatus(self.status).label)


class ActionFileError(Exception):
    """The file cannot be imported: every message names its line (or the file)."""

    def __init__(self, errors: list[str], more: int = 0):
        self.errors = errors
        self.more = more
        super().__init__("\n".join(errors))


class _LineError(Exception):
    pass


def decode(content: bytes | str) -> str:
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ActionFileError(
                [_("Le fichier n’est pas encodé en UTF-8 : enregistrez-le en « CSV UTF-8 ».")]
            ) from error
    return content.removeprefix("\ufeff")


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") >= first.count(",") and ";" in first else ","


class _References:
    """The owners, regions, departments and programmes, by code (4 queries)."""

    def __init__(self):
        self.owners = {p.code: p for p in action_owners()}
        self.regions = {r.code: r for r in Region.objects.order_by("name")}
        self.departments = {d.code: d for d in Department.objects.order_by("code")}
        self.programmes = {p.code: p for p in Programme.objects.order_by("code")}
        self.kinds = _vocabulary(SupportActionKind, _KIND_WORDS)
        self.axes = _vocabulary(Axis, _AXIS_WORDS)
        self.statuses = _vocabulary(SupportActionStatus, _STATUS_WORDS)


def read_action_file(content: bytes | str) -> list[ActionRow]:
    """The file's rows, every one checked, or `ActionFileError` with all the errors."""
    text = decode(content)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = [plain(name) for name in next(reader, [])]
        _check_header(header)
        references = _References()
        rows, errors, seen = [], [], {}
        previous_end = reader.line_num
        for cells in reader:
            # A quoted value may span lines: the row starts right after the previous one.
            line, previous_end = previous_end + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) + len(errors) >= MAX_ROWS:
                raise ActionFileError(
                    [
                        _("Le fichier compte plus de %(max)d actions : découpez-le.")
                        % {"max": MAX_ROWS}
                    ]
                )
            try:
                row = _row(line, header, cells, references)
                if row.key in seen:
                    raise _LineError(
                        _("identifiant « %(id)s » déjà utilisé ligne %(line)d pour ce porteur")
                        % {"id": row.external_id, "line": seen[row.key]}
                    )
                seen[row.key] = line
                rows.append(row)
            except _LineError as error:
                errors.append(_("Ligne %(line)d : %(message)s") % {"line": line, "message": error})
    except csv.Error as error:
        raise ActionFileError(
            [
                _("CSV illisible ligne %(line)d : %(error)s")
                % {"line": reader.line_num, "error": error}
            ]
        ) from error
    if errors:
        raise ActionFileError(errors[:MAX_ERRORS], more=max(0, len(errors) - MAX_ERRORS))
    if not rows:
        raise ActionFileError([_("Le fichier ne contient aucune action sous son en-tête.")])
    return _mark_updates(rows)


def _check_header(header: list[str]) -> None:
    if not any(header):
        raise ActionFileError([_("Ligne 1 : fichier vide, ligne d’en-tête attendue.")])
    errors = []
    for name in header:
        if name not in COLUMNS:
            errors.append(
                _("Ligne 1 : colonne inconnue « %(column)s » (colonnes possibles : %(columns)s).")
                % {"column": name, "columns": ", ".join(COLUMNS)}
            )
    for name, required in COLUMNS.items():
        if required and name not in header:
            errors.append(_("Ligne 1 : colonne « %(column)s » manquante.") % {"column": name})
    if len(set(header)) != len(header):
        errors.append(_("Ligne 1 : une colonne figure deux fois."))
    if errors:
        raise ActionFileError(errors)


def _row(line: int, header: list[str], cells: list[str], refs: _References) -> ActionRow:
    if len(cells) != len(header):
        raise _LineError(
            _("%(found)d colonnes au lieu de %(expected)d")
            % {"found": len(cells), "expected": len(header)}
        )
    values = {name: cell.strip() for name, cell in zip(header, cells, strict=True)}

    def cell(name: str) -> str:
        return values.get(name, "")

    def required(name: str) -> str:
        if not cell(name):
            raise _LineError(_("la colonne « %(column)s » est vide") % {"column": name})
        return cell(name)

    owner = refs.owners.get(required("porteur"))
    if owner is None:
        raise _LineError(
            _("porteur inconnu « %(value)s » (codes possibles : %(codes)s)")
            % {"value": cell("porteur"), "codes": ", ".join(sorted(refs.owners)) or "—"}
        )
    external_id = _limited(required("identifiant"), "identifiant", _EXTERNAL_ID_MAX)
    title = _limited(required("intitule"), "intitule", _TITLE_MAX)
    kind = _word(
        required("nature"), refs.kinds, _("nature inconnue « %(value)s »"), SupportActionKind
    )
    axis = _word(required("axe"), refs.axes, _("axe inconnu « %(value)s »"), Axis)
    status = (
        _word(cell("etat"), refs.statuses, _("état inconnu « %(value)s »"), SupportActionStatus)
        if cell("etat")
        else SupportActionStatus.PLANNED
    )
    starts_on = _day(required("debut"), "debut")
    ends_on = _day(cell("fin"), "fin") if cell("fin") else None
    if ends_on and ends_on < starts_on:
        raise _LineError(_("la fin (%(end)s) précède le début") % {"end": cell("fin")})
    kinds = _values(cell("types_ddi"), "types_ddi")
    for value in kinds:
        if value not in DDIKind.values:
            raise _LineError(
                _("type de DDI inconnu « %(value)s » (attendu : %(kinds)s)")
                % {"value": value, "kinds": ", ".join(DDIKind.values)}
            )
    return ActionRow(
        line=line,
        owner_id=owner.pk,
        owner_name=owner.name,
        external_id=external_id,
        title=title,
        kind=kind,
        axis=axis,
        ddi_kinds=tuple(kinds),
        regions=_known(cell("regions"), "regions", refs.regions, str),
        departments=_known(cell("departements"), "departements", refs.departments, _department),
        programmes=_known(cell("programmes"), "programmes", refs.programmes, _programme),
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
        description=cell("description"),
    )


def _limited(value: str, column: str, max_length: int) -> str:
    if len(value) > max_length:
        raise _LineError(
            _("« %(column)s » dépasse %(max)d caractères") % {"column": column, "max": max_length}
        )
    return value


def _word(value: str, vocabulary: dict[str, str], message: str, choices) -> str:
    found = vocabulary.get(plain(value))
    if found is None:
        raise _LineError(
            message % {"value": value}
            + " "
            + _("(attendu : %(codes)s)") % {"codes": ", ".join(choices.values)}
        )
    return str(found)


def _day(value: str, column: str) -> date:
    try:
        if match := _ISO_DAY.match(value):
            year, month, day = (int(part) for part in match.groups())
        elif match := _FRENCH_DAY.match(value):
            day, month, year = (int(part) for part in match.groups())
        else:
            raise ValueError(value)
        found = date(year, month, day)
    except ValueError as error:
        raise _LineError(
            _("date invalide dans « %(column)s » : « %(value)s » (AAAA-MM-JJ ou JJ/MM/AAAA)")
            % {"column": column, "value": value}
        ) from error
    if not FIRST_DAY <= found <= LAST_DAY:
        raise _LineError(
            _("date hors limites dans « %(column)s » : « %(value)s »")
            % {"column": column, "value": value}
        )
    return found


def _values(cell: str, column: str) -> list[str]:
    values = [v for v in _LIST_SEPARATOR.split(cell) if v]
    for value in values:
        if values.count(value) > 1:
            raise _LineError(
                _("« %(value)s » cité deux fois dans « %(column)s »")
                % {"value": value, "column": column}
            )
    return values


def _department(code: str) -> str:
    """ "1" → "01" (a spreadsheet drops the leading zero), "2a" → "2A"."""
    code = code.upper()
    return code.zfill(2) if code.isdigit() else code


def _programme(code: str) -> str:
    """ "P206" → "206"."""
    return code[1:] if code[:1] in ("P", "p") else code


def _known(cell: str, column: str, known: dict, normalise) -> tuple:
    found = []
    for value in _values(cell, column):
        row = known.get(normalise(value))
        if row is None:
            raise _LineError(
                _("code inconnu dans « %(column)s » : « %(value)s »")
                % {"column": column, "value": value}
            )
        found.append(row)
    return tuple(found)


def _mark_updates(rows: list[ActionRow]) -> list[ActionRow]:
    """Which rows update an action already imported (1 query)."""
    existing = set(
        SupportAction.objects.filter(
            owner_id__in={row.owner_id for row in rows},
            external_id__in={row.external_id for row in rows},
        ).values_list("owner_id", "external_id")
    )
    return [replace(row, updates=row.key in existing) for row in rows]


# ---------------------------------------------------------------------------- example


def example_csv(owner_code: str) -> str:
    """An example file: three actions of `owner_code`, separated by `;`."""
    lines = [
        list(COLUMNS),
        [
            owner_code,
            "FORM-2011-07",
            "Formation aux restitutions INF-BUD",
            "formation",
            "outil",
            "DDCS DDPP DDCSPP",
            "",
            "",
            "",
            "2011-11-15",
            "2011-11-16",
            "prévue",
            "Deux jours en CPCM, sur poste.",
        ],
        [
            owner_code,
            "NOTE-2011-12",
            "Note sur les charges à payer de fin de gestion",
            "note",
            "fin_de_gestion",
            "",
            "",
            "",
            "206 215",
            "05/12/2011",
            "",
            "réalisée",
            "",
        ],
        [
            owner_code,
            "VISITE-93-01",
            "Visite de la DDCS de Seine-Saint-Denis",
            "visite",
            "pratiques",
            "DDCS",
            "",
            "93",
            "",
            "2012-01-10",
            "",
            "prévue",
            "Organisation du circuit de la dépense avec le CSP.",
        ],
    ]
    stream = io.StringIO()
    csv.writer(stream, delimiter=";", lineterminator="\r\n").writerows(lines)
    return stream.getvalue()
