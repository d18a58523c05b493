"""Break a copy of the data files, one cell or one line at a time."""

import csv
from pathlib import Path


def rewrite_cell(path: Path, line: int, column: str, value: str) -> None:
    """Set one cell of a one-line-per-row CSV file (`line` counts the header as 1)."""
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    rows[line - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows(rows)


def rewrite_line(path: Path, line: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[line - 1] = text + "\n"
    path.write_text("".join(lines), encoding="utf-8")
