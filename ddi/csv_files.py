"""Reading the CSV files of `ddi/data/` (and of `accompagnement/data/`): rows with their
line numbers, typed columns, and the error that names the file and the line."""

import csv
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import models
from django.utils.translation import gettext as _

from ddi.enums import Confidence

_BOOLEANS = {"true": True, "false": False}


class ReferenceDataError(Exception):
    """A data file that cannot be loaded: names the file and, when known, the line."""

    def __init__(self, filename: str, line: int | None, message: str):
        self.filename = filename
        self.line = line
        self.message = message
        if line is None:
            text = _("%(file)s : %(message)s") % {"file": filename, "message": message}
        else:
            text = _("%(file)s, ligne %(line)d : %(message)s") % {
                "file": filename,
                "line": line,
                "message": message,
            }
        super().__init__(text)


class CsvRow:
    """One data row: its line number and its values, with checks that name the line."""

    def __init__(self, reader: "CsvFile", line: int, values: dict[str, str]):
        self.reader = reader
        self.line = line
        self.values = values

    def error(self, message: str) -> ReferenceDataError:
        return ReferenceDataError(self.reader.filename, self.line, message)

    def text(self, column: str, *, required: bool = True, field: models.Field | None = None):
        value = self.values[column]
        if required and not value:
            raise self.error(_("la colonne « %(column)s » est vide") % {"column": column})
        max_length = getattr(field, "max_length", None)
        if max_length and len(value) > max_length:
            raise self.error(
                _("« %(column)s » dépasse %(max)d caractères")
                % {"column": column, "max": max_length}
            )
        return value

    def matching(self, column: str, pattern: re.Pattern, message: str) -> str:
        value = self.text(column)
        if not pattern.match(value):
            raise self.error(message % {"value": value})
        return value

    def choice(self, column: str, choices: type[models.TextChoices], message: str) -> str:
        value = self.text(column)
        if value not in choices.values:
            raise self.error(
                message % {"value": value}
                + " "
                + _("(attendu : %(choices)s)") % {"choices": ", ".join(choices.values)}
            )
        return value

    def reference(self, column: str, known: set[str], message: str, *, required=True) -> str:
        value = self.text(column, required=required)
        if value and value not in known:
            raise self.error(message % {"value": value})
        return value

    def email(self, column: str) -> str:
        value = self.text(column, required=False)
        if value:
            try:
                validate_email(value)
            except ValidationError as error:
                raise self.error(
                    _("adresse électronique invalide « %(value)s »") % {"value": value}
                ) from error
        return value

    def boolean(self, column: str) -> bool:
        value = self.text(column)
        if value not in _BOOLEANS:
            raise self.error(
                _("« %(column)s » vaut « %(value)s » (attendu : true ou false)")
                % {"column": column, "value": value}
            )
        return _BOOLEANS[value]

    def slug(self, column: str, field: models.Field) -> str:
        value = self.text(column, field=field)
        try:
            validate_slug(value)
        except ValidationError as error:
            raise self.error(
                _("code invalide « %(value)s » (lettres, chiffres, tirets)") % {"value": value}
            ) from error
        return value

    def sourced(self) -> dict[str, str]:
        """The `source` and `confidence` columns every file carries."""
        return {
            "source": self.text("source"),
            "confidence": self.choice(
                "confidence", Confidence, _("fiabilité inconnue « %(value)s »")
            ),
        }


class CsvFile:
    def __init__(self, data_dir: Path, filename: str, columns: Sequence[str]):
        self.path = data_dir / filename
        self.filename = filename
        self.columns = tuple(columns)
        self._seen: dict[object, int] = {}

    def error(self, line: int | None, message: str) -> ReferenceDataError:
        return ReferenceDataError(self.filename, line, message)

    def rows(self) -> Iterator[CsvRow]:
        try:
            with self.path.open(encoding="utf-8-sig", newline="") as stream:
                yield from self._rows(csv.reader(stream))
        except FileNotFoundError as error:
            raise self.error(
                None, _("fichier introuvable (%(path)s)") % {"path": self.path}
            ) from error
        except UnicodeDecodeError as error:
            raise self.error(None, _("le fichier n'est pas encodé en UTF-8")) from error
        except csv.Error as error:
            raise self.error(None, _("CSV illisible : %(error)s") % {"error": error}) from error

    def _rows(self, reader) -> Iterator[CsvRow]:
        header = [column.strip() for column in next(reader, [])]
        if not header:
            raise self.error(1, _("fichier vide : ligne d'en-tête attendue"))
        for column in self.columns:
            if column not in header:
                raise self.error(1, _("colonne manquante « %(column)s »") % {"column": column})
        for column in header:
            if column not in self.columns:
                raise self.error(1, _("colonne inattendue « %(column)s »") % {"column": column})
        if len(set(header)) != len(header):
            raise self.error(1, _("colonne en double dans l'en-tête"))
        previous_end = reader.line_num
        for cells in reader:
            # A quoted value may span lines: the row starts right after the previous one.
            line, previous_end = previous_end + 1, reader.line_num
            if not cells or not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                raise self.error(
                    line,
                    _("%(found)d colonnes au lieu de %(expected)d")
                    % {"found": len(cells), "expected": len(header)},
                )
            yield CsvRow(self, line, {c: v.strip() for c, v in zip(header, cells, strict=True)})

    def unique(self, row: CsvRow, key: object, label: str) -> None:
        """Refuse a second row with the same natural key."""
        if key in self._seen:
            raise row.error(
                _("doublon : %(key)s déjà défini ligne %(line)d")
                % {"key": label, "line": self._seen[key]}
            )
        self._seen[key] = row.line


def csv_field(model: type[models.Model], name: str) -> models.Field:
    return model._meta.get_field(name)
