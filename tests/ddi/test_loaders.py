"""Validation of the data files: every error names the file and the line, before any write."""

import pytest

from ddi.loaders import ReferenceDataError, read_reference_data
from tests.ddi.data_files import rewrite_cell, rewrite_line


def test_shipped_files_are_valid():
    data = read_reference_data()

    assert len(data.regions) == 22
    assert len(data.departments) == 96
    assert len(data.ddis) == 238
    assert {d.code for d in data.departments} >= {"01", "2A", "2B", "95"}
    assert "20" not in {d.code for d in data.departments}


def test_every_row_is_sourced():
    data = read_reference_data()
    rows = [
        *data.regions,
        *data.departments,
        *data.ministries,
        *data.programmes,
        *data.programme_uses,
        *data.service_centres,
        *data.ddis,
        *data.structures,
    ]

    assert all(row.source and row.confidence for row in rows)
    assert {c.confidence for c in data.service_centres} == {"inferred"}


def test_service_centre_contacts_are_fictional():
    data = read_reference_data()

    assert all(c.email.endswith("@example.org") for c in data.service_centres)
    assert all(not d.email for d in data.ddis)


@pytest.mark.parametrize(
    ("filename", "line", "column", "value", "message"),
    [
        ("ddis.csv", 14, "kind", "DDX", "ddis.csv, ligne 14 : type de DDI inconnu « DDX »"),
        ("ddis.csv", 3, "department_code", "20", "ddis.csv, ligne 3 : département inconnu « 20 »"),
        (
            "departments.csv",
            5,
            "region_code",
            "99",
            "departments.csv, ligne 5 : région inconnue « 99 »",
        ),
        ("departments.csv", 7, "name_type", "6", "departments.csv, ligne 7 : type de nom INSEE"),
        (
            "programmes.csv",
            2,
            "code",
            "12",
            "programmes.csv, ligne 2 : code de programme invalide « 12 »",
        ),
        (
            "programme_uses.csv",
            4,
            "programme_code",
            "999",
            "programme_uses.csv, ligne 4 : programme inconnu « 999 »",
        ),
        (
            "service_centres.csv",
            6,
            "programme_codes",
            "215 2x7",
            "service_centres.csv, ligne 6 : code de programme invalide « 2x7 »",
        ),
        (
            "service_centres.csv",
            9,
            "email",
            "pas-une-adresse",
            "service_centres.csv, ligne 9 : adresse électronique invalide",
        ),
        (
            "regions.csv",
            23,
            "confidence",
            "certain",
            "regions.csv, ligne 23 : fiabilité inconnue « certain »",
        ),
        (
            "structures.csv",
            2,
            "kind",
            "agency",
            "structures.csv, ligne 2 : nature de structure inconnue « agency »",
        ),
        (
            "ministries.csv",
            3,
            "source",
            "",
            "ministries.csv, ligne 3 : la colonne « source » est vide",
        ),
    ],
)
def test_a_bad_cell_names_the_file_and_the_line(data_dir, filename, line, column, value, message):
    rewrite_cell(data_dir / filename, line, column, value)

    with pytest.raises(ReferenceDataError) as error:
        read_reference_data(data_dir)

    assert str(error.value).startswith(message)
    assert (error.value.filename, error.value.line) == (filename, line)


def test_a_row_with_a_missing_cell_is_refused(data_dir):
    rewrite_line(data_dir / "regions.csv", 5, "24,Centre,high")

    with pytest.raises(
        ReferenceDataError, match=r"^regions.csv, ligne 5 : 3 colonnes au lieu de 4"
    ):
        read_reference_data(data_dir)


def test_a_missing_column_is_refused(data_dir):
    rewrite_line(data_dir / "ministries.csv", 1, "code,name,source")

    with pytest.raises(
        ReferenceDataError, match=r"^ministries.csv, ligne 1 : colonne manquante « confidence »"
    ):
        read_reference_data(data_dir)


def test_a_duplicate_key_is_refused(data_dir):
    path = data_dir / "ddis.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")

    with pytest.raises(
        ReferenceDataError, match=r"^ddis.csv, ligne 240 : doublon : DDT 01 déjà défini ligne 2"
    ):
        read_reference_data(data_dir)


def test_a_programme_served_twice_in_a_region_is_refused(data_dir):
    # Line 2 is the CPCM of Île-de-France (215…); line 3 its préfecture centre.
    rewrite_cell(data_dir / "service_centres.csv", 3, "programme_codes", "333 215")

    with pytest.raises(
        ReferenceDataError,
        match=r"^service_centres.csv, ligne 3 : le programme 215 est déjà traité",
    ):
        read_reference_data(data_dir)


def test_a_ddi_whose_programme_has_no_centre_is_refused(data_dir):
    # The CPCM of Île-de-France no longer handles 206, which the DDPP use.
    rewrite_cell(
        data_dir / "service_centres.csv",
        2,
        "programme_codes",
        "215 217 205 154 149 135 113 181 207 203",
    )

    with pytest.raises(ReferenceDataError) as error:
        read_reference_data(data_dir)

    assert error.value.filename == "ddis.csv"
    assert "programme 206" in error.value.message


def test_a_missing_file_is_named(data_dir):
    (data_dir / "structures.csv").unlink()

    with pytest.raises(ReferenceDataError, match=r"^structures.csv : fichier introuvable"):
        read_reference_data(data_dir)


def test_a_line_number_counts_quoted_line_breaks(data_dir):
    path = data_dir / "regions.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = '11,Île-de-France,"source\nsur deux lignes",high'
    lines[2] = lines[2].replace(",high", ",certain")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(ReferenceDataError, match=r"^regions.csv, ligne 4 : fiabilité inconnue"):
        read_reference_data(data_dir)
